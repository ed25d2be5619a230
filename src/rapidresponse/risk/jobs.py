"""The worker job that flags risks for re-assessment when their indicators move."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import service


@worker.job("risk.flags", every=900)
def flags(session: Session) -> int:
    """Compare every approved risk's indicators with those it was approved on; returns how many were flagged."""
    return service.flag_tick(session)
