"""The settings page's working hours and the calendar-feed link a person can revoke and re-issue."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rapidresponse import auth, events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work

Login = Callable[..., tuple[Actor, str]]
FEED = re.compile(r'<code class="feed-url">[^<]*(/oncall/feed/[^<]+)</code>')


def _hours(actor: Actor) -> auth.WorkingHours:
    with unit_of_work(read_only=True) as s:
        return auth.working_hours(s, actor.user_id or 0)


def _events(kind: str) -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event).where(events.Event.type == kind))
                   .scalar_one())


def test_working_hours_are_saved_and_bad_ones_refused(client: TestClient, logged_in: Login) -> None:
    actor, csrf = logged_in("responder", timezone="Asia/Almaty")
    page = client.get("/account/settings").text
    assert 'action="/account/working-hours"' in page and 'value="09:00"' in page
    saved = client.post("/account/working-hours", data={"csrf_token": csrf, "days": ["0", "1", "2", "3"],
                                                        "start": "22:00", "end": "06:00"}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=hours_saved#hours")
    hours = _hours(actor)
    assert (hours.days, hours.start, hours.end, hours.timezone) == ([0, 1, 2, 3], "22:00", "06:00", "Asia/Almaty")
    # A night shift: Thursday 23:00 and Friday 05:00 in Almaty (UTC+5) are at work, Friday 23:00 is not.
    assert auth.at_work(hours, datetime(2026, 3, 5, 18, 0, tzinfo=UTC))
    assert auth.at_work(hours, datetime(2026, 3, 6, 0, 0, tzinfo=UTC))
    assert not auth.at_work(hours, datetime(2026, 3, 6, 18, 0, tzinfo=UTC))
    before = _events("user.updated")
    for bad in ({"start": "25:00", "end": "06:00"}, {"start": "09:00", "end": "09:00"}, {"start": "", "end": "x"}):
        refused = client.post("/account/working-hours", data={"csrf_token": csrf, "days": ["0"], **bad})
        assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert _events("user.updated") == before and _hours(actor).start == "22:00"


def test_feed_link_is_revoked_and_reissued(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("responder")
    first = FEED.search(client.get("/account/settings").text)
    assert first is not None
    old = first.group(1)
    assert client.get(old).status_code == 200 and "BEGIN:VCALENDAR" in client.get(old).text
    reissued = client.post("/account/calendar-feed/reissue", data={"csrf_token": csrf}, follow_redirects=False)
    assert reissued.status_code == 303
    new = FEED.search(client.get("/account/settings").text)
    assert new is not None and new.group(1) != old
    assert client.get(old).status_code == 404 and client.get(new.group(1)).status_code == 200
    revoked = client.post("/account/calendar-feed/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert revoked.status_code == 303
    page = client.get("/account/settings").text
    assert FEED.search(page) is None and "Your calendar feed is revoked" in page
    assert client.get(new.group(1)).status_code == 404
    assert 'href="/account/settings#calendar"' in client.get("/oncall").text
    assert (_events("oncall.feed_reissued"), _events("oncall.feed_revoked")) == (1, 1)


@pytest.mark.parametrize("path", ["/account/calendar-feed/reissue", "/account/calendar-feed/revoke",
                                  "/account/working-hours"])
def test_settings_posts_need_csrf(client: TestClient, logged_in: Login, path: str) -> None:
    logged_in("responder")
    assert client.post(path, data={"days": ["0"], "start": "08:00", "end": "17:00"}).status_code == 403
