"""The worker job that runs the timers of running playbooks (see :mod:`.reminders`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import reminders


@worker.job("playbooks.timers", every=30)
def tick(session: Session) -> int:
    """One pass over the running playbooks; returns how many notifications it queued."""
    return reminders.remind(session)
