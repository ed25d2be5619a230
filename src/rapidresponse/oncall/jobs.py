"""The worker job that escalates pages whose step timed out (see :func:`.paging.escalate_due`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import worker
from . import paging


@worker.job("oncall.escalate", every=10.0)
def escalate(session: Session) -> int:
    return paging.escalate_due(session)
