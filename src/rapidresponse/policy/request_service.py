"""Regulator and law-enforcement requests: registration, the legal clock, item outcomes.

The deadline comes from the country profile: the named deadline, else the shortest order or notice
deadline of the regulator that sent it, else the country's shortest. It is copied onto the request
when it arrives, so that correcting a profile never moves a running clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from . import links
from .countries import CountryProfile, Deadline, TimeKind, get_country, load_countries
from .deadlines import BusinessCalendar, start_clock
from .models import RegulatorRequest, ReplyLetter, RequestItem
from .schemas import Outcome, OutcomeIn, RequestCreate, RequestFilter

MARKS = (50, 75, 90)
FUTURE_SLACK = timedelta(minutes=5)
Level = Literal["ok", "50", "75", "90", "breached", "answered"]


def record(session: Session, actor: Actor | None, req: RegulatorRequest, kind: str, **payload: Any) -> events.Event:
    """``request.<kind>`` on the request's stream and, when linked, ``incident.request_<kind>`` on the
    incident's stream (so it shows on the incident timeline)."""
    who = {"actor_id": actor.user_id if actor else None, "actor": actor.label if actor else "system"}
    base = {"request_id": req.id, "country": req.country, "regulator": req.regulator,
            "regulator_name": regulator_name(req), **payload}
    ev = events.record_legacy(session, type=f"request.{kind}", subject_type="regulator_request", subject_id=req.id,
                       payload={**base, "incident": req.incident_ref}, **who)  # type: ignore[arg-type]
    if req.incident_ref is not None:
        links.record_on_incident(session, actor, req.incident_ref, f"incident.request_{kind}", **base)
    return ev


def choose_deadline(profile: CountryProfile, regulator: str, name: str | None) -> Deadline:
    if name:
        try:
            return profile.deadline(name)
        except NotFound as exc:
            raise ValidationFailed(exc.detail, field="deadline") from None
    own = [d for d in profile.deadlines if d.regulator == regulator and d.trigger.value in ("order", "notice")]
    if own:
        return min(own, key=lambda d: (d.clock_hours, d.defaulted, d.name))
    return profile.shortest_deadline()


def _profile(code: str) -> CountryProfile:
    try:
        return get_country(code)
    except NotFound as exc:
        raise ValidationFailed(f"country: {exc.detail}", field="country") from None


def register(session: Session, actor: Actor, data: RequestCreate) -> RegulatorRequest:
    """Register a request: its deadline is computed from the country profile and its clock starts."""
    actor.require(Perm.REQUESTS_MANAGE)
    profile = _profile(data.country)
    regulator = profile.regulator(data.regulator)
    if regulator is None:
        known = ", ".join(r.id for r in profile.regulators) or "none"
        raise ValidationFailed(f"regulator: {profile.code} has no regulator {data.regulator!r} (known: {known})",
                               field="regulator")
    received = data.received_at
    if received.tzinfo is None:
        raise ValidationFailed("received_at: give the time with its zone (e.g. 2026-11-27T18:30:00+05:00)",
                               field="received_at")
    if received > now() + FUTURE_SLACK:
        raise ValidationFailed("received_at: the request cannot arrive in the future", field="received_at")
    deadline = choose_deadline(profile, regulator.id, data.deadline)
    clock = start_clock(received, profile, deadline)
    owner = auth.find_person(session, data.owner) if data.owner else None
    if owner is not None and not owner.is_active:
        raise ValidationFailed(f"owner: user {owner.username!r} is disabled", field="owner")
    incident = links.link(session, actor, data.incident) if data.incident else None
    at = now()
    req = RegulatorRequest(
        country=profile.code, regulator=regulator.id, sender=data.sender, reference=data.reference,
        legal_basis=data.legal_basis, language=data.language, summary=data.summary, received_at=clock.received,
        deadline_name=deadline.name, deadline_instrument=deadline.instrument, deadline_hours=deadline.clock_hours,
        deadline_time=deadline.time.value, deadline_confidence=deadline.confidence.value,
        deadline_defaulted=deadline.defaulted, due_at=clock.due, status="open",
        owner_id=owner.id if owner else actor.user_id, incident_id=incident.id if incident else None,
        incident_ref=incident.ref if incident else None, warned=[], created_by_id=actor.user_id,
        created_at=at, updated_at=at)
    session.add(req)
    session.flush()
    for position, target in enumerate(data.items, start=1):
        session.add(RequestItem(request_id=req.id, position=position, target=target))
    session.flush()
    record(session, actor, req, "registered", sender=req.sender, deadline=deadline.name,
           due_at=req.due_at.isoformat(), items=len(data.items), legal_basis=req.legal_basis)
    return req


