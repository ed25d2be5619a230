"""What retention does to triage cases (called by the privacy domain): the signals and cases tied to
incidents under legal hold, and case notes, whose text lives in the ``case.note`` events."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from .models import Case


def linked_to(session: Session, incident_ids: Collection[int]) -> tuple[set[int], set[int]]:
    """The cases escalated into ``incident_ids`` and the signals those cases hold."""
    if not incident_ids:
        return set(), set()
    cases: set[int] = set()
    signal_ids: set[int] = set()
    linked = select(Case.id, Case.signal_ids).where(Case.incident_id.in_(list(incident_ids)))
    for case_id, ids in session.execute(linked):
        cases.add(case_id)
        signal_ids.update(int(i) for i in ids or ())
    return cases, signal_ids


def redact_case_notes(session: Session, *, before: datetime, keep: Collection[int], reason: str) -> int:
    """Redact the text of case notes written before ``before`` (not on the cases in ``keep``)."""
    where = (events.Event.type == "case.note") & (events.Event.occurred_at < before)
    if keep:
        where = where & events.Event.subject_id.not_in([str(i) for i in keep])
    return events.redact(session, where, reason=reason)
