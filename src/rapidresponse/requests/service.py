"""Regulator and law-enforcement requests: registration, the legal clock, item outcomes.

The deadline comes from the country profile: the named deadline, else the shortest order or notice
deadline of the regulator that sent it, else the country's shortest. It is copied onto the request
when it arrives, so that correcting a profile never moves a running clock.

The functions other domains use take and return schemas (:class:`~.schemas.RequestOut`); the rows
(:func:`load`) stay inside this domain.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, policy
from ..auth import Actor, Perm
from ..clock import now
from ..db import insert_ignore
from ..errors import Conflict, NotFound, ValidationFailed
from . import links
from .clocks import clock_out, clock_state
from .events import ON_INCIDENT, Registered, RequestEvent
from .events import OutcomeRecorded as OutcomeEvent
from .models import RegulatorRequest, ReplyLetter, RequestCounter, RequestItem
from .schemas import ItemOut, Outcome, OutcomeIn, ReplyOut, RequestCreate, RequestFilter, RequestOut, RequestPage

FUTURE_SLACK = timedelta(minutes=5)
REF = re.compile(r"^REQ-(\d{4})-(\d{4,6})$")

RequestKey = int | str
"""A request as URLs, the CLI and callers name it: its reference (``REQ-2026-0001``) or its id."""


def regulator_name(profile: policy.CountryProfile | None, regulator_id: str, lang: str = "en") -> str:
    """The regulator as people name it: ``Ministry of … (MCI)``, its own name (``lang="native"``), or as a
    page in Russian names it (``lang="ru"``: ``Министерство … (MCI)``)."""
    reg = profile.regulator(regulator_id) if profile else None
    if reg is None:
        return regulator_id
    if lang == "native":
        return reg.name.native
    return reg.label(lang)


def regulator_choices(session: Session, locale: str = "en") -> list[dict[str, Any]]:
    """Every country's regulators, for one select (value ``KZ/mci``), named as a page in ``locale`` names them."""
    out = []
    for code, p in policy.load_countries(session).items():
        out.append({"code": code, "name": p.name.in_(locale), "native": p.name.native,
                    "regulators": [{"value": f"{code}/{r.id}", "name": r.name.in_(locale), "abbr": r.short_name(locale),
                                    "native": r.name.native} for r in p.regulators],
                    "language": p.languages.official[0]})
    return out


def native_regulator_name(session: Session, out: RequestOut) -> str:
    return regulator_name(policy.load_countries(session).get(out.country), out.regulator, "native")


def record(session: Session, actor: Actor | None, req: RegulatorRequest, event: type[RequestEvent],
           **details: Any) -> events.Event:
    """``event`` on the request's stream and, when it is linked, its ``incident.request_*`` twin on the
    incident's timeline; returns the request's stored event."""
    profile = policy.load_countries(session).get(req.country)
    facts = {"request_id": req.id, "request_ref": req.ref, "country": req.country, "regulator": req.regulator,
             "regulator_name": regulator_name(profile, req.regulator), **details}
    row = events.record(session, actor, event(subject_id=req.id, incident=req.incident_ref, **facts))
    if req.incident_id is not None and req.incident_ref is not None:
        events.record(session, actor, ON_INCIDENT[event](subject_id=req.incident_id, ref=req.incident_ref, **facts))
    return row


def choose_deadline(profile: policy.CountryProfile, regulator: str, name: str | None) -> policy.Deadline:
    if name:
        try:
            return profile.deadline(name)
        except NotFound as exc:
            raise ValidationFailed(exc.detail, field="deadline") from None
    own = [d for d in profile.deadlines if d.regulator == regulator and d.trigger.value in ("order", "notice")]
    if own:
        return min(own, key=lambda d: (d.clock_hours, d.defaulted, d.name))
    return profile.shortest_deadline()


def _profile(session: Session, code: str) -> policy.CountryProfile:
    try:
        return policy.get_country(code, session)
    except NotFound as exc:
        raise ValidationFailed(f"country: {exc.detail}", field="country") from None


def _received(data: RequestCreate) -> datetime:
    received = data.received_at
    if received.tzinfo is None:
        raise ValidationFailed("received_at: give the time with its zone (e.g. 2026-11-27T18:30:00+05:00)",
                               field="received_at")
    if received > now() + FUTURE_SLACK:
        raise ValidationFailed("received_at: the request cannot arrive in the future", field="received_at")
    return received


