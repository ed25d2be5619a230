"""The worker job that reminds the owners of overdue action items (and, later, their commanders)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import actions


@worker.job("reviews.action_items", every=300)
def tick(session: Session) -> int:
    """One pass over the overdue action items; returns how many notifications it queued."""
    return actions.remind(session)
