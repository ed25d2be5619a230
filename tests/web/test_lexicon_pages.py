"""The lexicon manager through its HTML forms: add and remove terms, versions, the test-a-text box."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.language.models import LexiconVersion


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def _add(client: TestClient, csrf: str, **fields: str) -> tuple[int, str]:
    data = {"csrf_token": csrf, "harm": "suicide_promotion", "language": "ru", "kind": "term", "term": "", **fields}
    resp = client.post("/lexicons/terms", data=data, follow_redirects=False)
    return resp.status_code, resp.headers.get("location", resp.text)


def test_manage_terms_and_versions(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("policy")
    status, where = _add(client, csrf, term="синий кит")
    assert status == 303 and re.fullmatch(r"/lexicons/\d+\?done=term_added", where)
    page = where.split("?")[0]
    resp = client.post(f"{page}/terms", data={"csrf_token": csrf, "term": "#f57", "kind": "hashtag"},
                       follow_redirects=False)
    assert resp.status_code == 303
    html = client.get(page).text
    assert "синий кит" in html and "#f57" in html and "v2" in html and "added «#f57» · 2 terms" in _text(html)
    assert "added «<span data-user-text>#f57</span>»" in html  # the term is the users' words
    status, body = _add(client, csrf, term="СИНИЙ КИТ")
    assert status == 409 and "already in the suicide_promotion/ru lexicon" in body
    status, body = _add(client, csrf, term="   ")
    assert status == 422 and "the term is empty" in body
    removes = re.findall(r'action="(/lexicons/\d+/terms/\d+/remove)"', html)
    assert len(removes) == 2
    assert client.post(removes[0], data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    html = client.get(page).text
    assert "v3" in html and re.search("removed «(синий кит|#f57)» · 1 term ·", _text(html))
    assert len(re.findall(r"/terms/\d+/remove", html)) == 1
    old = client.get(f"{page}?version=2").text
    assert "синий кит" in old and "#f57" in old and "/remove" not in old  # history is read-only
    assert client.get(f"{page}?version=9").status_code == 404
    assert client.get("/lexicons/999999").status_code == 404


def test_test_a_text_and_russian_page(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("policy", locale="ru")
    status, where = _add(client, csrf, term="тихий дом", kind="coded")
    assert status == 303
    html = client.get("/lexicons", params={"text": "Жду в ТИХИЙ Д0М сегодня"}).text
    assert "Проверить текст" in html and "Лексиконы" in html
    assert "<mark>ТИХИЙ Д0М</mark>" in html and "жду в тихий дом сегодня" in html
    assert "ru (уверенность " in html and "Кодовое слово" in html
    page = where.split("?")[0]
    assert client.post(f"{page}/terms", data={"csrf_token": csrf, "term": "#тихийдом", "kind": "hashtag"},
                       follow_redirects=False).status_code == 303
    history = _text(client.get(page).text)
    assert "v2 · добавлен «#тихийдом» · 2 термина ·" in history and "v1 · добавлен «тихий дом» · 1 термин ·" in history


def test_a_version_written_as_a_sentence_reads_as_written(client: TestClient,
                                                          logged_in: Callable[..., tuple[Actor, str]]) -> None:
    """Versions recorded before changes were kept in their structured form show their English sentence,
    marked as English."""
    _, csrf = logged_in("policy", locale="ru")
    status, where = _add(client, csrf, term="синий кит")
    assert status == 303
    with unit_of_work() as s:
        version = s.query(LexiconVersion).one()
        assert version.change == '{"did":"added","unit":"term","item":"синий кит"}'
        version.change = "imported 12 terms"
    html = client.get(where.split("?")[0]).text
    assert '<span lang="en">imported 12 terms</span>' in html


def test_read_only_roles_see_no_forms(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("responder")
    html = client.get("/lexicons").text
    assert "Test a text" in html and 'action="/lexicons/terms"' not in html
    status, body = _add(client, csrf, term="тихий дом")
    assert status == 403 and "Your role does not allow this." in body
