"""The pages and their forms, without JavaScript: post, get redirected, see the result."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from webkit import declare, login

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents.models import Incident, Task

HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _follow(client: TestClient, resp_location: str) -> str:
    page = client.get(resp_location)
    assert page.status_code == 200
    return page.text


def test_empty_dashboard_and_list(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    logged_in("responder")
    home = client.get("/").text
    assert "No active incidents." in home and "No open tasks are assigned to you." in home
    assert "Nothing has happened yet." in home
    assert "No incidents yet." in client.get("/incidents").text


def test_declare_through_the_form(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    resp = client.post("/incidents/new", data={
        "csrf_token": csrf, "title": "Зацепинг videos trending", "type": "dangerous_challenge",
        "summary": "Қазақстан: clips", "countries": "kz, ru", "languages": "ru kk", "harm_categories": "minors",
        "harm": "4", "reach": "1", "velocity": "2", "regulatory": "1", "vulnerable": "1",
    }, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].endswith("?done=declared")
    page = _follow(client, resp.headers["location"])
    assert "The incident was declared." in page and "Зацепинг videos trending" in page and "Қазақстан" in page
    assert "SEV1" in page and "Critical harm involving minors" in page  # the floor that applied
    with unit_of_work(read_only=True) as s:
        inc = s.execute(select(Incident)).scalar_one()
        assert inc.countries == ["KZ", "RU"] and inc.languages == ["ru", "kk"] and inc.severity == 1
        assert inc.severity_inputs == {"harm": 4, "reach": 1, "velocity": 2, "vulnerable": True, "regulatory": 1}
        assert inc.restricted is False


def test_declare_errors_keep_the_input(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    resp = client.post("/incidents/new", data={"csrf_token": csrf, "title": "", "type": "dangerous_challenge",
                                               "summary": "kept summary", "countries": "RU, XX"})
    assert resp.status_code == 422
    assert "This field is required." in resp.text
    assert "XX is not an ISO 3166-1 country code" in resp.text
    assert "kept summary" in resp.text and 'value="RU, XX"' in resp.text
    assert re.search(r'<option value="dangerous_challenge" selected', resp.text)
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(Incident)).first() is None


def test_child_safety_is_restricted_by_default(client: TestClient,
                                               logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    declare(client, csrf, type="child_safety", title="Grooming ring")  # box not ticked, no script
    declare(client, csrf, type="other", title="Open one", restricted="1")
    declare(client, csrf, type="child_safety", title="Explicitly open", restricted_explicit="1")
    with unit_of_work(read_only=True) as s:
        rows = {title: flag for title, flag in s.execute(select(Incident.title, Incident.restricted))}
    assert rows == {"Grooming ring": True, "Open one": True, "Explicitly open": False}


def test_child_safety_involves_minors_by_default_and_is_sev1(client: TestClient,
                                                             logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    declare(client, csrf, type="child_safety", title="Sextortion ring")  # nothing ticked, no script
    declare(client, csrf, type="child_safety", title="Adults only", reach="2", vulnerable_explicit="1")
    declare(client, csrf, type="dangerous_challenge", title="Stunts", reach="2")
    with unit_of_work(read_only=True) as s:
        rows = {t: (sev, inputs["vulnerable"]) for t, sev, inputs in
                s.execute(select(Incident.title, Incident.severity, Incident.severity_inputs))}
    assert rows == {"Sextortion ring": (1, True), "Adults only": (2, False), "Stunts": (3, False)}
    page = client.get("/incidents/new").text
    assert 'data-minors-types="child_safety"' in page and 'id="vulnerable-explicit"' in page


def test_hostile_text_is_escaped_everywhere(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf, title=HOSTILE, summary=HOSTILE, source_description=HOSTILE)
    client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": f"**bold** {HOSTILE}"})
    client.post(f"/incidents/{ref}/tasks", data={"csrf_token": csrf, "title": HOSTILE, "description": HOSTILE})
    for path in (f"/incidents/{ref}", "/incidents", "/"):
        html = client.get(path).text
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html, path
    page = client.get(f"/incidents/{ref}").text
    assert "<strong>bold</strong>" in page  # the note's markdown, sanitised by the service
    assert "content-security-policy" in client.get(f"/incidents/{ref}").headers


def test_incident_flow(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                       make_user: Callable[..., Actor]) -> None:
    me, csrf = logged_in("commander", timezone="Asia/Almaty")
    helper = make_user("responder")
    ref = declare(client, csrf)
    other = declare(client, csrf, title="Duplicate report")

    def post(path: str, **data: str) -> str:
        resp = client.post(f"/incidents/{ref}{path}", data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert resp.status_code == 303, (path, resp.status_code, re.findall(r'form-error[^>]*>([^<]*)', resp.text))
        return _follow(client, resp.headers["location"])

    page = client.get(f"/incidents/{ref}").text
    assert 'value="active"' in page and 'value="cancelled"' in page and 'value="resolved"' not in page
    page = post("/status", status="active")
    assert "The status was changed." in page and "changed the status from Triage to Active" in page
    assert 'value="mitigated"' in page and 'value="resolved"' in page
    page = post("/notes", body="Hashes added to the match list", pinned="1")
    assert "Hashes added to the match list" in page and "Pinned" in page
    page = post("/roles", role="regional_lead", username=helper.username)
    assert "Regional / language lead" in page
    page = post("/tasks", title="Notify the regulator", owner=helper.username, due_at="2030-01-01T10:00")
    assert "Notify the regulator" in page and "2030-01-01 10:00 UTC+05" in page
    with unit_of_work(read_only=True) as s:
        task = s.execute(select(Task).where(Task.title == "Notify the regulator")).scalar_one()
        assert task.due_at is not None and task.due_at.isoformat() == "2030-01-01T05:00:00+00:00"
    page = post(f"/tasks/{task.id}", status="done")
    assert "The task was updated." in page
    page = post("/severity", level="1", reason="Regulator deadline tomorrow")
    assert "Overridden by a commander" in page and "Regulator deadline tomorrow" in page
    page = post("/severity/clear")
    assert "The severity is the computed one again." in page
    page = post("/links", other=other, kind="related")
    assert other in page
    # the timeline filter shows only notes, or only pinned notes
    notes_only = client.get(f"/incidents/{ref}?kind=notes").text
    assert "Hashes added" in notes_only and "changed the status" not in notes_only
    # refusals are shown on the form, with the input kept, and change nothing
    resp = client.post(f"/incidents/{ref}/status", data={"csrf_token": csrf, "status": "cancelled", "reason": ""})
    assert resp.status_code == 422 and "Give a reason for cancelling" in resp.text
    resp = client.post(f"/incidents/{ref}/severity", data={"csrf_token": csrf, "level": "2", "reason": " "})
    assert resp.status_code == 422 and "Give a reason for overriding" in resp.text
    resp = client.post(f"/incidents/{ref}/roles", data={"csrf_token": csrf, "role": "scribe", "username": "nobody"})
    assert resp.status_code == 422 and "nobody" in resp.text and 'value="nobody"' in resp.text
    resp = client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "   "})
    assert resp.status_code == 422 and "This field is required." in resp.text
    # merge the duplicate into this one
    resp = client.post(f"/incidents/{other}/merge", data={"csrf_token": csrf, "into": ref, "reason": "same trend"},
                       follow_redirects=False)
    assert resp.status_code == 303
    merged = _follow(client, resp.headers["location"])
    assert "This incident is final" in merged
    assert me.username in client.get("/").text


def test_responder_sees_no_commander_controls(client: TestClient, make_user: Callable[..., Actor],
                                              logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("responder")
    ref = declare(client, csrf)
    page = client.get(f"/incidents/{ref}").text
    status_form = page[page.index('id="h-status"'):]
    status_form = status_form[:status_form.index("</form>")]
    assert 'value="active"' in status_form and 'value="cancelled"' not in status_form
    assert "Override the severity" not in page and "Merge into another incident" not in page
    resp = client.post(f"/incidents/{ref}/severity", data={"csrf_token": csrf, "level": "1", "reason": "r"})
    assert resp.status_code == 403 and "Your role does not allow this." in resp.text


def test_unknown_and_restricted_give_the_same_404(client: TestClient, make_user: Callable[..., Actor],
                                                  logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    secret = declare(client, csrf, type="child_safety", title="Secret case")
    client.cookies.clear()
    login(client, make_user("responder").username)
    year = secret.split("-")[1]
    missing = client.get(f"/incidents/INC-{year}-9999")
    hidden = client.get(f"/incidents/{secret}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.text == hidden.text
    assert "Secret case" not in hidden.text and secret not in hidden.text
    post = client.post(f"/incidents/{secret}/notes", data={"csrf_token": csrf_from_page(client), "body": "x"})
    assert post.status_code == 404 and "Secret case" not in post.text
    assert client.get("/no/such/page").status_code == 404
    assert client.get(f"/incidents/{'X' * 300}").status_code == 404


def csrf_from_page(client: TestClient) -> str:
    from webkit import page_csrf

    return page_csrf(client, "/incidents")


def test_reading_a_restricted_incident_is_logged(client: TestClient,
                                                 logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf, type="child_safety")
    client.get(f"/incidents/{ref}")
    with unit_of_work(read_only=True) as s:
        kinds = [e.type for e in s.execute(select(events.Event).where(events.Event.type == "incident.viewed"))
                 .scalars()]
    assert kinds == ["incident.viewed"]
    page = client.get(f"/incidents/{ref}?kind=access").text
    assert "viewed this restricted incident" in page


def test_list_filters_search_and_pages(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    for i in range(27):
        declare(client, csrf, title=f"Trend number {i}", countries="UZ" if i % 2 else "KZ")
    declare(client, csrf, title="Волна ненависти в Беларуси", type="hate_speech_wave", countries="BY",
            languages="be")
    first = client.get("/incidents").text
    assert "28 incidents" in first and "Page 1 of 2" in first and "page=2" in first
    second = client.get("/incidents?page=2").text
    assert "Page 2 of 2" in second and second.count('class="ref"') == 3
    found = client.get("/incidents?q=ВОЛНА").text
    assert "Волна ненависти" in found and "1 incident" in found
    assert "Волна ненависти" in client.get("/incidents?country=by&language=be&type=hate_speech_wave").text
    only_uz = client.get("/incidents?country=UZ").text
    assert "13 incidents" in only_uz
    none = client.get("/incidents?severity=1&status=closed").text
    assert "No incidents match these filters." in none
    bad = client.get("/incidents?country=XX&status=bogus")
    assert bad.status_code == 200 and "not an ISO 3166-1 country code" in bad.text


def test_dashboard_counts_tasks_and_activity(client: TestClient,
                                             logged_in: Callable[..., tuple[Actor, str]]) -> None:
    me, csrf = logged_in("commander")
    ref = declare(client, csrf, title="Self-harm hashtag cluster", type="self_harm")
    client.post(f"/incidents/{ref}/tasks", data={"csrf_token": csrf, "title": "Brief the helpline partner",
                                                 "owner": me.username})
    home = client.get("/").text
    assert f'href="/incidents/{ref}"' in home and "Commander" in home
    assert "Brief the helpline partner" in home
    # the title is the users' words, marked as such inside the product's line
    assert "declared the incident “<span data-user-text>Self-harm hashtag cluster</span>”" in home


def test_language_switch(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    me, csrf = logged_in("commander")
    resp = client.post("/locale", data={"csrf_token": csrf, "locale": "ru", "next": "/incidents"},
                       follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/incidents"
    page = client.get("/incidents").text
    assert '<html lang="ru">' in page and "Инциденты" in page and "Объявить инцидент" in page
    ref = declare(client, csrf, type="child_safety")
    detail = client.get(f"/incidents/{ref}").text
    assert "Безопасность детей" in detail and "Закрытый" in detail  # labels from vocab.py, translated
    from rapidresponse.auth import service as auth

    with unit_of_work(read_only=True) as s:
        assert auth.find_person(s, me.username).locale == "ru"


def test_login_page_language(client: TestClient) -> None:
    assert "Войти" in client.get("/login", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}).text
    assert "Log in" in client.get("/login", headers={"accept-language": "de-DE,en;q=0.8"}).text
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    resp = client.post("/locale", data={"csrf_token": token, "locale": "ru", "next": "/login"}, follow_redirects=False)
    assert resp.status_code == 303
    assert "Имя пользователя" in client.get("/login").text
    assert client.post("/locale", data={"csrf_token": "bad", "locale": "en"}).status_code == 403


def test_summary_is_markdown_rendered_safely(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    ref = declare(client, csrf, summary=f"**Reports ×6** in 2 h\n\n- KZ\n- RU\n\n{HOSTILE} [x](javascript:alert(1))")
    page = client.get(f"/incidents/{ref}").text
    assert "<strong>Reports ×6</strong>" in page and "<li>KZ</li>" in page
    assert "<script>alert" not in page and "href=\"javascript:" not in page
