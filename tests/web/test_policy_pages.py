"""Policy pages through their HTML forms: the request inbox and page, the overview map, country
profiles, the taxonomy, the decision log; the incident page's rules and the dashboard's clocks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from webkit import declare

from rapidresponse.auth import Actor

REQUEST_FORM = {"regulator": "KZ/mci", "sender": "Министерство культуры и информации РК", "reference": "01-12/345",
                "legal_basis": "Закон № 18-VIII ст. 9(4)(2)", "received_at": "2026-03-01T09:00", "language": "kk",
                "items": "https://example.org/v/1\r\nvid:42\r\n"}


def _register(client: TestClient, csrf: str, **fields: str) -> str:
    resp = client.post("/requests/new", data={"csrf_token": csrf, **REQUEST_FORM, **fields}, follow_redirects=False)
    assert resp.status_code == 303, resp.text[-2000:]
    return resp.headers["location"].split("?")[0]


def test_register_record_outcomes_and_draft_the_reply(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                      fake_clock: Any) -> None:
    _, csrf = logged_in("commander", timezone="Asia/Almaty")
    ref = declare(client, csrf, countries="KZ, PL", harm_categories="dangerous_challenge")
    page = _register(client, csrf, incident=ref)
    html = client.get(page).text
    assert "Ministry of Culture and Information" in html and "2026-03-02 09:00" in html  # due in the viewer's zone
    assert "clock-ok" in html or "clock-50" in html
    items = re.findall(r'action="(/requests/REQ-\d{4}-\d{4}/items/\d+)"', html)
    assert len(items) == 2
    resp = client.post(items[1], data={"csrf_token": csrf, "outcome": "no_action"}, follow_redirects=False)
    assert resp.status_code == 422 and "say why no action is taken" in resp.text
    for url, outcome in zip(items, ("removed_globally", "restricted_in_country"), strict=True):
        resp = client.post(url, data={"csrf_token": csrf, "outcome": outcome}, follow_redirects=False)
        assert resp.status_code == 303
    resp = client.post(f"{page}/reply/draft", data={"csrf_token": csrf}, follow_redirects=True)
    assert "The reply was drafted from the templates." in resp.text
    assert "Бүкіл әлемде жойылды." in resp.text and "Access restricted in Kazakhstan." in resp.text
    resp = client.post(f"{page}/reply", data={"csrf_token": csrf, "body": "Құрметті әріптестер!\r\n"},
                       follow_redirects=True)
    assert "Құрметті әріптестер!" in resp.text
    assert client.post(f"{page}/reply", data={"csrf_token": csrf, "body": "  "}).status_code == 422

    inbox = client.get("/requests").text
    assert page in inbox and ref in inbox
    incident = client.get(f"/incidents/{ref}").text
    assert "Applicable rules" in incident and "Law No. 18-VIII Art. 9(4)(2)" in incident and page in incident
    assert "registered REQ-" in incident  # on the timeline
    dashboard = client.get("/").text
    assert "Regulator clocks" in dashboard and page in dashboard


def test_register_form_errors_keep_the_input(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                             fake_clock: Any) -> None:
    _, csrf = logged_in("legal")
    resp = client.post("/requests/new", data={"csrf_token": csrf, **REQUEST_FORM, "language": "Kazakh!"})
    assert resp.status_code == 422 and "is not a language tag" in resp.text and "01-12/345" in resp.text
    resp = client.post("/requests/new", data={"csrf_token": csrf, **REQUEST_FORM, "received_at": "2099-01-01T00:00"})
    assert resp.status_code == 422 and "cannot arrive in the future" in resp.text
    assert client.get("/requests").text.count("/requests/1") == 0


def test_overview_country_and_taxonomy_pages_in_russian(client: TestClient,
                                                        logged_in: Callable[..., tuple[Actor, str]]) -> None:
    logged_in("responder", locale="ru")
    html = client.get("/policy").text
    assert "Политика и юрисдикции" in html
    assert html.count('class="tile tile-') == 29 and 'href="/policy/countries/KZ"' in html
    assert re.search(r'tile tile-u1 tile-eu">\s*<title>Польша', html)  # TCO: one hour
    html = client.get("/policy/countries/KZ").text
    assert "Қазақстан" in html and "authorised_body_request" in html and "Сроки по закону" in html
    assert "Телефоны доверия" in html and "Детский телефон доверия" in html and "Национальный телефон доверия" in html
    assert client.get("/policy/countries/XX").status_code == 404
    html = client.get("/policy/taxonomy").text
    assert "Опасный вирусный челлендж" in html and "KEYWORD_UNSAFE_CHALLENGES" in html


def test_decision_log_records_validates_and_exports(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                    fake_clock: Any) -> None:
    _, csrf = logged_in("policy")
    form = {"csrf_token": csrf, "puid": "pl-0001", "action": "remove", "harm": "dangerous_challenge",
            "content_date": "2026-02-27", "territorial_scope": "PL", "content_type": "video", "ground": "policy",
            "source_type": "notice", "automated_decision": "not", "explanation": "Niebezpieczne wyzwanie",
            "facts": "Choking challenge video"}
    assert client.post("/decisions/new", data=form, follow_redirects=False).status_code == 303
    resp = client.post("/decisions/new", data={**form, "puid": "bad puid"}, follow_redirects=False)
    assert resp.status_code == 422 and re.search(r'id="err-puid">[^<]*may contain only letters', resp.text)
    resp = client.post("/decisions/new", data={**form, "puid": "pl-0002", "content_type": "other"})
    assert resp.status_code == 422 and re.search(r'id="err-content_type_other">[^<]*is required', resp.text)
    assert 'value="pl-0002"' in resp.text  # the form keeps what was typed
    resp = client.post("/decisions/new", data={**form, "puid": "x", "ground": "law"})
    assert resp.status_code == 422 and "must name the law" in resp.text
    assert "0 would be rejected" in resp.text  # none of the refused decisions was stored
    other = {**form, "puid": "pl-0002", "content_type": "other", "content_type_other": "Livestream replay"}
    assert client.post("/decisions/new", data=other, follow_redirects=False).status_code == 303
    _stored_before_the_check("pl-0002", puid="bad puid")
    html = client.get("/decisions").text
    assert "1 ready for the Transparency Database, 1 would be rejected." in html
    assert "<code>bad puid</code>: <strong>puid</strong>" in html
    csv_text = client.get("/decisions/sor.csv").text
    assert csv_text.splitlines()[0].startswith("decision_visibility,") and "pl-0001" in csv_text
    assert "bad puid" not in csv_text
    decision_id = re.findall(r'action="/decisions/(\d+)/appeals"', html)[0]
    resp = client.post(f"/decisions/{decision_id}/appeals", data={"csrf_token": csrf, "appellant": "uploader",
                                                                   "reason": "Parody"}, follow_redirects=True)
    assert "The appeal was recorded." in resp.text and "Parody" in resp.text


def _stored_before_the_check(recorded_as: str, **fields: Any) -> None:
    """Change a stored decision in the table, as if it had been recorded before the entry check."""
    from sqlalchemy import update

    from rapidresponse.db import unit_of_work
    from rapidresponse.decisions.models import ContentDecision

    with unit_of_work() as s:
        s.execute(update(ContentDecision).where(ContentDecision.puid == recorded_as).values(**fields))


def test_viewer_sees_no_policy_pages(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    logged_in("viewer")
    assert 'href="/requests"' not in client.get("/").text
    for path in ("/policy", "/requests", "/decisions", "/policy/taxonomy"):
        assert client.get(path).status_code == 403, path


def test_policy_team_corrects_a_deadline_in_the_ui(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                   tmp_path: Any, env: Any) -> None:
    from rapidresponse import policy
    from rapidresponse.db import unit_of_work

    env(policy_dir=str(tmp_path / "policy"))
    policy.clear_cache()
    try:
        actor, csrf = logged_in("policy")
        url = "/policy/countries/KZ/deadlines/authorised_body_request"
        resp = client.post(url, data={"csrf_token": csrf, "hours": "abc", "time": "calendar",
                                      "confidence": "verified"})
        assert resp.status_code == 422 and "Hours must be a number." in resp.text
        resp = client.post(url, data={"csrf_token": csrf, "hours": "12,5", "time": "business",
                                      "confidence": "uncertain", "notes": "Разъяснение министерства"},
                           follow_redirects=True)
        assert "The correction was saved" in resp.text and 'value="12.5"' in resp.text
        with unit_of_work(read_only=True) as s:
            (stored,) = policy.corrections(s, actor, "KZ")
        assert (stored.deadline, stored.hours, stored.time, stored.notes, stored.corrected_by) == (
            "authorised_body_request", 12.5, "business", "Разъяснение министерства", actor.username)
        assert not (tmp_path / "policy").exists()  # the team's directory is read, never written
        assert client.post("/policy/countries/KZ/deadlines/nope", data={
            "csrf_token": csrf, "hours": "1", "time": "calendar", "confidence": "verified"}).status_code == 404
    finally:
        env(policy_dir=None)
        policy.clear_cache()


def test_responders_see_profiles_but_cannot_correct_them(client: TestClient,
                                                         logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("responder")
    assert "Save the correction" not in client.get("/policy/countries/RU").text
    resp = client.post("/policy/countries/RU/deadlines/register_15_1_owner", data={
        "csrf_token": csrf, "hours": "1", "time": "calendar", "confidence": "verified"})
    assert resp.status_code == 403


def test_country_page_lists_helplines_and_flags_stale_ones(client: TestClient,
                                                           logged_in: Callable[..., tuple[Actor, str]],
                                                           fake_clock: Any) -> None:
    logged_in("responder")
    html = client.get("/policy/countries/KZ").text
    assert 'id="helplines"' in html and "<strong>150</strong>" in html and "150.kz" in html
    assert "not checked for six months" not in html
    assert "No helpline is registered" in client.get("/policy/countries/TM").text
    fake_clock.advance(days=500)  # 2027-07: the November 2026 checks are more than six months old
    logged_in("responder")  # the first session has long expired
    assert "not checked for six months" in client.get("/policy/countries/KZ").text



def test_an_item_outcome_drafts_its_decision_on_the_log(client: TestClient,
                                                         logged_in: Callable[..., tuple[Actor, str]],
                                                         fake_clock: Any) -> None:
    _, csrf = logged_in("admin")
    page = _register(client, csrf)
    assert re.fullmatch(r"/requests/REQ-2026-\d{4}", page)
    html = client.get(page).text
    item = re.findall(r'action="(/requests/REQ-\d{4}-\d{4}/items/\d+)"', html)[0]
    assert client.post(item, data={"csrf_token": csrf, "outcome": "restricted_in_country"},
                       follow_redirects=False).status_code == 303
    log = client.get("/decisions").text
    draft = re.search(r'href="/decisions\?draft=(\d+)#record"', log)
    assert draft and page.split("/")[-1] in log
    form_page = client.get(f"/decisions?draft={draft.group(1)}").text
    form = form_page[form_page.index('action="/decisions/new"'):]
    assert 'name="puid" value="https://example.org/v/1"' in form and 'name="territorial_scope" value="KZ"' in form
    assert f'name="draft" value="{draft.group(1)}"' in form and "Закон № 18-VIII ст. 9(4)(2)" in form
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', form))
    data = {"csrf_token": csrf, **fields, "action": "geo_restrict", "ground": "law", "source_type": "authority",
            "harm": "grooming", "content_date": "2026-02-27", "content_type": "video", "automated_decision": "not",
            "explanation": "Ordered by the regulator", "facts": "Named in the request", "draft": draft.group(1)}
    recorded = client.post("/decisions/new", data=data, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text[-3000:]
    assert f"/decisions?draft={draft.group(1)}" not in client.get("/decisions").text
    again = client.post("/decisions/new", data={**data, "puid": "another-item"})
    assert again.status_code == 409  # a draft becomes one decision


def test_a_request_reads_in_russian_by_its_keys(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                fake_clock: Any) -> None:
    """The request keeps its regulator's and its deadline's English names; a Russian page names both from the
    profile by their keys, and so does the registration line on the incident's timeline."""
    _, csrf = logged_in("commander", timezone="Asia/Almaty", locale="ru")
    ref = declare(client, csrf, countries="KZ", harm_categories="dangerous_challenge")
    page = _register(client, csrf, incident=ref)
    html = client.get(page).text
    assert "Министерство культуры и информации Республики Казахстан (МКИ)" in html
    assert "Закон № 18-VIII, подп. 2 п. 4 ст. 9" in html and "Art. 9(4)(2)" not in html
    assert "Закон № 18-VIII, подп. 2 п. 4 ст. 9" in client.get("/requests").text
    line = re.search(r"зарегистрировал\(а\) REQ-[^<]*", client.get(f"/incidents/{ref}").text)
    assert line and "Министерство культуры и информации Республики Казахстан (МКИ) (KZ)" in line.group(0), line
    assert "Ministry of Culture" not in client.get(f"/incidents/{ref}").text
