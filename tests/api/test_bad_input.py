"""Bad input gets a clear problem+json error and changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient

from rapidresponse.config import get_settings

Login = Callable[..., Caller]
GOOD = {"title": "Choking challenge", "type": "dangerous_challenge", "countries": ["KZ"], "languages": ["kk"]}


@pytest.fixture
def cmd(login: Login) -> Caller:
    return login("commander")


@pytest.fixture
def ref(cmd: Caller, declare: Callable[..., dict[str, Any]]) -> str:
    return str(declare(cmd)["ref"])


def _refused(client: TestClient, method: str, url: str, status: int, **kw: Any) -> dict[str, Any]:
    before = snapshot()
    body = assert_problem(client.request(method, url, **kw), status)
    assert snapshot() == before, f"{method} {url} changed the database although it was refused"
    return body


# (body, the field the error must name)
BAD_DECLARE: list[tuple[dict[str, Any], str]] = [
    ({**GOOD, "colour": "red"}, "colour"),
    ({**GOOD, "severity": {"harm": 2, "bogus": 1}}, "bogus"),
    ({**GOOD, "title": ""}, "title"),
    ({**GOOD, "title": "   "}, "title"),
    ({**GOOD, "title": "x" * 201}, "title"),
    ({**GOOD, "title": 42}, "title"),
    ({**GOOD, "title": None}, "title"),
    ({k: v for k, v in GOOD.items() if k != "title"}, "title"),
    ({**GOOD, "type": "outage"}, "type"),
    ({**GOOD, "type": ["dangerous_challenge"]}, "type"),
    ({**GOOD, "countries": ["XX"]}, "countries"),
    ({**GOOD, "countries": ["Kazakhstan"]}, "countries"),
    ({**GOOD, "countries": "KZ"}, "countries"),
    ({**GOOD, "languages": ["klingon"]}, "languages"),
    ({**GOOD, "languages": ["zz"]}, "languages"),
    ({**GOOD, "languages": ["ru-RU-RU-x"]}, "languages"),
    ({**GOOD, "harm_categories": ["Not A Slug!"]}, "harm_categories"),
    ({**GOOD, "severity": {"harm": 5}}, "harm"),
    ({**GOOD, "severity": {"harm": "high"}}, "harm"),
    ({**GOOD, "severity": {"harm": 2, "regulatory": -1}}, "regulatory"),
    ({**GOOD, "restricted": "maybe"}, "restricted"),
    ({**GOOD, "detected_at": "2020-01-01T10:00:00"}, "detected_at"),
    ({**GOOD, "detected_at": "yesterday"}, "detected_at"),
    ({**GOOD, "detected_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "detected_at"),
    ({**GOOD, "summary": "я" * 20_001}, "summary"),
]


@pytest.mark.parametrize(("body", "field"), BAD_DECLARE,
                         ids=[f"{i}-{f}" for i, (_, f) in enumerate(BAD_DECLARE)])
def test_bad_declare_is_422_naming_the_field(client: TestClient, cmd: Caller, body: dict[str, Any],
                                             field: str) -> None:
    problem = _refused(client, "POST", "/api/v1/incidents", 422, json=body, headers=cmd.headers)
    assert field in problem["detail"], problem
    if "errors" in problem:
        assert any(field in ".".join(e["loc"]) for e in problem["errors"]), problem["errors"]


@pytest.mark.parametrize("payload", [b"{", b'{"title": "x",}', b"not json", b"[1, 2", b"", b"null", b"[]",
                                     b'"a string"'])
def test_malformed_json_is_422(client: TestClient, cmd: Caller, payload: bytes) -> None:
    _refused(client, "POST", "/api/v1/incidents", 422, content=payload,
             headers={**cmd.headers, "Content-Type": "application/json"})


def test_invalid_utf8_is_400(client: TestClient, cmd: Caller) -> None:
    _refused(client, "POST", "/api/v1/incidents", 400, content=b'{"title": "\xff\xfe", "type": "other"}',
             headers={**cmd.headers, "Content-Type": "application/json"})


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("PATCH", "", {"titel": "typo"}, "titel"),
    ("PATCH", "", {"countries": ["SU"]}, "countries"),
    ("PATCH", "", {"title": ""}, "title"),
    ("POST", "/status", {"status": "on_fire"}, "status"),
    ("POST", "/status", {"status": "active", "extra": 1}, "extra"),
    ("POST", "/severity", {"level": 0, "reason": "x"}, "level"),
    ("POST", "/severity", {"level": 5, "reason": "x"}, "level"),
    ("POST", "/severity", {"reason": "no level"}, "level"),
    ("POST", "/roles", {"role": "king", "username": "x"}, "role"),
    ("POST", "/notes", {"body": ""}, "body"),
    ("POST", "/notes", {"body": "x", "pinned": "yes please"}, "pinned"),
    ("POST", "/tasks", {"title": "x", "due_at": "2030-01-01T10:00:00"}, "due_at"),
    ("POST", "/tasks", {"title": ""}, "title"),
    ("POST", "/links", {"ref": "x", "kind": "sibling"}, "kind"),
    ("POST", "/merge", {"into": "INC-2026-0001"}, "reason"),
])
def test_bad_input_on_incident_routes(client: TestClient, cmd: Caller, ref: str, method: str, path: str,
                                      body: dict[str, Any], field: str) -> None:
    problem = _refused(client, method, f"/api/v1/incidents/{ref}{path}", 422, json=body, headers=cmd.headers)
    assert field in problem["detail"], problem


@pytest.mark.parametrize("params", [{"status": "burning"}, {"severity": 9}, {"type": "outage"},
                                    {"country": "XX"}, {"language": "klingon"}, {"limit": 0},
                                    {"limit": 10_000}, {"offset": -1}, {"sort": "title"}, {"open": "perhaps"},
                                    {"q": "x" * 201}, {"unknown": "1"}])
def test_bad_list_filters_are_422(client: TestClient, cmd: Caller, params: dict[str, Any]) -> None:
    problem = _refused(client, "GET", "/api/v1/incidents", 422, params=params, headers=cmd.headers)
    assert next(iter(params)) in problem["detail"], problem


def test_bad_timeline_kind_is_422(client: TestClient, cmd: Caller, ref: str) -> None:
    _refused(client, "GET", f"/api/v1/incidents/{ref}/timeline", 422, params={"kind": "gossip"}, headers=cmd.headers)


def test_non_integer_ids_are_422(client: TestClient, cmd: Caller, ref: str) -> None:
    _refused(client, "PATCH", f"/api/v1/incidents/{ref}/notes/abc", 422, json={"pinned": True}, headers=cmd.headers)
    _refused(client, "PATCH", f"/api/v1/incidents/{ref}/tasks/1.5", 422, json={"status": "done"}, headers=cmd.headers)
    _refused(client, "DELETE", "/api/v1/tokens/one", 422, headers=cmd.headers)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "", None), ("PATCH", "", {"title": "x"}), ("POST", "/status", {"status": "active"}),
    ("POST", "/notes", {"body": "x"}), ("GET", "/timeline", None), ("GET", "/tasks", None),
    ("POST", "/tasks", {"title": "x"}), ("POST", "/merge", {"into": "INC-2026-0001", "reason": "x"}),
    ("POST", "/severity", {"level": 1, "reason": "x"}),
])
def test_unknown_ref_is_404(client: TestClient, cmd: Caller, ref: str, method: str, path: str,
                            body: dict[str, Any] | None) -> None:
    for missing in ("INC-1999-0042", "nothing", "INC-2026-%25", "' OR 1=1 --"):
        _refused(client, method, f"/api/v1/incidents/{missing}{path}", 404, json=body, headers=cmd.headers)


def test_unknown_target_refs_are_404(client: TestClient, cmd: Caller, ref: str) -> None:
    _refused(client, "POST", f"/api/v1/incidents/{ref}/merge", 404, json={"into": "INC-1999-0001", "reason": "x"},
             headers=cmd.headers)
    _refused(client, "POST", f"/api/v1/incidents/{ref}/links", 404, json={"ref": "INC-1999-0001"},
             headers=cmd.headers)
    _refused(client, "POST", f"/api/v1/incidents/{ref}/roles", 404, json={"role": "scribe", "username": "ghost"},
             headers=cmd.headers)


def test_unknown_route_is_404_problem(client: TestClient, cmd: Caller) -> None:
    _refused(client, "GET", "/api/v1/nothing-here", 404, headers=cmd.headers)
    _refused(client, "PUT", "/api/v1/incidents", 405, headers=cmd.headers, json={})


# --- body size ----------------------------------------------------------------------------------

def _big() -> bytes:
    limit = get_settings().max_body_bytes
    return b'{"title": "' + b"x" * (limit + 10) + b'", "type": "other"}'


def test_oversized_body_is_413(client: TestClient, cmd: Caller) -> None:
    problem = _refused(client, "POST", "/api/v1/incidents", 413, content=_big(),
                       headers={**cmd.headers, "Content-Type": "application/json"})
    assert str(get_settings().max_body_bytes) in problem["detail"]


def test_oversized_chunked_body_without_length_is_413(client: TestClient, cmd: Caller) -> None:
    data = _big()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 64 * 1024):
            yield data[i:i + 64 * 1024]

    _refused(client, "POST", "/api/v1/incidents", 413, content=chunks(),
             headers={**cmd.headers, "Content-Type": "application/json"})


def test_oversized_body_with_lying_length_is_413(client: TestClient, cmd: Caller) -> None:
    _refused(client, "POST", "/api/v1/incidents", 413, content=_big(),
             headers={**cmd.headers, "Content-Type": "application/json", "Content-Length": "100"})


def test_bogus_content_length_is_refused(client: TestClient, cmd: Caller) -> None:
    before = snapshot()
    resp = client.post("/api/v1/incidents", content=b'{"title": "x", "type": "other"}',
                       headers={**cmd.headers, "Content-Type": "application/json", "Content-Length": "-5"})
    assert resp.status_code in (400, 413) and resp.headers["content-type"].startswith("application/problem+json")
    assert snapshot() == before


def test_body_just_under_the_limit_is_accepted(client: TestClient, cmd: Caller, ref: str) -> None:
    body = {"body": "ж" * 10_000}
    resp = client.post(f"/api/v1/incidents/{ref}/notes", json=body, headers=cmd.headers)
    assert resp.status_code == 201 and resp.json()["body"] == body["body"]


# --- hostile strings ------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["title", "summary", "source_description"])
def test_nul_bytes_are_refused(client: TestClient, cmd: Caller, field: str) -> None:
    problem = _refused(client, "POST", "/api/v1/incidents", 422, json={**GOOD, field: "before\x00after"},
                       headers=cmd.headers)
    assert field in problem["detail"]


def test_nul_bytes_refused_everywhere(client: TestClient, cmd: Caller, ref: str) -> None:
    nul = "a\x00b"
    _refused(client, "PATCH", f"/api/v1/incidents/{ref}", 422, json={"summary": nul}, headers=cmd.headers)
    _refused(client, "POST", f"/api/v1/incidents/{ref}/notes", 422, json={"body": nul}, headers=cmd.headers)
    _refused(client, "POST", f"/api/v1/incidents/{ref}/tasks", 422, json={"title": nul}, headers=cmd.headers)
    _refused(client, "POST", f"/api/v1/incidents/{ref}/status", 422,
             json={"status": "active", "reason": nul}, headers=cmd.headers)
    _refused(client, "GET", "/api/v1/incidents", 422, params={"q": nul}, headers=cmd.headers)
    _refused(client, "PATCH", "/api/v1/me", 422, json={"display_name": nul}, headers=cmd.headers)
    _refused(client, "POST", "/api/v1/tokens", 422, json={"name": nul}, headers=cmd.headers)


def test_very_long_unicode_is_refused_cleanly(client: TestClient, cmd: Caller) -> None:
    _refused(client, "POST", "/api/v1/incidents", 422, json={**GOOD, "title": "𝕏" * 201}, headers=cmd.headers)
    _refused(client, "POST", "/api/v1/incidents", 422, json={**GOOD, "title": "ә" * 5000}, headers=cmd.headers)


@pytest.mark.parametrize("text", [
    "𝕏" * 200,  # astral-plane characters, at the length limit
    "ә" * 200,
    "\u202eevil\u202c txt.exe",  # right-to-left override
    "שלום עולם مرحبا بالعالم",
    "e\u0301\u0301\u0301 zalgo \u0336\u0336",
    "tab\tand\nnewline",
    "'; DROP TABLE incidents; --",
    "{{7*7}} ${7*7} <%= 7*7 %>",
])
def test_unusual_but_valid_text_round_trips(client: TestClient, cmd: Caller, text: str) -> None:
    resp = client.post("/api/v1/incidents", json={**GOOD, "title": text, "summary": text}, headers=cmd.headers)
    if resp.status_code == 201:
        got = client.get(f"/api/v1/incidents/{resp.json()['ref']}", headers=cmd.headers).json()
        assert got["summary"] == text
        assert got["title"] == text.strip()
    else:
        assert_problem(resp, 422)


def test_lone_surrogate_is_refused_or_kept(client: TestClient, cmd: Caller) -> None:
    before = snapshot()
    resp = client.post("/api/v1/incidents", content=b'{"title": "\\ud800 broken", "type": "other"}',
                       headers={**cmd.headers, "Content-Type": "application/json"})
    assert resp.status_code == 422, resp.text
    assert_problem(resp, 422)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/v1/requests", {"country": "KZ", "regulator": "mci", "sender": "a\x00b", "legal_basis": "x",
                                  "language": "kk", "received_at": "2026-03-01T08:00:00+00:00", "items": ["x"]}),
    ("PUT", "/api/v1/requests/1/reply", {"body": "a\x00b"}),
    ("POST", "/api/v1/hashlists", {"name": "a\x00b", "harm": "csam", "source": "partner"}),
    ("POST", "/api/v1/hashlists/1/entries", {"hash": "0" * 64, "label": "a\x00b"}),
    ("POST", "/api/v1/approvals/1/decision", {"decision": "approved", "text_sha256": "0" * 64, "comment": "a\x00"}),
    ("POST", "/api/v1/lexicons/match", {"text": "a\x00b"}),
    ("POST", "/api/v1/lexicons/annotate", {"texts": ["ok", "a\x00b"]}),
    ("POST", "/api/v1/lexicons/terms", {"term": "a\x00b", "harm": "dangerous_challenge", "language": "ru"}),
    ("PUT", "/api/v1/audiences/press", {"name": "a\x00b"}),
])
def test_nul_bytes_refused_in_every_domains_input(client: TestClient, login: Login, method: str, path: str,
                                                 body: dict[str, Any]) -> None:
    _refused(client, method, path, 422, json=body, headers=login("admin").headers)


def test_a_nul_in_a_person_filter_is_an_unknown_person_not_a_server_error(client: TestClient, cmd: Caller) -> None:
    """PostgreSQL refuses a NUL in a query: a username with one is simply nobody."""
    resp = client.get("/api/v1/action-items", headers=cmd.headers, params={"owner": "\x00ÿ%"})
    assert resp.status_code in (404, 422), resp.text[:300]
    assert_problem(resp, resp.status_code)
