"""Data lifecycle: retention per data class, legal holds, and a person's data (find, export, erase).

This domain sits above the ones whose data it limits and reaches them only through their public
surfaces (``signals.delete_signals``, ``incidents.redact_notes``, ``wellness.delete_exposures``…);
each of those says what it keeps and what it removes. Event payloads are redacted through
``events.redact``, which keeps each payload's digest, so ``audit verify`` still passes.

A run records what it did as counts (``retention.applied``); a data request records a keyed digest of
the identifier, never the identifier (``privacy.subject_exported``, ``privacy.subject_erased``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, detection, events, incidents, signals, wellness
from ..auth import Actor, Perm
from ..clock import now
from ..config import Settings, get_settings
from ..errors import Conflict, NotFound
from .events import LegalHoldPlaced, LegalHoldReleased, RetentionApplied, SubjectErased, SubjectExported
from .models import LegalHold
from .schemas import (
    ErasureOut,
    HoldIn,
    HoldOut,
    ReleaseIn,
    RetentionReport,
    RetentionRule,
    SubjectData,
    SubjectIn,
)

RULES: tuple[tuple[str, str, str], ...] = (
    ("signals", "retention_signals_days", "delete"),
    ("signal_text", "retention_signal_text_days", "redact"),
    ("media", "retention_media_days", "redact"),
    ("notes", "retention_notes_days", "redact"),
    ("exposure", "retention_exposure_days", "delete"),
    ("closed_incidents", "retention_closed_incident_days", "redact"),
    ("audit_events", "retention_audit_days", "redact"),
)
"""Each data class, the setting that says how many days it is kept, and what happens then. Signals
are deleted before the text of the rest is redacted, so a pass never updates a row it then deletes."""


def policy(actor: Actor, settings: Settings | None = None) -> list[RetentionRule]:
    """How long each data class is kept, and what happens then."""
    actor.require(Perm.PRIVACY_MANAGE)
    settings = settings or get_settings()
    return [RetentionRule(data_class=name, days=getattr(settings, field), action=action,
                          setting=f"RAPIDRESPONSE_{field.upper()}") for name, field, action in RULES]


# --- legal holds ---------------------------------------------------------------------------------

def held_incident_ids(session: Session) -> set[int]:
    """The incidents under a hold in force."""
    return set(session.execute(select(LegalHold.incident_id).where(LegalHold.released_at.is_(None))).scalars())


def _hold_out(row: LegalHold, ref: str) -> HoldOut:
    return HoldOut(id=row.id, incident=ref, reason=row.reason, placed_by=row.placed_by, placed_at=row.placed_at,
                   released_by=row.released_by, released_at=row.released_at)


def _active(session: Session, incident_id: int) -> LegalHold | None:
    return session.execute(select(LegalHold).where(LegalHold.incident_id == incident_id,
                                                   LegalHold.released_at.is_(None))
                           .with_for_update()).scalar_one_or_none()


def place_hold(session: Session, actor: Actor, ref: str, data: HoldIn) -> HoldOut:
    """Put the incident under legal hold: retention leaves everything linked to it until released."""
    inc = incidents.get(session, actor, ref)  # first: an incident the actor may not know of is NotFound
    actor.require(Perm.LEGAL_HOLD)
    if _active(session, inc.id) is not None:
        raise Conflict(f"{inc.ref} is already under legal hold", field="reason")
    row = LegalHold(incident_id=inc.id, reason=data.reason, placed_by=actor.label, placed_at=now())
    session.add(row)
    session.flush()
    events.record(session, actor, LegalHoldPlaced(subject_id=inc.id, ref=inc.ref, reason=data.reason))
    return _hold_out(row, inc.ref)


def release_hold(session: Session, actor: Actor, ref: str, data: ReleaseIn) -> HoldOut:
    """Release the incident's hold: retention applies to it again from the next pass."""
    inc = incidents.get(session, actor, ref)
    actor.require(Perm.LEGAL_HOLD)
    row = _active(session, inc.id)
    if row is None:
        raise Conflict(f"{inc.ref} is not under legal hold", field="reason")
    row.released_by, row.released_at = actor.label, now()
    events.record(session, actor, LegalHoldReleased(subject_id=inc.id, ref=inc.ref, reason=data.reason))
    return _hold_out(row, inc.ref)


