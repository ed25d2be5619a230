"""Public holidays on the rota and the fairness report: hours on call, nights, weekends, holidays
and pages per person over a period."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache

import holidays as holiday_data
from sqlalchemy.orm import Session

from .. import incidents, wellness
from ..auth import Actor, Perm
from ..errors import NotFound
from . import engine
from .models import Layer
from .paging import incidents_paged, pages_received
from .schemas import FairnessRow
from .service import check_range, compute, layers_of, list_schedules, users_by_id

NIGHT_START, NIGHT_END = 22, 7  # local hours: 22:00-07:00 is night


@cache
def _holidays(country: str, year: int) -> dict[date, str]:
    try:
        found = holiday_data.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know
        return {}
    return {d: str(name) for d, name in found.items()}


def holidays_between(country: str | None, start: date, end: date) -> dict[date, str]:
    """Public holidays of ``country`` from ``start`` to ``end`` inclusive."""
    if not country:
        return {}
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update({d: n for d, n in _holidays(country, year).items() if start <= d <= end})
    return out


def is_holiday(country: str | None, day: date) -> bool:
    return bool(country) and day in _holidays(str(country), day.year)


def _hour_chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    chunks = []
    at = start
    while at < end:
        nxt = min(end, at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        chunks.append((at, nxt))
        at = nxt
    return chunks


def fairness(session: Session, actor: Actor, start: datetime, end: datetime, *, team_id: int | None = None,
             ) -> list[FairnessRow]:
    """Per person: hours on call, of them at night (their own zone), at weekends and on public holidays
    (of the layer's country, else the schedule's), distinct nights, pages received (of those the
    actor may see: pages about restricted incidents count only for those who may know of them), and
    the exposure the rota brought them: how many incidents they were paged for involve high- or
    extreme-intensity harms. That is on-call data, not the wellness exposure log, which stays private
    to each person."""
    actor.require(Perm.ONCALL_READ)
    check_range(start, end)
    totals: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    nights: dict[int, set[date]] = defaultdict(set)
    shifts: list[tuple[engine.Shift, str | None]] = []
    for sched in list_schedules(session, actor, team_id):
        countries = {la.id: la.country or sched.country for la in layers_of(session, sched.id)}
        final = compute(session, actor, sched.id, start, end)
        shifts.extend((s, countries.get(s.source_id) if s.source == "layer" else sched.country) for s in final.shifts)
    users = users_by_id(session, [s.user for s, _ in shifts])
    for shift, country in shifts:
        user = users.get(shift.user)
        tz = engine.zone(user.timezone if user else "UTC")
        row = totals[shift.user]
        for a, b in _hour_chunks(shift.start, shift.end):
            hours = (b - a).total_seconds() / 3600
            local = a.astimezone(tz)
            row["hours"] += hours
            if local.hour >= NIGHT_START or local.hour < NIGHT_END:
                row["night_hours"] += hours
                nights[shift.user].add(local.date() - timedelta(days=1 if local.hour < NIGHT_END else 0))
            if local.weekday() >= 5:
                row["weekend_hours"] += hours
            if is_holiday(country, local.date()):
                row["holiday_hours"] += hours
    paged = pages_received(session, actor, start, end)
    heavy = _heavy_incidents(session, actor, start, end)
    rows = []
    for user_id in sorted(set(totals) | set(paged), key=lambda u: -totals[u]["hours"] if u in totals else 0):
        user = users.get(user_id) or users_by_id(session, [user_id]).get(user_id)
        name = user.username if user else f"#{user_id}"
        t = totals.get(user_id, {})
        rows.append(FairnessRow(username=name, display_name=(user.display_name or name) if user else name,
                                hours=round(t.get("hours", 0), 2), night_hours=round(t.get("night_hours", 0), 2),
                                weekend_hours=round(t.get("weekend_hours", 0), 2),
                                holiday_hours=round(t.get("holiday_hours", 0), 2), nights=len(nights[user_id]),
                                pages=paged.get(user_id, 0), heavy_incidents=heavy.get(user_id, 0)))
    return rows


def _heavy_incidents(session: Session, actor: Actor, start: datetime, end: datetime) -> dict[int, int]:
    """Per person, the incidents they were paged for whose harms are of high or extreme intensity."""
    if not actor.can(Perm.INCIDENTS_READ):
        return {}
    by_person = incidents_paged(session, actor, start, end)
    heavy: dict[int, bool] = {}
    for incident_id in set().union(*by_person.values()):
        try:
            harms = incidents.get_by_id(session, actor, incident_id).harm_categories
        except NotFound:  # deleted since, or hidden from the actor
            harms = []
        heavy[incident_id] = any(wellness.harm_class(h).heavy for h in harms)
    return {user: sum(heavy[i] for i in ids) for user, ids in by_person.items()}


def rota_holidays(layers: list[Layer], country: str | None, start: date, end: date) -> dict[date, list[str]]:
    """Holidays to mark on a rota: of the schedule's country and of each layer's."""
    out: dict[date, list[str]] = defaultdict(list)
    for code in sorted({c for c in [country, *(la.country for la in layers)] if c}):
        for day, name in holidays_between(code, start, end).items():
            out[day].append(f"{code}: {name}")
    return dict(out)
