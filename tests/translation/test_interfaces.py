"""The translation pages, API and CLI: empty states in Russian, bad input refused with a clear
error and nothing changed, the incident page's panel, and the commands end to end."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rapidresponse import incidents
from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.requests import replies
from rapidresponse.translation import TranslationOut
from rapidresponse.translation.models import TranslationRequest
from rapidresponse.wellness.models import Exposure

PASSWORD = "correct horse battery"
runner = CliRunner()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _login(client: TestClient, actor: Actor) -> str:
    token = _csrf(client.get("/login").text)
    resp = client.post("/login", data={"username": actor.username, "password": PASSWORD, "csrf_token": token,
                                       "next": "/"}, follow_redirects=False)
    assert resp.status_code == 303
    return _csrf(client.get("/translations").text)


def _count() -> int:
    with unit_of_work(read_only=True) as s:
        return s.execute(select(func.count()).select_from(TranslationRequest)).scalar_one()


def test_pages_speak_russian_refuse_bad_input_and_show_on_the_incident(
        client: TestClient, make_linguist: Callable[..., Actor], make_incident: Callable[..., str],
        make_translation: Callable[..., TranslationOut]) -> None:
    me = make_linguist({"ru": "native", "en": "professional"}, role="commander", locale="ru")
    csrf = _login(client, me)
    page = client.get("/translations").text
    assert "На ваших языках переводить нечего." in page and "Заказать перевод" in page
    assert "Мои языки" in client.get("/account/settings").text
    assert "Глоссарий пуст" in client.get("/glossary").text
    assert "Память переводов пуста" in client.get("/translation-memory").text
    resp = client.post("/translations", data={"csrf_token": csrf, "text": "Текст", "source_lang": "ru",
                                              "target_lang": "ru", "source_kind": "text"})
    assert resp.status_code == 422 and "form-error" in resp.text and _count() == 0
    resp = client.post("/account/languages", data={"csrf_token": csrf, "level_ru": "fluent"})
    assert resp.status_code == 422 and "form-error" in resp.text
    ref = make_incident(me)
    r = make_translation(me, incident=ref, text="Видео удалено.")
    assert "Видео удалено." in client.get(f"/incidents/{ref}").text  # the incident's translations panel
    page = client.get(f"/translations/{r.id}").text
    assert 'id="source-text"' in page and "Взять и перевести" in page


def test_a_note_is_translated_from_its_link_on_the_timeline(
        client: TestClient, make_linguist: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    me = make_linguist({"ru": "native", "en": "professional"}, role="commander")
    csrf = _login(client, me)
    ref = make_incident(me)
    with unit_of_work() as s:
        note = incidents.add_note(s, me, ref, incidents.NoteCreate(body="Школа в Алматы подтвердила три случая."))
    link = re.search(r'href="(/translations\?source_kind=note&amp;source_id=\d+&amp;incident=[^"#]+)#new-translation"',
                     client.get(f"/incidents/{ref}").text)
    assert link is not None
    form = client.get(link.group(1).replace("&amp;", "&")).text
    assert f'name="source_id" value="{note.id}"' in form and f'name="incident" value="{ref}"' in form
    resp = client.post("/translations", data={"csrf_token": csrf, "text": "", "source_lang": "ru", "target_lang": "en",
                                              "source_kind": "note", "source_id": "999999", "incident": ref})
    assert resp.status_code == 422 and "no note 999999" in resp.text and _count() == 0
    resp = client.post("/translations", data={"csrf_token": csrf, "text": "", "source_lang": "ru", "target_lang": "en",
                                              "source_kind": "note", "source_id": str(note.id), "incident": ref},
                       follow_redirects=False)
    assert resp.status_code == 303
    assert "Школа в Алматы подтвердила три случая." in client.get(resp.headers["location"]).text


def test_a_review_a_reply_letter_and_a_signal_link_to_their_translation(
        client: TestClient, make_user: Callable[..., Actor], make_reviewed: Callable[..., str],
        make_request: Callable[..., Any], make_signals: Callable[..., Any]) -> None:
    lawyer = make_user("admin")
    _login(client, lawyer)
    ref = make_reviewed()
    assert f"/translations?source_kind=review&amp;source_id={ref}&amp;" in client.get(f"/incidents/{ref}/review").text
    req = make_request(lawyer)
    with unit_of_work() as s:
        replies.draft(s, lawyer, req.ref)
    assert f"/translations?source_kind=reply_letter&amp;source_id={req.ref}&amp;source_lang=kk" in client.get(
        f"/requests/{req.ref}").text
    make_signals([{"external_id": "t-1", "source": "user_report", "occurred_at": "2026-11-30T10:00:00+00:00",
                   "country": "KZ", "language": "kk", "text": "Бейне туралы шағым"}])
    assert re.search(r"/translations\?source_kind=signal&amp;source_id=\d+&amp;source_lang=kk",
                     client.get("/signals").text)


def test_the_api_refuses_bad_bodies_with_problems(client: TestClient, make_user: Callable[..., Actor]) -> None:
    from rapidresponse.auth import service as auth

    actor = make_user("commander")
    with unit_of_work() as s:
        _, token = auth.create_token(s, actor, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    for body in ({"source_kind": "text", "source_lang": "ru", "target_lang": "en", "text": "x", "extra": 1},
                 {"source_kind": "text", "source_lang": "ru", "target_lang": "xx", "text": "x"},
                 {"source_kind": "text", "source_lang": "ru", "target_lang": "en", "text": "a\x00b"}):
        resp = client.post("/api/v1/translations", json=body, headers=headers)
        assert resp.status_code == 422 and resp.headers["content-type"] == "application/problem+json"
    assert _count() == 0
    resp = client.post("/api/v1/translations", json={"source_kind": "note", "source_lang": "ru", "target_lang": "en",
                                                     "text": "Видео удалено."}, headers=headers)
    assert resp.status_code == 201 and resp.json()["state"] == "requested"
    assert client.get("/api/v1/translations?queue=mine", headers=headers).json()[0]["source_text"] == "Видео удалено."


def test_the_cli_requests_translates_approves_and_moves_the_glossary(
        make_linguist: Callable[..., Actor], tmp_path: Path) -> None:
    translator = make_linguist({"ru": "native", "en": "professional"}, role="policy")
    reviewer = make_linguist({"ru": "reading", "en": "native"})
    out = runner.invoke(app, ["translate", "request", "Видео удалено.", "--from", "ru", "--to", "en",
                              "--as", translator.username])
    assert out.exit_code == 0, out.output
    rid = re.search(r"translation (\d+)", out.output).group(1)  # type: ignore[union-attr]
    assert rid in runner.invoke(app, ["translate", "queue", "--as", translator.username]).output
    assert runner.invoke(app, ["translate", "start", rid, "--as", translator.username]).exit_code == 0
    assert runner.invoke(app, ["translate", "submit", rid, "The video was removed.", "--as",
                               translator.username]).exit_code == 0
    shown = runner.invoke(app, ["translate", "show", rid, "--as", reviewer.username]).output
    sha = re.search(r"sha256 ([0-9a-f]{64})", shown).group(1)  # type: ignore[union-attr]
    bad = runner.invoke(app, ["translate", "approve", rid, "--sha256", "0" * 64, "--as", reviewer.username])
    assert bad.exit_code == 2 and "changed since you read it" in bad.output
    done = runner.invoke(app, ["translate", "approve", rid, "--sha256", sha, "--as", reviewer.username])
    assert done.exit_code == 0 and "approved" in done.output
    tbx = tmp_path / "g.tbx"
    tbx.write_text('<tbx><text><body><conceptEntry id="c1"><admin type="conceptName">hash</admin>'
                   '<langSec xml:lang="ru"><termSec><term>хеш</term></termSec></langSec></conceptEntry>'
                   '</body></text></tbx>', "utf-8")
    assert "1 entries added" in runner.invoke(app, ["glossary", "import", str(tbx), "--as",
                                                    translator.username]).output
    exported = runner.invoke(app, ["glossary", "export", "--as", translator.username]).output
    assert "<term>хеш</term>" in exported
    (tmp_path / "bad.tbx").write_text("<tbx>", "utf-8")
    failed = runner.invoke(app, ["glossary", "import", str(tmp_path / "bad.tbx"), "--as", translator.username])
    assert failed.exit_code == 2 and "well-formed" in failed.output
    assert "The video was removed." in runner.invoke(app, ["memory", "export", "--as", reviewer.username]).output


def test_harmful_material_waits_behind_a_warning_on_every_translation_page(
        client: TestClient, make_linguist: Callable[..., Actor], make_incident: Callable[..., str],
        make_translation: Callable[..., TranslationOut]) -> None:
    me = make_linguist({"ru": "native", "en": "professional"}, role="commander")
    _login(client, me)
    ref = make_incident(me)
    cruel = make_translation(me, incident=ref, harm="animal_abuse", text="Котёнка бросили с моста, видео в канале.")
    plain = make_translation(me, incident=ref, text="Видео удалено.")
    for url in (f"/incidents/{ref}", "/translations"):
        page = client.get(url).text
        assert "Котёнка" not in page and "hidden by your safe-viewing settings" in page
        assert "Видео удалено." in page  # no harm: shown as before
    page = client.get(f"/translations/{cruel.id}").text
    assert 'id="source-warning"' in page and "Котёнка" not in page
    assert 'id="source-warning"' not in client.get(f"/translations/{plain.id}").text
    shown = client.post(f"/translations/{cruel.id}/reveal", data={"csrf_token": _csrf(page)})
    assert "Котёнка" in shown.text and f"?revealed=translation-{cruel.id}" in str(shown.url)
    assert "Котёнка" not in client.get(f"/translations/{cruel.id}").text  # one item, one time
    with unit_of_work(read_only=True) as s:
        logged = [(e.user_id, e.kind, e.harm) for e in s.execute(select(Exposure)).scalars()]
    assert logged == [(me.user_id, "evidence", "animal_abuse")]
    assert client.post("/translations/999999/reveal", data={"csrf_token": _csrf(page)}).status_code == 404