def holds(session: Session, actor: Actor, ref: str) -> list[HoldOut]:
    """The incident's holds, the one in force first, then the released ones, newest first."""
    inc = incidents.get(session, actor, ref)
    rows = session.execute(select(LegalHold).where(LegalHold.incident_id == inc.id)
                           .order_by(LegalHold.released_at.is_not(None), LegalHold.placed_at.desc())).scalars()
    return [_hold_out(r, inc.ref) for r in rows]


def held_incidents(session: Session, actor: Actor) -> list[HoldOut]:
    """Every hold in force on an incident the actor may know of."""
    actor.require(Perm.LEGAL_HOLD)
    rows = list(session.execute(select(LegalHold).where(LegalHold.released_at.is_(None))
                                .order_by(LegalHold.placed_at)).scalars())
    seen = incidents.visible_ids(session, actor, {r.incident_id for r in rows})
    refs = incidents.refs_of_ids(session, seen)
    return [_hold_out(r, refs[r.incident_id]) for r in rows if r.incident_id in seen]


# --- retention -----------------------------------------------------------------------------------

def apply_retention(session: Session, actor: Actor | None = None, *, at: datetime | None = None,
                    settings: Settings | None = None) -> RetentionReport:
    """One retention pass as of ``at`` (now): every data class past its time is redacted or deleted,
    except what is linked to an incident under legal hold; records the counts as ``retention.applied``.
    ``actor`` None is the worker; a person needs ``privacy:manage``."""
    if actor is not None:
        actor.require(Perm.PRIVACY_MANAGE)
    settings, at = settings or get_settings(), at or now()
    held = held_incident_ids(session)
    held_cases, held_signals = detection.linked_to(session, held)
    held_refs = set(incidents.refs_of_ids(session, held).values())
    held_streams = [f"incident:{i}" for i in held] + [f"case:{i}" for i in held_cases]
    steps: dict[str, Callable[[datetime], int]] = {
        "signals": lambda cut: signals.delete_signals(session, before=cut, keep=held_signals),
        "signal_text": lambda cut: signals.redact_signals(session, before=cut, keep=held_signals, part="text"),
        "media": lambda cut: signals.redact_signals(session, before=cut, keep=held_signals, part="media"),
        "notes": lambda cut: (incidents.redact_notes(session, before=cut, keep=held)
                              + detection.redact_case_notes(session, before=cut, keep=held_cases,
                                                            reason="retention")),
        "exposure": lambda cut: wellness.delete_exposures(session, before=cut, keep_refs=held_refs),
        "closed_incidents": lambda cut: incidents.redact_closed(session, closed_before=cut, keep=held),
        "audit_events": lambda cut: events.redact(
            session, (events.Event.occurred_at < cut) & events.Event.stream.not_in(held_streams or [""]),
            reason="retention", at=at),
    }
    counts: dict[str, int] = {}
    for name, field, _action in RULES:
        days = int(getattr(settings, field))
        counts[name] = steps[name](at - timedelta(days=days)) if days else 0
    events.record(session, actor, RetentionApplied(subject_id="retention", counts=counts, held_incidents=len(held)))
    return RetentionReport(at=at, counts=counts, held_incidents=len(held))


# --- a person's data -----------------------------------------------------------------------------

def _digest(kind: str, identifier: str) -> str:
    """A keyed digest of an identifier: the log can say a request was met without naming the person."""
    key = get_settings().effective_secret_key.encode()
    return hmac.new(key, f"{kind}:{identifier.strip().casefold()}".encode(), hashlib.sha256).hexdigest()[:32]