def get(session: Session, actor: Actor, request_id: int) -> RegulatorRequest:
    actor.require(Perm.POLICY_READ)
    req = session.get(RegulatorRequest, request_id)
    if req is None or not links.Visibility(session, actor).can_see(req.incident_ref):
        raise NotFound(f"no request {request_id}")
    return req


def list_requests(session: Session, actor: Actor, flt: RequestFilter) -> tuple[list[RegulatorRequest], int]:
    """Requests the actor may see: open ones soonest due first, then answered ones, newest first."""
    actor.require(Perm.POLICY_READ)
    query = select(RegulatorRequest)
    if flt.status:
        query = query.where(RegulatorRequest.status == flt.status)
    if flt.country:
        query = query.where(RegulatorRequest.country == flt.country)
    if flt.incident:
        query = query.where(RegulatorRequest.incident_ref == flt.incident.upper())
    rows = session.execute(query).scalars().all()
    seen = links.Visibility(session, actor)
    kept = [r for r in rows if seen.can_see(r.incident_ref)]
    kept.sort(key=lambda r: (r.status != "open", r.due_at.timestamp() if r.status == "open"
                             else -r.received_at.timestamp(), r.id))
    return kept[flt.offset:flt.offset + flt.limit], len(kept)


def items(session: Session, req: RegulatorRequest) -> list[RequestItem]:
    return list(session.execute(select(RequestItem).where(RequestItem.request_id == req.id)
                                .order_by(RequestItem.position)).scalars())


def reply(session: Session, req: RegulatorRequest) -> ReplyLetter | None:
    return session.execute(select(ReplyLetter).where(ReplyLetter.request_id == req.id)).scalar_one_or_none()


def set_outcome(session: Session, actor: Actor, request_id: int, item_id: int, data: OutcomeIn) -> RequestItem:
    """Record what was done about one item; ``no_action`` needs the reason."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = get(session, actor, request_id)
    item = session.get(RequestItem, item_id)
    if item is None or item.request_id != req.id:
        raise NotFound(f"no item {item_id} in request {req.id}")
    if req.status != "open":
        raise Conflict(f"request {req.id} is {req.status}; its outcomes are final")
    if data.outcome == Outcome.NO_ACTION and not data.reason:
        raise ValidationFailed("reason: say why no action is taken", field="reason")
    item.outcome, item.reason = data.outcome.value, data.reason
    item.decided_by_id, item.decided_at = actor.user_id, now()
    req.updated_at = now()
    record(session, actor, req, "outcome", item_id=item.id, position=item.position, target=item.target[:300],
           outcome=item.outcome, reason=item.reason)
    return item


# --- the clock ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClockState:
    due_at: datetime
    due_local: datetime
    zone: str
    progress: float
    remaining: timedelta
    level: Level


def _profiles() -> dict[str, CountryProfile]:
    return load_countries()


def clock_state(req: RegulatorRequest, at: datetime | None = None) -> ClockState:
    """How far the request's clock has run at ``at``, in the clock's own kind of time."""
    at = at or now()
    profile = _profiles().get(req.country)
    zone = profile.time_zones[0] if profile else "UTC"
    due_local = req.due_at.astimezone(profile.zone) if profile else req.due_at
    duration = timedelta(hours=req.deadline_hours)
    if at >= req.due_at:
        elapsed = duration
    elif at <= req.received_at:
        elapsed = timedelta(0)
    elif req.deadline_time == TimeKind.BUSINESS.value and profile is not None:
        elapsed = BusinessCalendar.for_country(profile).between(req.received_at, at)
    else:
        elapsed = at - req.received_at
    progress = min(1.0, max(0.0, elapsed / duration))
    level: Level
    if req.status == "answered":
        level = "answered"
    elif at > req.due_at:
        level = "breached"
    else:
        crossed = [m for m in MARKS if progress * 100 >= m]
        level = str(crossed[-1]) if crossed else "ok"  # type: ignore[assignment]
    return ClockState(req.due_at, due_local, zone, progress, max(timedelta(0), duration - elapsed), level)


def open_clocks(session: Session, actor: Actor, limit: int = 10) -> list[tuple[RegulatorRequest, ClockState]]:
    """The actor's visible open requests, soonest due first, with their clocks (for the dashboard)."""
    if not actor.can(Perm.POLICY_READ):
        return []
    reqs, _ = list_requests(session, actor, RequestFilter(status="open", limit=limit))
    at = now()
    return [(r, clock_state(r, at)) for r in reqs]


def regulator_name(req: RegulatorRequest, lang: str = "en") -> str:
    profile = _profiles().get(req.country)
    reg = profile.regulator(req.regulator) if profile else None
    if reg is None:
        return req.regulator
    if lang == "native":
        return reg.name.native
    return f"{reg.name.en}" + (f" ({reg.abbreviation})" if reg.abbreviation else "")
