"""The worker job that runs detection once per closed 5-minute bucket (see :mod:`.tick`).

The detector engine (numpy) is loaded by the job's first run, not when the package is imported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .. import worker

if TYPE_CHECKING:
    from .tick import TickReport


@worker.job("detection.tick", every=30.0)
def detection_tick(session: Session) -> TickReport:
    from . import tick

    return tick.tick(session)