def _user(session: Session, identifier: str) -> auth.Person:
    found = (auth.person_by_email(session, identifier) if "@" in identifier
             else auth.person_named(session, identifier))
    if found is None:
        raise NotFound(f"no user {identifier!r}", field="identifier")
    return found


def _user_data(session: Session, actor: Actor, person: auth.Person) -> tuple[dict[str, Any], dict[str, int]]:
    own = events.Event
    authored = session.execute(select(func.count()).select_from(own).where(own.actor_id == person.id)).scalar_one()
    about = session.execute(select(own.occurred_at, own.type).where(
        own.subject_type == "user", own.subject_id == str(person.id)).order_by(own.id)).all()
    held = incidents.held_about(session, actor, person.id)
    kept = wellness.held_about(session, person.id)
    data = {"account": person.model_dump(mode="json"), "incidents": held,
            "wellness": {"held": kept, "note": "the person reads their own exposure log, budgets and settings on "
                                               "their wellness page; how much is held is theirs alone to see"},
            "events": {"recorded_by": int(authored),
                       "about_account": [{"at": at.isoformat(), "type": t} for at, t in about]}}
    counts = {"account": 1, "notes_written": sum(held["notes_written"].values()), "roles": len(held["roles"]),
              "tasks_owned": held["tasks_owned"], "wellness": int(kept), "events_recorded": int(authored)}
    return data, counts


def subject_data(session: Session, actor: Actor, data: SubjectIn, *, export: bool = False) -> SubjectData:
    """Everything held about the person ``data`` names; ``export`` records that it was handed out."""
    actor.require(Perm.PRIVACY_MANAGE)
    if data.kind == "reporter":
        found = signals.signals_of_reporter(session, data.identifier)
        body: dict[str, Any] = {"signals": [s.model_dump(mode="json") for s in found]}
        counts = {"signals": len(found)}
    else:
        body, counts = _user_data(session, actor, _user(session, data.identifier))
    if export:
        events.record(session, actor, SubjectExported(subject_id=_digest(data.kind, data.identifier),
                                                      kind=data.kind, counts=counts))
    return SubjectData(kind=data.kind, identifier=data.identifier, generated_at=now(), counts=counts, data=body)


def erase_subject(session: Session, actor: Actor, data: SubjectIn) -> ErasureOut:
    """Erase what is held about the person on request (what an incident under legal hold needs is
    kept and counted), and record the erasure with counts and a digest of the identifier."""
    actor.require(Perm.PRIVACY_MANAGE)
    held = held_incident_ids(session)
    if data.kind == "reporter":
        _cases, held_signals = detection.linked_to(session, held)
        theirs = {s.id for s in signals.signals_of_reporter(session, data.identifier)}
        kept = len(theirs & held_signals)
        counts = {"signals": signals.erase_reporter(session, data.identifier, keep=held_signals)}
    else:
        person = _user(session, data.identifier)
        counts = {"wellness": int(wellness.erase_person(session, person.id))}
        counts["account_events"] = events.redact(  # before the erasure records its own events there
            session, (events.Event.subject_type == "user") & (events.Event.subject_id == str(person.id)),
            reason="erasure")
        auth.erase_user(session, actor, person.username)
        counts["account"] = 1
        kept = 0
    events.record(session, actor, SubjectErased(subject_id=_digest(data.kind, data.identifier), kind=data.kind,
                                                counts=counts, kept_on_hold=kept))
    return ErasureOut(kind=data.kind, counts=counts, kept_on_hold=kept)


def last_runs(session: Session, actor: Actor, *, limit: int = 10) -> list[tuple[datetime, dict[str, Any]]]:
    """The latest retention passes: when, and their counts."""
    actor.require(Perm.PRIVACY_MANAGE)
    rows = session.execute(select(events.Event.occurred_at, events.Event.payload).where(
        events.Event.type == RetentionApplied.type).order_by(events.Event.id.desc()).limit(limit)).all()
    return [(at, dict(payload)) for at, payload in rows if not events.is_redacted(payload)]


