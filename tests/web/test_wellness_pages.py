"""Wellness in the web UI and the API: safe viewing applied on the signals explorer, the trend page and
an alert's samples (masked terms, hidden items, the warning, child-safety media never shown), reveals
logged as exposure without content, the settings and manage pages with their refusals, the anonymous
check-in, and the privacy rule checked across every route: nobody sees another person's exposure."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text
from webkit import login

from rapidresponse import signals, wellness
from rapidresponse.app import create_app
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.clock import now
from rapidresponse.db import unit_of_work

PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAAB"
         "JRU5ErkJggg==")


def _as(client: TestClient, who: Actor) -> str:
    client.cookies.clear()
    return login(client, who.username)


def _signals(make_signals: Callable[..., Any], starter_lexicons: dict[str, int]) -> dict[str, int]:
    at = now().isoformat()
    rows = [
        {"external_id": "w-challenge", "occurred_at": at, "source": "user_report", "harm": "dangerous_challenge",
         "country": "KZ", "language": "ru", "text": "все играют в синий кит после уроков", "content_type": "image",
         "url": PIXEL},
        {"external_id": "w-csam", "occurred_at": at, "source": "hash_match", "harm": "csam", "country": "KZ",
         "language": "ru", "text": "partner hash match in a group chat", "content_type": "image", "url": PIXEL,
         "media_hash": "f" * 64},
    ]
    result = make_signals(rows)
    assert result.inserted == 2, result
    with unit_of_work(read_only=True) as s:
        found, _ = signals.list_signals(s, SYSTEM, signals.SignalFilter(limit=10))
    return {sig.external_id: sig.id for sig in found}


def _exposures(who: Actor) -> list[wellness.ExposureOut]:
    with unit_of_work(read_only=True) as s:
        return wellness.my_exposures(s, who)


def test_the_explorer_applies_each_persons_settings_and_logs_reveals(
        client: TestClient, make_user: Callable[..., Actor], make_signals: Callable[..., Any],
        starter_lexicons: dict[str, int]) -> None:
    ana = make_user("responder")
    ids = _signals(make_signals, starter_lexicons)
    csrf = _as(client, ana)
    page = client.get("/signals").text
    challenge = page[page.index(f'id="signal-{ids["w-challenge"]}"'):]
    challenge = challenge[:challenge.index("</li>")]
    csam = page[page.index(f'id="signal-{ids["w-csam"]}"'):]
    csam = csam[:csam.index("</li>")]
    # general content: shown, image blurred and grey, lexicon match marked
    assert "<mark>синий кит</mark>" in challenge and "is-blurred is-grey" in challenge
    # the worst class: behind a warning, no text, no image at all, never its media
    assert "Warning: this item is about" in csam and "group chat" not in csam and "<img" not in csam
    assert _exposures(ana) == []

    resp = client.post(f"/signals/{ids['w-csam']}/reveal", data={"csrf_token": csrf, "next": "/signals?harm=csam"},
                       follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == f"/signals?harm=csam&revealed=signal-{ids['w-csam']}#signal-{ids['w-csam']}"
    shown = client.get(resp.headers["location"]).text
    assert "partner hash match in a group chat" in shown and "<img" not in shown
    assert "Child-safety media is never shown" in shown and "f" * 64 in shown
    logged = _exposures(ana)
    assert [(e.harm, e.intensity, e.kind) for e in logged] == [("csam", "extreme", "reveal")]
    with unit_of_work(read_only=True) as s:  # the log keeps no content
        rows = s.execute(text("SELECT * FROM wellness_exposures")).all()
        assert len(rows) == 1 and "group chat" not in repr(rows)

    # an outside "next" never leaves the site; an unknown signal is a 404 and logs nothing
    away = client.post(f"/signals/{ids['w-challenge']}/reveal", data={"csrf_token": csrf,
                                                                      "next": "https://evil.example/"},
                       follow_redirects=False)
    assert away.headers["location"].startswith("/signals?revealed=")
    assert client.post("/signals/999999/reveal", data={"csrf_token": csrf}).status_code == 404
    assert len(_exposures(ana)) == 2

    # masking the worst terms and click-to-reveal for content in general
    settings = {"csrf_token": csrf, **{f"general.{k}": "1" for k in ("blur", "greyscale", "mask_terms", "small")},
                **{f"sensitive.{k}": "1" for k in ("blur", "greyscale", "mask_terms", "warn")}}
    assert client.post("/wellness/viewing", data=settings, follow_redirects=False).status_code == 303
    masked = client.get("/signals?harm=dangerous_challenge").text
    assert "синий кит" not in masked and wellness.MASK in masked and "is-small" in masked
    assert "Lexicon matches are masked" in masked
    export = client.get("/signals/export.csv?harm=dangerous_challenge")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "синий кит" not in export.text and wellness.MASK in export.text and "после уроков" in export.text
    csam_line = client.get("/signals/export.csv?harm=csam").text.splitlines()[1]
    assert "hash:" + "f" * 64 in csam_line and "data:image" not in csam_line  # never its media
    assert client.get("/signals/export.csv?period=forever").status_code == 422
    settings["general.click_to_reveal"] = "1"
    client.post("/wellness/viewing", data=settings)
    hidden = client.get("/signals?harm=dangerous_challenge").text
    assert "Hidden until you reveal it" in hidden and "после уроков" not in hidden and "wellness-near" not in hidden

    with unit_of_work() as s:  # 75 of the day's 90 minutes of high-intensity work, on end: a break is due
        wellness.record(s, ana, "dangerous_challenge", "review", seconds=75 * 60)
    assert "without a break" in client.get("/signals").text
    assert "nearly spent" in client.get("/wellness").text


def test_a_case_report_waits_behind_its_warning_until_revealed(client: TestClient, make_user: Callable[..., Actor],
                                                                make_case: Callable[..., int]) -> None:
    ana = make_user("responder")
    case_id = make_case(harm="grooming", title="Press: a grooming ring",
                        description="An adult offers gifts to children for photos in a Telegram group")
    csrf = _as(client, ana)
    page = client.get(f"/cases/{case_id}").text
    assert "offers gifts" not in page and "Warning" in page and f'action="/cases/{case_id}/reveal"' in page
    resp = client.post(f"/cases/{case_id}/reveal", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == f"/cases/{case_id}?revealed=case-{case_id}"
    assert "offers gifts" in client.get(resp.headers["location"]).text
    assert [(e.harm, e.kind) for e in _exposures(ana)] == [("grooming", "reveal")]
    assert client.post("/cases/999999/reveal", data={"csrf_token": csrf}).status_code == 404
    assert len(_exposures(ana)) == 1


def test_pages_api_and_refusals(client: TestClient, make_user: Callable[..., Actor],
                                make_incident: Callable[..., str]) -> None:
    lead, ana = make_user("commander"), make_user("responder")
    ref = make_incident(actor=lead)
    csrf = _as(client, ana)
    me = client.get("/wellness").text
    assert "Only you can see this page" in me and "Nothing logged in the last 14 days" in me
    assert client.get("/wellness/manage").status_code == 403
    assert client.post("/wellness/manage/budgets", data={"csrf_token": csrf, "intensity": "high",
                                                         "daily_minutes": "10"}).status_code == 403

    checkin = client.get(f"/incidents/{ref}/check-in").text
    assert "anonymous" in checkin and "Shown from 5 check-ins on" in checkin
    bad = client.post(f"/incidents/{ref}/check-in", data={"csrf_token": csrf, "wellbeing": "9", "workload": "2"})
    assert bad.status_code == 422 and "Your check-in was recorded" not in bad.text
    ok = client.post(f"/incidents/{ref}/check-in", data={"csrf_token": csrf, "wellbeing": "2", "workload": "5",
                                                          "wants_support": "1"}, follow_redirects=False)
    assert ok.status_code == 303 and "done=checked_in" in ok.headers["location"]
    assert "You have checked in" in client.get(ok.headers["location"]).text
    again = client.post(f"/incidents/{ref}/check-in", data={"csrf_token": csrf, "wellbeing": "2", "workload": "5"})
    assert again.status_code == 409

    _as(client, lead)
    manage = client.get("/wellness/manage").text
    assert "The team's exposure budgets" in manage and "∞" in manage
    csrf = _as(client, lead)
    refused = client.post("/wellness/manage/budgets", data={"csrf_token": csrf, "intensity": "high",
                                                            "daily_minutes": "90", "weekly_minutes": "30"})
    assert refused.status_code == 422 and "smaller than a day" in refused.text and 'value="90"' in refused.text
    saved = client.post("/wellness/manage/budgets", data={"csrf_token": csrf, "intensity": "high",
                                                          "daily_minutes": "45", "weekly_minutes": "200"},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert re.search(r"<td>45</td><td>200</td>", client.get("/wellness/manage").text)
    surge = client.post("/wellness/manage/surge", data={"csrf_token": csrf, "factor": "9", "hours": "2",
                                                        "reason": "probe"})
    assert surge.status_code == 422
    assert client.post("/wellness/manage/surge", data={"csrf_token": csrf, "factor": "1.5", "hours": "2",
                                                       "reason": "attack livestream", "incident_ref": ref},
                       follow_redirects=False).status_code == 303
    assert "attack livestream" in client.get("/wellness/team").text
    assert client.post("/wellness/manage/resources", data={"csrf_token": csrf, "title": "Employee assistance",
                                                           "contact": "+7 800 000 00 00"},
                       follow_redirects=False).status_code == 303
    person = client.put("/api/v1/wellness/budgets/people", headers={"X-CSRF-Token": csrf},
                        json={"username": ana.username, "intensity": "extreme", "daily_minutes": 15,
                              "weekly_minutes": 45})
    assert person.status_code == 200, person.text
    seen = client.get(f"/api/v1/wellness/budgets/people/{ana.username}").json()
    assert {b["intensity"]: (b["daily_minutes"], b["source"]) for b in seen}["extreme"] == (15, "person")
    assert not any("minutes_used" in b or "day_minutes" in b for b in seen)  # limits, never use
    csrf = _as(client, ana)
    assert "Employee assistance" in client.get("/wellness").text
    assert client.get(f"/api/v1/wellness/budgets/people/{lead.username}").status_code == 403
    bad = client.post("/api/v1/wellness/me/exposures", headers={"X-CSRF-Token": csrf},
                      json={"harm": "no_such_harm", "seconds": 60})
    assert bad.status_code == 422 and "unknown harm" in bad.text
    assert client.post("/api/v1/wellness/me/exposures", headers={"X-CSRF-Token": csrf},
                       json={"harm": "grooming", "seconds": 99999}).status_code == 422
    assert client.get("/api/v1/wellness/me/exposures").json() == []  # nothing was recorded by the refusals


def test_nobody_sees_another_persons_exposure_on_any_route(client: TestClient, make_user: Callable[..., Actor],
                                                           make_incident: Callable[..., str]) -> None:
    """Ana's exposure (a distinctive 4373 seconds) appears on her own page and API only: the admin and
    the lead crawl every page and API read the app has, and find neither the figure nor her log."""
    admin, lead, ana = make_user("admin"), make_user("commander"), make_user("responder")
    make_incident(actor=lead)
    with unit_of_work() as s:
        wellness.record(s, ana, "suicide_promotion", "review", seconds=4373)
    # seconds and minutes as a page would print them, as whole numbers (not inside another figure)
    marks = re.compile(r"(?<![\d.])(4373|72\.9|72\.88)(?![\d])")
    _as(client, ana)
    assert marks.search(client.get("/wellness").text)
    assert client.get("/api/v1/wellness/me/exposures").json()[0]["seconds"] == 4373

    reads = sorted({r.path for r in iter_route_contexts(create_app(embedded_worker=False).routes)
                    if "GET" in (getattr(r, "methods", None) or set()) and "{" not in r.path})
    assert "/wellness/team" in reads and "/api/v1/wellness/team" in reads
    for who in (admin, lead):
        _as(client, who)
        for path in reads:
            if path in ("/logout", "/api/docs", "/api/openapi.json"):  # the schema holds no data
                continue
            got = client.get(path)
            assert not marks.search(got.text), f"{path} as {who.username} shows ana's exposure"
        own = client.get("/api/v1/wellness/me/exposures").json()
        assert own == []  # their own log: empty, and there is no way to ask for ana's
    assert client.get(f"/api/v1/wellness/me/exposures?user={ana.username}").json() == []