def register(session: Session, actor: Actor, data: RequestCreate) -> RequestOut:
    """Register a request: its deadline is computed from the country profile and its clock starts."""
    actor.require(Perm.REQUESTS_MANAGE)
    profile = _profile(session, data.country)
    regulator = profile.regulator(data.regulator)
    if regulator is None:
        known = ", ".join(r.id for r in profile.regulators) or "none"
        raise ValidationFailed(f"regulator: {profile.code} has no regulator {data.regulator!r} (known: {known})",
                               field="regulator")
    received = _received(data)
    deadline = choose_deadline(profile, regulator.id, data.deadline)
    clock = policy.start_clock(received, profile, deadline)
    owner = auth.find_person(session, data.owner) if data.owner else None
    if owner is not None and not owner.is_active:
        raise ValidationFailed(f"owner: user {owner.username!r} is disabled", field="owner")
    incident = links.link(session, actor, data.incident) if data.incident else None
    at = now()
    req = RegulatorRequest(
        ref=_next_ref(session, at.year), country=profile.code, regulator=regulator.id, sender=data.sender,
        reference=data.reference,
        legal_basis=data.legal_basis, language=data.language, summary=data.summary, received_at=clock.received,
        deadline_name=deadline.name, deadline_instrument=deadline.instrument.en, deadline_hours=deadline.clock_hours,
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
    record(session, actor, req, Registered, sender=req.sender, deadline=deadline.name,
           due_at=req.due_at.isoformat(), items=len(data.items), legal_basis=req.legal_basis)
    return request_out(session, req)


def _next_ref(session: Session, year: int) -> str:
    insert_ignore(session, RequestCounter, {"year": year, "last": 0}, "year")
    counter = session.execute(
        select(RequestCounter).where(RequestCounter.year == year).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last += 1
    return f"REQ-{year}-{counter.last:04d}"


def _find(session: Session, key: RequestKey) -> RegulatorRequest | None:
    if isinstance(key, int) or key.strip().isdigit():
        number = int(key)
        return session.get(RegulatorRequest, number) if 0 < number < 2**31 else None
    ref = key.strip().upper()
    if not REF.match(ref):
        return None
    return session.execute(select(RegulatorRequest).where(RegulatorRequest.ref == ref)).scalar_one_or_none()


def load(session: Session, actor: Actor, request_id: RequestKey) -> RegulatorRequest:
    """The request's row by reference or id, or NotFound alike for a missing one and one linked to an
    incident the actor may not know of."""
    actor.require(Perm.POLICY_READ)
    req = _find(session, request_id)
    if req is None or req.incident_id not in links.visible(session, actor, [req.incident_id]):
        raise NotFound(f"no request {request_id}")
    return req


def get(session: Session, actor: Actor, request_id: RequestKey) -> RequestOut:
    """One request in full: its clock, items and outcomes, and the reply."""
    return request_out(session, load(session, actor, request_id))


def _rows(session: Session, actor: Actor, flt: RequestFilter) -> list[RegulatorRequest]:
    """Every request matching ``flt`` that the actor may see: open ones soonest due first, then
    answered ones, newest first."""
    actor.require(Perm.POLICY_READ)
    query = select(RegulatorRequest)
    if flt.status:
        query = query.where(RegulatorRequest.status == flt.status)
    if flt.country:
        query = query.where(RegulatorRequest.country == flt.country)
    if flt.incident:
        query = query.where(RegulatorRequest.incident_ref == flt.incident.upper())
    rows = session.execute(query).scalars().all()
    seen = links.visible(session, actor, {r.incident_id for r in rows})
    kept = [r for r in rows if r.incident_id in seen]
    kept.sort(key=lambda r: (r.status != "open", r.due_at.timestamp() if r.status == "open"
                             else -r.received_at.timestamp(), r.id))
    return kept


def list_requests(session: Session, actor: Actor, flt: RequestFilter, *, full: bool = False) -> RequestPage:
    """The requests the actor may see, in the order of :func:`_rows`; ``full`` adds items and replies."""
    kept = _rows(session, actor, flt)
    page = kept[flt.offset:flt.offset + flt.limit]
    return RequestPage(items=outs(session, page, full=full), total=len(kept), limit=flt.limit, offset=flt.offset)


def items(session: Session, req: RegulatorRequest) -> list[RequestItem]:
    return list(session.execute(select(RequestItem).where(RequestItem.request_id == req.id)
                                .order_by(RequestItem.position)).scalars())


def reply(session: Session, req: RegulatorRequest) -> ReplyLetter | None:
    return session.execute(select(ReplyLetter).where(ReplyLetter.request_id == req.id)).scalar_one_or_none()


def set_outcome(session: Session, actor: Actor, request_id: RequestKey, item_id: int, data: OutcomeIn) -> RequestOut:
    """Record what was done about one item; ``no_action`` needs the reason."""
    actor.require(Perm.REQUESTS_MANAGE)
    req = load(session, actor, request_id)
    item = session.get(RequestItem, item_id)
    if item is None or item.request_id != req.id:
        raise NotFound(f"no item {item_id} in request {req.ref}")
    if req.status != "open":
        raise Conflict(f"request {req.ref} is {req.status}; its outcomes are final")
    if data.outcome == Outcome.NO_ACTION and not data.reason:
        raise ValidationFailed("reason: say why no action is taken", field="reason")
    item.outcome, item.reason = data.outcome.value, data.reason
    item.decided_by_id, item.decided_at = actor.user_id, now()
    req.updated_at = now()
    record(session, actor, req, OutcomeEvent, item_id=item.id, position=item.position, target=item.target[:300],
           outcome=item.outcome, reason=item.reason)
    return request_out(session, req)


# --- what the interfaces and other domains see --------------------------------------------------------

def request_out(session: Session, req: RegulatorRequest, *, full: bool = True) -> RequestOut:
    return outs(session, [req], full=full)[0]


def outs(session: Session, rows: list[RegulatorRequest], *, full: bool = False) -> list[RequestOut]:
    """The requests as schemas, their clocks at the same moment; ``full`` adds items and the reply."""
    profiles = policy.load_countries(session)
    names = auth.usernames(session, {r.owner_id for r in rows})
    at = now()
    out = []
    for req in rows:
        profile = profiles.get(req.country)
        letter = reply(session, req) if full else None
        out.append(RequestOut(
            id=req.id, ref=req.ref, country=req.country, regulator=req.regulator,
            regulator_name=regulator_name(profile, req.regulator), sender=req.sender, reference=req.reference,
            legal_basis=req.legal_basis, language=req.language, summary=req.summary, received_at=req.received_at,
            deadline=req.deadline_name, instrument=req.deadline_instrument, hours=req.deadline_hours,
            time=req.deadline_time, confidence=req.deadline_confidence, defaulted=req.deadline_defaulted,
            status=req.status, owner=names.get(req.owner_id or 0), incident_ref=req.incident_ref,
            breached_at=req.breached_at, escalations=req.escalations, answered_at=req.answered_at,
            clock=clock_out(clock_state(req, profile, at)),
            items=[ItemOut(id=i.id, position=i.position, target=i.target, outcome=i.outcome, reason=i.reason,
                           decided_at=i.decided_at) for i in items(session, req)] if full else [],
            reply=ReplyOut(status=letter.status, languages=letter.languages, body=letter.body,
                           approval_id=letter.approval_id, sent_at=letter.sent_at, sent_sha256=letter.sent_sha256,
                           updated_at=letter.updated_at) if letter else None))
    return out


def open_clocks(session: Session, actor: Actor, limit: int = 10) -> list[RequestOut]:
    """The actor's visible open requests, soonest due first, with their clocks (for the dashboard)."""
    if not actor.can(Perm.POLICY_READ):
        return []
    return list_requests(session, actor, RequestFilter(status="open", limit=limit)).items


def for_incident(session: Session, actor: Actor, ref: str, limit: int = 50) -> list[RequestOut]:
    """The incident's requests the actor may see, open ones soonest due first (for the incident page)."""
    if not actor.can(Perm.POLICY_READ):
        return []
    return list_requests(session, actor, RequestFilter(incident=ref, limit=limit)).items


def incident_rules(session: Session, actor: Actor, ref: str) -> policy.IncidentRules:
    """The applicable-rules checklist for an incident the actor may see (its countries and harms)."""
    inc = links.link(session, actor, ref)
    actor.require(Perm.POLICY_READ)
    return policy.rules_for(ref=inc.ref, countries=list(inc.countries), harms=list(inc.harm_categories),
                            profiles=policy.load_countries(session))
