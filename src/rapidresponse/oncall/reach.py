"""Whether the people on call can be reached, and where they are.

``on_call_at`` is who is on call now, each with their own time zone and whether a page can reach
them, narrowed to a place when asked ("KZ", "Almaty", "Алматы", "Asia/Almaty", "Almaty, now"). ``unreachable``
lists the shifts, now or starting soon, of people no page can reach: the schedule page and the person
are warned, and the worker tells them at their account address when it can (``warn``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from .. import auth, notify, policy
from ..auth import Actor, Person
from ..clock import now
from ..config import get_settings
from ..errors import NotFound
from . import engine
from .models import Schedule, Team
from .schemas import OnCallOut
from .service import layers_of, on_call, overrides_of, to_engine_layer, users_by_id

KIND = "oncall.unreachable"
TEXTS = {
    "en": ("You are on call from {start} but pages cannot reach you",
           "You are on call in {schedule} ({team}) from {start}, and no working contact method of yours can "
           "receive a page. Add or confirm one: {url}/account/contacts"),
    "ru": ("Вы дежурите с {start}, но вызовы до вас не дойдут",
           "Вы дежурите в расписании «{schedule}» ({team}) с {start}, а ни один ваш способ связи не может "
           "принять вызов. Добавьте или подтвердите его: {url}/account/contacts"),
}


def local_time(zone: str, at: datetime | None = None) -> str:
    """``HH:MM`` in a time zone (empty for an unknown one)."""
    try:
        return (at or now()).astimezone(ZoneInfo(zone)).strftime("%H:%M")
    except (ZoneInfoNotFoundError, ValueError):
        return ""


def place_filter(place: str) -> Callable[[str, str | None], bool] | None:
    """A test of (a person's time zone, the schedule's country) for a place; None for no place. The
    words after a comma ("Almaty, now") are dropped: the answer is always about now."""
    words = place.split(",", 1)[0].strip()
    if not words:
        return None
    if len(words) == 2 and words.isalpha():
        code = words.upper()
        try:
            zones = set(policy.get_country(code).time_zones)
        except NotFound:
            zones = set()
        return lambda zone, country: zone in zones or country == code
    needle = words.lower()
    return lambda zone, country: needle.replace(" ", "_") in zone.lower() or any(needle in c for c in _cities(zone))


@cache
def _cities(zone: str) -> tuple[str, ...]:
    """The city a time zone is named for, as each language of the UI names it (lower case): "алматы"."""
    from babel.dates import get_timezone_location

    try:
        return tuple(get_timezone_location(zone, locale=code, return_city=True).lower() for code in auth.LOCALES)
    except LookupError:
        return ()


def on_call_at(session: Session, actor: Actor, *, place: str = "", at: datetime | None = None) -> list[OnCallOut]:
    """Who is on call now per schedule (with their time zone and whether a page reaches them), only where
    the person on call is in ``place`` when one is given."""
    rows = on_call(session, actor, at=at)
    people = {p.username: p for p in auth.active_people(session)}
    reach = notify.reachable(session, [people[r.now.username] for r in rows if r.now and r.now.username in people])
    countries = {s.id: s.country for s in session.query(Schedule).all()}
    test = place_filter(place)
    out = []
    for row in rows:
        if row.now is not None and row.now.username in people:
            row = row.model_copy(update={"now": row.now.model_copy(
                update={"reachable": reach.get(people[row.now.username].id, False)})})
        if test is not None and (row.now is None or not test(row.now.timezone, countries.get(row.schedule_id))):
            continue
        out.append(row)
    return out


@dataclass(frozen=True)
class Unreachable:
    schedule_id: int
    schedule: str
    team: str
    user_id: int
    username: str
    display_name: str
    start: datetime
    end: datetime


def unreachable(session: Session, *, schedule_id: int | None = None, user_id: int | None = None,
                at: datetime | None = None, hours: int | None = None) -> list[Unreachable]:
    """Shifts now or starting within ``hours`` (the warning period) of people no page can reach."""
    at = at or now()
    end = at + timedelta(hours=hours or get_settings().reachability_warning_hours)
    query = session.query(Schedule).order_by(Schedule.id)
    if schedule_id is not None:
        query = query.filter(Schedule.id == schedule_id)
    found: list[tuple[Schedule, engine.Shift]] = []
    for sched in query.all():
        layers = [to_engine_layer(la) for la in layers_of(session, sched.id)]
        ovs = [engine.Override(o.id, o.user_id, o.starts_at, o.ends_at) for o in overrides_of(session, sched.id, at,
                                                                                             end)]
        found += [(sched, sh) for sh in engine.compute(layers, ovs, at, end).shifts
                  if user_id is None or sh.user == user_id]
    users: dict[int, Person] = users_by_id(session, [sh.user for _, sh in found])
    reach = notify.reachable(session, [u for u in users.values() if u.is_active])
    teams = {t.id: t.name for t in session.query(Team).all()}
    seen: set[tuple[int, int]] = set()
    out = []
    for sched, sh in found:
        user = users.get(sh.user)
        if user is None or not user.is_active or reach.get(user.id, False) or (sched.id, user.id) in seen:
            continue
        seen.add((sched.id, user.id))
        out.append(Unreachable(schedule_id=sched.id, schedule=sched.name, team=teams.get(sched.team_id, ""),
                               user_id=user.id, username=user.username, display_name=user.name,
                               start=sh.start, end=sh.end))
    return out


def warn(session: Session, at: datetime | None = None) -> int:
    """Tell each person with an unreachable shift coming, once per shift, at their account's address
    (the only way left); returns how many were told."""
    told = 0
    for item in unreachable(session, at=at):
        person = auth.person(session, item.user_id)
        if person is None or not person.email:
            continue
        lang = person.locale if person.locale in TEXTS else "en"
        start = f"{max(item.start, at or now()).astimezone(_zone(person.timezone)):%Y-%m-%d %H:%M} ({person.timezone})"
        subject, body = (t.format(start=start, schedule=item.schedule, team=item.team,
                                  url=get_settings().base_url.rstrip("/")) for t in TEXTS[lang])
        _, new = notify.enqueue(session, kind=KIND, channel="email", recipient=person.email, subject=subject,
                                body=body, user_id=person.id,
                                idempotency_key=f"unreachable:{item.schedule_id}:{item.user_id}:"
                                                f"{item.start:%Y%m%d%H%M}")
        told += int(new)
    return told


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")

