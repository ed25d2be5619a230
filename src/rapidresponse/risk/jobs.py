"""The risk domain's worker jobs: the re-assessment flag and the weekly digest."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from ..web.templating import Translator
from . import digest, service


@worker.job("risk.flags", every=900)
def flags(session: Session) -> int:
    """Compare every approved risk's indicators with those it was approved on; returns how many were flagged."""
    return service.flag_tick(session)


@worker.job("risk.digest", every=300)
def weekly_digest(session: Session) -> int:
    """Send the leadership digest once its weekday and hour have come (the schedule an admin sets)."""
    return digest.tick(session, Translator)
