"""Lexicons through the REST API (problem+json errors) and the CLI (exit code 2, one line)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.cli import app as cli_app
from rapidresponse.db import unit_of_work

runner = CliRunner()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c


@pytest.fixture
def headers(make_user: Callable[..., Actor]) -> Callable[[str], dict[str, str]]:
    def make(role: str) -> dict[str, str]:
        actor = make_user(role)
        with unit_of_work() as s:
            _, secret = auth.create_token(s, actor, name="tests", scopes=None, days=1)
        return {"Authorization": f"Bearer {secret}"}

    return make


def test_api_add_list_remove_versions_and_match(client: TestClient, headers: Callable[[str], dict[str, str]]) -> None:
    policy, responder = headers("policy"), headers("responder")
    resp = client.post("/api/v1/lexicons/terms", headers=policy,
                       json={"harm": "suicide_promotion", "language": "ru", "term": "Синий кит"})
    assert resp.status_code == 201, resp.text
    lex = resp.json()
    assert resp.headers["location"] == f"/api/v1/lexicons/{lex['id']}" and lex["version"] == 1
    assert lex["terms"][0]["folded"] == "синий кит"
    resp = client.post(f"/api/v1/lexicons/{lex['id']}/terms", headers=policy, json={"term": "f57", "kind": "coded"})
    assert resp.status_code == 201 and resp.json()["version"] == 2
    bad = client.post(f"/api/v1/lexicons/{lex['id']}/terms", headers=policy, json={"term": "СИНИЙ  КИТ"})
    assert bad.status_code == 409 and bad.headers["content-type"].startswith("application/problem+json")
    assert "already in" in bad.json()["detail"]
    bad = client.post("/api/v1/lexicons/terms", headers=policy, json={"harm": "nope", "language": "ru", "term": "x"})
    assert bad.status_code == 422 and "unknown harm category" in bad.json()["detail"]
    assert client.post(f"/api/v1/lexicons/{lex['id']}/terms", headers=responder, json={"term": "x"}).status_code == 403
    text = "я в игре: СИНИЙ К1Т? нет, синий кит"
    found = client.post("/api/v1/lexicons/match", headers=responder, json={"text": text})
    assert found.status_code == 200
    body = found.json()
    assert body["language"] == "ru" and [m["text"] for m in body["matches"]] == ["синий кит"]
    term_id = lex["terms"][0]["id"]
    resp = client.delete(f"/api/v1/lexicons/{lex['id']}/terms/{term_id}", headers=policy)
    assert resp.status_code == 200 and [t["term"] for t in resp.json()["terms"]] == ["f57"]
    history = client.get(f"/api/v1/lexicons/{lex['id']}/versions", headers=responder).json()
    assert [v["number"] for v in history] == [3, 2, 1]
    v2 = client.get(f"/api/v1/lexicons/{lex['id']}/versions/2", headers=responder).json()
    assert sorted(t["term"] for t in v2["terms"]) == ["f57", "Синий кит"]
    assert client.get(f"/api/v1/lexicons/{lex['id']}/versions/7", headers=responder).status_code == 404
    assert client.get("/api/v1/lexicons/424242", headers=responder).status_code == 404
    batch = client.post("/api/v1/lexicons/annotate", headers=responder,
                        json={"texts": ["f57", "#F57 ура", "f570"], "languages": False}).json()
    assert [len(a["matches"]) for a in batch] == [1, 1, 0]  # a whole word, also as a hashtag


def test_cli(engine: Engine, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("admin", username="admin")
    make_user("responder", username="reader")
    run = lambda *a: runner.invoke(cli_app, ["lexicons", *a])  # noqa: E731
    result = run("load-starter")
    assert result.exit_code == 0, result.output
    assert "suicide_promotion/ru: 20 new terms" in result.output
    assert "suicide_promotion/ru: 0 new terms" in run("load-starter").output
    listed = json.loads(run("list", "--json", "--as", "reader").output)
    assert {(r["harm"], r["language"]) for r in listed} >= {("suicide_promotion", "kk"), ("dangerous_challenge", "uk")}
    assert run("add-term", "suicide_promotion", "ru", "новый код", "--kind", "coded").exit_code == 0
    result = run("add-term", "suicide_promotion", "ru", "НОВЫЙ  КОД")
    assert result.exit_code == 2 and "already in the suicide_promotion/ru lexicon" in result.output
    result = run("add-term", "suicide_promotion", "ru", "x", "--as", "reader")
    assert result.exit_code == 2 and "does not allow lexicons:manage" in result.output
    assert run("add-term", "no_such_harm", "ru", "x").exit_code == 2
    assert run("remove-term", "suicide_promotion", "ru", "новый код").exit_code == 0
    assert run("remove-term", "suicide_promotion", "ru", "новый код").exit_code == 2
    shown = json.loads(run("show", "suicide_promotion", "ru", "--json").output)
    assert shown["history"][0]["change"] == "removed «новый код»" and len(shown["terms"]) == 20
    out = tmp_path / "lexicons.yaml"
    assert run("export", "-o", str(out)).exit_code == 0
    doc = yaml.safe_load(out.read_text("utf-8"))
    assert any(t["term"] == "тыныш үй" for lex in doc["lexicons"] for t in lex["terms"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("harm: suicide_promotion\nlanguage: ru\nterms: [ok term, '']\n", encoding="utf-8")
    result = run("import", str(bad))
    assert result.exit_code == 2 and "the term is empty" in result.output
    bad.write_bytes(b"\xff\xfe not utf-8")
    assert "not UTF-8" in run("import", str(bad)).output
    tested = json.loads(run("test", "Разбуди меня в 4:20 #f57").output)
    assert {m["term"] for m in tested["matches"]} >= {"разбуди меня в 4:20", "#f57"}
