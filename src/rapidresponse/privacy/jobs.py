"""The privacy domain's worker job: the retention pass."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import service


@worker.job("privacy.retention", every=3600)
def retention(session: Session) -> int:
    """Redact or delete what is past its retention (not what a legal hold keeps); returns how many rows."""
    return sum(service.apply_retention(session).counts.values())
