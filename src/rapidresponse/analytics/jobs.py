"""The worker job that keeps the analytics warehouse up to date."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from ..config import get_settings
from . import service


@worker.job("analytics.sync", every=60)
def tick(session: Session) -> int:
    """Follow the event log and the signal store; returns how many rows moved."""
    if not get_settings().analytics_sync:
        return 0  # another machine's worker keeps the warehouse
    return service.sync_tick(session).rows
