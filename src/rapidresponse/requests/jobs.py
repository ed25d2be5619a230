"""The worker job that runs regulator-request clocks.

Each open request warns its owner once when its clock passes 50%, 75% and 90% (a late tick that
passes several marks at once sends only the highest), and on breach escalates to legal: every
active user in the legal role, the incident's legal members and the owner; then again every
``request_escalation_minutes`` until the request is answered. Requests are claimed
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so that several workers never warn twice; what was
warned is kept on the request, and messages carry idempotency keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import auth, notify, policy, worker
from ..auth import Person
from ..clock import now
from ..config import get_settings
from ..events import Event
from . import links
from .clocks import MARKS, ClockState, clock_state
from .events import Breached, DeadlineWarning
from .models import RegulatorRequest
from .service import record, regulator_name


def _span(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _facts(req: RegulatorRequest, state: ClockState, profile: policy.CountryProfile | None,
           **extra: Any) -> dict[str, Any]:
    unit = "business h" if req.deadline_time == "business" else "h"
    return {"request": req.ref, "regulator": regulator_name(profile, req.regulator), "country": req.country,
            "due": f"{state.due_local:%Y-%m-%d %H:%M} {state.zone} ({req.due_at:%H:%M} UTC)",
            "hours": f"{req.deadline_hours:g} {unit}", "instrument": req.deadline_instrument,
            "remaining": _span(state.remaining), "ref": req.incident_ref or "",
            "url": f"{get_settings().base_url.rstrip('/')}/requests/{req.ref}", **extra}


def _send(session: Session, users: list[Person], kind: str, ev: Event, req: RegulatorRequest,
          facts: dict[str, Any]) -> int:
    incident = links.facts(session, req.incident_id) if req.incident_id is not None else None
    restricted = bool(incident and incident.restricted)
    sent = 0
    for user in users:
        sent += notify.notify_user(session, user, kind=kind, ev=ev, facts=facts, restricted=restricted,
                                   incident_id=req.incident_id)
    return sent


def _escalate(session: Session, req: RegulatorRequest, state: ClockState, at: datetime,
              people: dict[int, Person], profile: policy.CountryProfile | None) -> None:
    req.breached_at = req.breached_at or at
    req.escalations, req.escalated_at, req.updated_at = req.escalations + 1, at, at
    req.warned = sorted(set(req.warned) | set(MARKS))
    legal = {u.id for u in people.values() if u.role == "legal"}
    if req.incident_id is not None and links.facts(session, req.incident_id):
        legal |= {p.id for p in links.legal_members(session, req.incident_id)}
    if req.owner_id is not None:
        legal.add(req.owner_id)
    recipients = [people[i] for i in sorted(legal) if i in people]
    ev = record(session, None, req, Breached, due_at=req.due_at.isoformat(),
                escalated_to=[u.username for u in recipients], escalation=req.escalations)
    _send(session, recipients, "request.breached", ev, req, _facts(req, state, profile, escalation=req.escalations))


def _warn(session: Session, req: RegulatorRequest, state: ClockState, crossed: list[int],
          people: dict[int, Person], profile: policy.CountryProfile | None) -> None:
    mark = max(crossed)
    req.warned = sorted(set(req.warned) | set(crossed))
    owner = people.get(req.owner_id) if req.owner_id is not None else None
    ev = record(session, None, req, DeadlineWarning, percent=mark, due_at=req.due_at.isoformat(),
                owner=owner.username if owner else None)
    if owner is not None:
        _send(session, [owner], "request.deadline_warning", ev, req, _facts(req, state, profile, percent=mark))


def tick(session: Session, at: datetime | None = None) -> int:
    """Warn and escalate every open request whose clock passed a mark, and escalate again each breached
    one whose last escalation is a cadence old; returns how many moved."""
    at = at or now()
    again = at - timedelta(minutes=get_settings().request_escalation_minutes)
    query = (select(RegulatorRequest).where(
        RegulatorRequest.status == "open",
        or_(RegulatorRequest.breached_at.is_(None), RegulatorRequest.escalated_at <= again))
        .order_by(RegulatorRequest.due_at, RegulatorRequest.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    moved = 0
    people: dict[int, Person] | None = None
    profiles = policy.load_countries(session)
    for req in session.execute(query).scalars().all():
        profile = profiles.get(req.country)
        state = clock_state(req, profile, at)
        crossed = [m for m in MARKS if state.progress * 100 >= m and m not in req.warned]
        breached = at > req.due_at
        if not breached and not crossed:
            continue
        if people is None:
            people = {u.id: u for u in auth.active_people(session)}
        if breached:
            _escalate(session, req, state, at, people, profile)
        else:
            _warn(session, req, state, crossed, people, profile)
        moved += 1
    return moved


@worker.job("requests.clocks", every=20)
def run_request_clocks(session: Session) -> int:
    return tick(session)
