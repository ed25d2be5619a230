"""What retention and a person's data request do to incidents (called by the privacy domain).

An incident is a record the team must keep (what happened, when, how bad, what was decided): it is
never deleted by retention. What may name or quote people is redacted instead: the notes of an
incident that is no longer open, and, once it has been closed long enough, its summary, source
description and task descriptions. ``keep`` is the incidents under legal hold: never touched.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..auth import Actor
from .models import Incident, IncidentMember, Note, Task
from .service import _search_text, visible
from .vocab import OPEN_STATUSES


def _not_held(column: Any, keep: Collection[int]) -> list[Any]:
    return [column.not_in(list(keep))] if keep else []


def redact_notes(session: Session, *, before: datetime, keep: Collection[int]) -> int:
    """Empty the notes written before ``before`` on incidents no longer open (not those in ``keep``)."""
    settled = select(Incident.id).where(Incident.status.not_in([str(s) for s in OPEN_STATUSES]))
    result = session.execute(update(Note).where(
        Note.created_at < before, Note.body != "", Note.incident_id.in_(settled), *_not_held(Note.incident_id, keep))
        .values(body="", body_html="").execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def redact_closed(session: Session, *, closed_before: datetime, keep: Collection[int]) -> int:
    """Empty the summary, source description, notes and task descriptions of the incidents closed
    before ``closed_before`` (not those in ``keep``); returns how many incidents."""
    found = list(session.execute(select(Incident).where(
        Incident.closed_at < closed_before, or_(Incident.summary != "", Incident.source_description != ""),
        *_not_held(Incident.id, keep))).scalars())
    ids = [inc.id for inc in found]
    for inc in found:
        inc.summary, inc.source_description = "", ""
        inc.search_text = _search_text(inc)
    for i in range(0, len(ids), 1000):
        chunk = ids[i:i + 1000]
        session.execute(update(Note).where(Note.incident_id.in_(chunk)).values(body="", body_html="")
                        .execution_options(synchronize_session=False))
        session.execute(update(Task).where(Task.incident_id.in_(chunk)).values(description="")
                        .execution_options(synchronize_session=False))
    return len(ids)


def ids_of_refs(session: Session, refs: Collection[str]) -> dict[str, int]:
    """The ids of these incident references (those that exist)."""
    if not refs:
        return {}
    return {a: b for a, b in session.execute(select(Incident.ref, Incident.id).where(Incident.ref.in_(list(refs))))}


def refs_of_ids(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {a: b for a, b in session.execute(select(Incident.id, Incident.ref).where(Incident.id.in_(list(ids))))}


def held_about(session: Session, actor: Actor, user_id: int) -> dict[str, Any]:
    """What incidents hold about a user, as references to the incidents ``actor`` may know of (the
    incidents' own content is the team's); a restricted one the actor may not see is not named."""
    seen = visible(actor)
    notes = session.execute(select(Incident.ref, func.count()).join(Note, Note.incident_id == Incident.id)
                            .where(Note.author_id == user_id, seen).group_by(Incident.ref)
                            .order_by(Incident.ref)).all()
    roles = session.execute(select(Incident.ref, IncidentMember.role)
                            .join(IncidentMember, IncidentMember.incident_id == Incident.id)
                            .where(IncidentMember.user_id == user_id, seen).order_by(Incident.ref)).all()
    tasks = session.execute(select(func.count()).select_from(Task).join(Incident, Incident.id == Task.incident_id)
                            .where(Task.owner_id == user_id, seen)).scalar_one()
    declared = session.execute(select(Incident.ref).where(Incident.created_by_id == user_id, seen)
                               .order_by(Incident.ref)).scalars().all()
    return {"notes_written": {ref: n for ref, n in notes},
            "roles": [{"incident": r, "role": role} for r, role in roles],
            "tasks_owned": int(tasks), "declared": list(declared)}
