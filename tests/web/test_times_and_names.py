"""Who and when, read the same way on every page: the timeline and the board's activity name people by their
display names and run in the order things happened (a note may carry its earlier time); times are in the
viewer's zone, the alert chart's axis included, with the regulator's zone beside a legal clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from rapidresponse import requests
from rapidresponse.auth import Actor
from rapidresponse.clock import now
from rapidresponse.db import unit_of_work
from rapidresponse.detection import chart
from rapidresponse.detection import service as detection
from rapidresponse.incidents import work
from rapidresponse.incidents.schemas import TaskCreate

Login = Callable[..., tuple[Actor, str]]


def _local(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def test_a_note_told_later_takes_its_place_and_everyone_is_named_as_shown(
        client: TestClient, logged_in: Login, make_user: Callable[..., Actor],
        make_incident: Callable[..., str]) -> None:
    me, csrf = logged_in("commander", display_name="Aigerim Seitkali", timezone="Asia/Almaty")
    colleague = make_user("commander", display_name="Dmitry Volkov")
    ref = make_incident(colleague)
    first = client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "Written now"},
                        follow_redirects=False)
    assert first.status_code == 303
    earlier = now() - timedelta(minutes=40)
    told = client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "Saw the first video",
                                                        "at": _local(earlier, "Asia/Almaty")},
                       follow_redirects=False)
    assert told.status_code == 303

    with unit_of_work(read_only=True) as s:
        entries = work.timeline(s, me, ref)
    times = [e.at for e in entries]
    assert times == sorted(times), "oldest first, by when it happened"
    bodies = [e.note.body for e in entries if e.note]
    assert bodies == ["Saw the first video", "Written now"]
    told_entry = next(e for e in entries if e.note and e.note.body == "Saw the first video")
    assert told_entry.at == earlier.replace(second=0, microsecond=0)
    assert told_entry.actor == me.username and told_entry.actor_name == "Aigerim Seitkali"
    assert entries[0] == told_entry, "it happened before the incident was declared"
    declared = next(e for e in entries if e.type == "incident.declared")
    assert declared.actor_name == "Dmitry Volkov" and entries.index(declared) == 1

    page = client.get(f"/incidents/{ref}").text
    timeline = page.split('id="timeline-entries"')[1]
    assert timeline.index("Written now") < timeline.index("Saw the first video"), "newest on top"
    assert (f'<strong class="tl-actor"><span title="{me.username}" data-user-text>Aigerim Seitkali</span></strong>'
            in timeline)
    assert "Dmitry Volkov</span></strong> declared" in timeline and f">{colleague.username}<" not in timeline
    assert "(written " in timeline.split("Saw the first video")[0].rsplit("<li", 1)[1]

    with unit_of_work() as s:  # people a line names read as shown too (the API keeps their usernames)
        work.add_task(s, me, ref, TaskCreate(title="Ask the platforms", owner=colleague.username))
        task_line = next(e for e in work.timeline(s, me, ref)
                         if e.type == "incident.task_added" and e.payload["title"] == "Ask the platforms")
    assert task_line.payload["owner"] == colleague.username and task_line.shown["owner"] == "Dmitry Volkov"
    page = re.sub(r"<[^>]+>", "", client.get(f"/incidents/{ref}").text)  # the quoted parts are marked as users' words
    assert "added the task “Ask the platforms” for Dmitry Volkov" in page

    home = client.get("/").text
    activity = home.split('id="h-activity"')[1] if 'id="h-activity"' in home else home
    assert "Aigerim Seitkali" in activity and f"<strong>{me.username}</strong>" not in activity


def test_a_note_from_the_future_or_long_before_is_refused_and_changes_nothing(
        client: TestClient, logged_in: Login, make_incident: Callable[..., str]) -> None:
    me, csrf = logged_in("commander", timezone="Europe/Moscow")
    ref = make_incident(me)
    with unit_of_work(read_only=True) as s:
        before = len(work.timeline(s, me, ref))
    for at, words in ((now() + timedelta(hours=2), "is in the future"),
                      (now() - timedelta(days=90), "more than 30 days before")):
        resp = client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "Odd time",
                                                            "at": _local(at, "Europe/Moscow")})
        assert resp.status_code == 422 and words in resp.text
    api = client.post(f"/api/v1/incidents/{ref}/notes", json={"body": "x", "at": "2020-01-01T00:00:00Z"},
                      headers={"x-csrf-token": csrf})
    assert api.status_code == 422
    with unit_of_work(read_only=True) as s:
        assert len(work.timeline(s, me, ref)) == before


def test_the_alert_chart_reads_in_the_viewers_zone(client: TestClient, logged_in: Login,
                                                    make_alert: Callable[..., int]) -> None:
    alert_id = make_alert()
    me, _ = logged_in("analyst", timezone="Asia/Almaty")
    page = client.get(f"/alerts/{alert_id}").text
    assert "last 24 hours, times in Asia/Almaty" in page and "UTC</title>" not in page
    ticks = re.findall(r'<text class="label" x="[\d.]+" y="[\d.]+" text-anchor="(?:middle|end)">(\d\d:\d\d)</text>',
                       page)
    with unit_of_work(read_only=True) as s:
        alert = detection.get_alert(s, me, alert_id)
        key = (alert.harm, alert.country, alert.language)
        data = detection.series_data(s, me, key, alert.last_bucket + timedelta(minutes=5))
    start = data.start if data.start.tzinfo else data.start.replace(tzinfo=UTC)
    assert ticks and ticks[0] == start.astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M")
    utc = chart.build(data)
    almaty = chart.build(data, timezone="Asia/Almaty")
    shift = [(int(a[:2]) - int(u[:2])) % 24 for (_, u), (_, a) in zip(utc.ticks, almaty.ticks, strict=True)]
    assert set(shift) == {5} and almaty.zone == "Asia/Almaty"
    assert all("UTC+05" in mk.title for mk in almaty.markers) and almaty.markers


def test_a_legal_clock_shows_the_regulators_zone_beside_the_viewers(
        client: TestClient, logged_in: Login, make_request: Callable[..., requests.RequestOut]) -> None:
    req = make_request()
    assert req.clock is not None and req.clock.zone == "Asia/Almaty"
    logged_in("legal", timezone="Europe/Berlin")
    page = client.get(f"/requests/{req.ref}").text
    local = req.clock.due_local.strftime("%Y-%m-%d %H:%M")
    assert re.search(rf'class="muted clock-source"[^>]*>\({local} Asia/Almaty\)', page)
    client.cookies.clear()
    logged_in("legal", timezone="Asia/Almaty")
    assert "clock-source" not in client.get(f"/requests/{req.ref}").text  # one zone: said once
