"""The worker job that runs detection once per closed 5-minute bucket (see :mod:`.tick`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import tick


@worker.job("detection.tick", every=30.0)
def detection_tick(session: Session) -> tick.TickReport:
    return tick.tick(session)
