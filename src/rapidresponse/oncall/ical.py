"""iCalendar feeds (RFC 5545) of final shifts: per schedule and per person. Calendar clients fetch
them from a signed link (see :mod:`.tokens`) since they cannot log in.

A shift's UID is made of the schedule, where the shift comes from (layer or override and its id) and
its start, so every fetch gives a shift the same UID and a client updates it rather than adding a copy.
Shifts are computed from a fixed point before the feed's window (``computed_from``), never from the
moving window start, which would cut the first shift at a different time, and give it another UID, on
every fetch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from .. import auth
from ..auth import SYSTEM, Actor, Person
from ..clock import now
from ..errors import NotFound
from . import feeds, tokens
from .models import Schedule, Team
from .schemas import ShiftOut
from .service import compute, get_schedule, shift_out, shifts_of, users_by_id

PAST, AHEAD = timedelta(days=14), timedelta(days=90)
LOOKBACK = timedelta(days=28)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
FEED_SCHEDULE, FEED_USER = 1, 2


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//rapidresponse//on-call//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def computed_from(start: datetime) -> datetime:
    """Where shifts shown from ``start`` on are computed from: at least ``LOOKBACK`` earlier, on a grid of
    ``LOOKBACK`` steps, so it stays put from fetch to fetch. Only a shift longer than ``LOOKBACK`` that
    began before it is cut there (and its UID changes once every ``LOOKBACK``)."""
    return EPOCH + ((start - LOOKBACK - EPOCH) // LOOKBACK) * LOOKBACK


def _event(shift: ShiftOut, *, schedule: Schedule, team: str, stamp: datetime) -> Event:
    ev = Event()
    ev.add("uid", f"oncall-{schedule.id}-{shift.source}-{shift.source_id}-{shift.start:%Y%m%dT%H%M%SZ}"
                  "@rapidresponse")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", shift.start)
    ev.add("dtend", shift.end)
    ev.add("summary", f"On call: {team} · {schedule.name} — {shift.display_name}")
    ev.add("description", f"{shift.username} is on call ({shift.source} {shift.source_id}).")
    ev.add("categories", ["on-call"])
    return ev


def schedule_feed(session: Session, actor: Actor, schedule_id: int, start: datetime | None = None,
                  end: datetime | None = None) -> bytes:
    sched = get_schedule(session, actor, schedule_id)
    at = now()
    start, end = start or at - PAST, end or at + AHEAD
    shown = [s for s in compute(session, actor, sched.id, computed_from(start), end).shifts if s.end > start]
    users = users_by_id(session, [s.user for s in shown])
    team = session.get(Team, sched.team_id)
    cal = _calendar(f"{team.name if team else ''} · {sched.name}")
    for s in shown:
        cal.add_component(_event(shift_out(s, users), schedule=sched, team=team.name if team else "", stamp=at))
    return cal.to_ical()


def person_feed(session: Session, actor: Actor, user: Person, start: datetime | None = None,
                end: datetime | None = None) -> bytes:
    at = now()
    start, end = start or at - PAST, end or at + AHEAD
    cal = _calendar(f"On call: {user.display_name or user.username}")
    teams = {}
    users = {user.id: user}
    for sched, s in shifts_of(session, actor, user.id, computed_from(start), end):
        if s.end <= start:
            continue
        if sched.team_id not in teams:
            team = session.get(Team, sched.team_id)
            teams[sched.team_id] = team.name if team else ""
        cal.add_component(_event(shift_out(s, users), schedule=sched, team=teams[sched.team_id], stamp=at))
    return cal.to_ical()


def feed_token(kind: int, ident: int) -> str:
    return tokens.sign("ical", kind, ident)


def feed_by_token(session: Session, token: str) -> tuple[str, bytes]:
    """A feed's file name and content for a signed link (NotFound for a bad one, or a person's link
    that was revoked or re-issued since)."""
    ids = tokens.verify("ical", token, 2)
    if ids is not None and ids[0] == FEED_SCHEDULE:
        return f"schedule-{ids[1]}.ics", schedule_feed(session, SYSTEM, ids[1])
    ident = feeds.verify(session, token)
    if ident is None:
        raise NotFound("no such calendar feed")
    user = auth.person(session, ident)
    if user is None or not user.is_active:
        raise NotFound("no such calendar feed")
    return f"{user.username}.ics", person_feed(session, SYSTEM, user)
