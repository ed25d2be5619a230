"""On call in real Chromium: a declared incident pages the team's on-call, who opens the rota and
acknowledges the page from the page list; the acknowledgement lands on the incident's timeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser


def _rota_for(server: LiveServer, username: str) -> int:
    """A team whose weekly rotation has ``username`` on call and pages it for hate-speech waves."""
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine
    from rapidresponse.oncall import policies, service
    from rapidresponse.oncall.schemas import LayerIn, PolicyIn, RouteIn, ScheduleIn, TeamIn

    engine = make_engine(server.database_url)
    try:
        with Session(engine) as s:
            team = service.create_team(s, SYSTEM, TeamIn(name=f"Hate speech {username}", timezone="Europe/Moscow"))
            sched = service.create_schedule(s, SYSTEM, team.id, ScheduleIn(name="Primary", timezone="Europe/Moscow",
                                                                             country="RU"))
            service.add_layer(s, SYSTEM, sched.id, LayerIn.model_validate({
                "name": "Weekly", "level": 1, "users": [username], "timezone": "Europe/Moscow",
                "start_date": "2026-01-05", "handoff_time": "10:00", "shift_unit": "weeks"}))
            policy = policies.create_policy(s, SYSTEM, team.id, PolicyIn.model_validate({
                "name": "Default", "steps": [{"kind": "schedule", "target": str(sched.id), "delay_minutes": 10}]}))
            policies.add_route(s, SYSTEM, team.id, RouteIn.model_validate({
                "policy_id": policy.id, "incident_types": ["hate_speech_wave"], "languages": ["ru"],
                "min_severity": 4}))
            s.commit()
            return sched.id
    finally:
        engine.dispose()


def test_open_the_rota_and_acknowledge_a_page(live_server: LiveServer, page: Any,
                                             log_in: Callable[..., str]) -> None:
    base = live_server.url
    username = log_in("commander", timezone="Europe/Moscow")
    schedule_id = _rota_for(live_server, username)

    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", "Wave of slurs against Central Asian workers")
    page.select_option("select[name=type]", "hate_speech_wave")
    page.fill("input[name=countries]", "RU")
    page.fill("input[name=languages]", "ru")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    ref = page.url.split("/incidents/")[1].split("?")[0]

    page.click("nav.mainnav a:has-text('On call')")
    page.wait_for_url(base + "/oncall")
    assert page.locator(".alert-card").get_by_text("Wave of slurs against Central Asian workers").count() == 1

    page.goto(f"{base}/oncall/schedules/{schedule_id}")
    rota = page.locator("svg.rota")
    assert rota.is_visible()
    labels = [t.strip() for t in rota.locator("text.row-label").all_text_contents()]
    assert labels == ["1 · Weekly", "Overrides", "Final"]
    assert rota.locator("rect.final").count() >= 1 and rota.locator("rect.gap").count() == 0

    page.goto(base + "/oncall/pages")
    row = page.locator("#pages tbody tr").first
    assert row.locator(".page-status").inner_text() == "Triggered"
    assert username in row.inner_text()
    row.locator("button:has-text('Acknowledge')").click()
    page.wait_for_url(re.compile(r".*/oncall/pages\?done=ack$"))
    assert page.locator(".notice").inner_text() == "The page was acknowledged."
    row = page.locator("#pages tbody tr").first
    assert row.locator(".page-status").inner_text() == "Acknowledged"
    assert row.locator("button:has-text('Acknowledge')").count() == 0
    assert page.dialogs == []

    page.goto(f"{base}/incidents/{ref}")
    timeline = page.locator(".timeline")
    shown = username.title()  # the timeline names whom it paged by display name (the test's users have this one)
    assert timeline.get_by_text(re.compile(r"paged Hate speech .*: " + re.escape(shown))).count() == 1
    assert timeline.get_by_text(re.compile(r"acknowledged the page to Hate speech")).count() == 1
