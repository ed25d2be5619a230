"""Corrections to country profiles made in the UI: stored, so that every process uses them at once.

A correction of one statutory deadline (its hours, calendar or business time, confidence, notes) is
validated against the profile, stored as a row in the caller's transaction (a correction whose
transaction rolls back never existed), and recorded as an event with the values before and after.
A later correction of the same deadline supersedes it; the earlier ones stay readable. Running
clocks keep the deadline they started with: a request copies its deadline when it arrives.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import NotFound, ValidationFailed
from . import profiles
from .countries import Confidence, Deadline, TimeKind
from .events import ProfileCorrected
from .models import CountryProfileCorrection
from .schemas import Correction

EDITABLE = ("hours", "time", "confidence", "notes")


def _validated(current: Deadline, change: dict[str, Any]) -> None:
    if change["time"] not in {t.value for t in TimeKind} or change["confidence"] not in {c.value for c in Confidence}:
        raise ValidationFailed("time is calendar or business; confidence is verified or uncertain")
    try:
        Deadline.model_validate({**current.model_dump(mode="json"), **change})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValidationFailed(f"{'.'.join(map(str, err['loc']))}: {err['msg']}", field=str(err["loc"][0])) from None


def correct_deadline(session: Session, actor: Actor, code: str, name: str, *, hours: float | None, time: str,
                     confidence: str, notes: str = "") -> Deadline:
    """Correct one deadline of a country profile; returns the deadline as the profile now has it."""
    actor.require(Perm.POLICY_MANAGE)
    profile = profiles.get_country(code, session)
    try:
        current = profile.deadline(name)
    except NotFound:
        raise NotFound(f"{profile.code} has no deadline {name!r}") from None
    change: dict[str, Any] = {"hours": hours, "time": time, "confidence": confidence, "notes": notes.strip()}
    _validated(current, change)
    row = CountryProfileCorrection(country=profile.code, deadline=name, **change, corrected_by_id=actor.user_id,
                                   corrected_by=actor.label, corrected_at=now())
    session.add(row)
    session.flush()
    profiles.saved(session, row.id)
    before = {"hours": current.hours, "time": current.time.value, "confidence": current.confidence.value,
              "notes": current.notes.en if current.notes else ""}
    events.record(session, actor, ProfileCorrected(subject_id=profile.code, deadline=name, before=before,
                                                   after=change, correction_id=row.id))
    return profiles.get_country(profile.code, session).deadline(name)


def corrections(session: Session, actor: Actor, code: str | None = None) -> list[Correction]:
    """The stored corrections (of one country's profile), oldest first; superseded ones say so."""
    actor.require(Perm.POLICY_READ)
    query = select(CountryProfileCorrection).order_by(CountryProfileCorrection.id)
    if code is not None:
        query = query.where(CountryProfileCorrection.country == code.strip().upper())
    rows = list(session.execute(query).scalars())
    latest = {(r.country, r.deadline): r.id for r in rows}
    return [Correction(id=r.id, country=r.country, deadline=r.deadline, hours=r.hours, time=r.time,
                       confidence=r.confidence, notes=r.notes, corrected_by=r.corrected_by,
                       corrected_at=r.corrected_at, current=latest[(r.country, r.deadline)] == r.id) for r in rows]
