"""The worker job that delivers the outbox.

A worker job runs inside a unit of work; delivering inside it would hold a transaction (and, on
SQLite, this process's writer lock, see :func:`rapidresponse.db.unit_of_work`) across network I/O. So
the job only wakes a delivery runner: a thread that repeats claim (commit) → deliver → record
(commit) until nothing is due, then ends; the next tick starts it again. If the process dies, claimed
messages come back when their lease expires.
"""

from __future__ import annotations

import structlog
from sqlalchemy.orm import Session

from .. import worker
from . import delivery

log = structlog.get_logger("rapidresponse.notify")
IDLE_SECONDS = 0.5


def _run_until_idle() -> None:
    while True:
        try:
            result = delivery.process_batch()
        except Exception:  # the database went away, say; the next tick tries again
            log.exception("notification delivery failed")
            return
        if result.claimed:
            continue
        if not runner.nudged.wait(IDLE_SECONDS):
            return
        runner.nudged.clear()


runner = worker.Runner("rr-notify-deliver", _run_until_idle)
wake = runner.wake


@worker.job("notify.deliver", every=1.0)
def deliver_outbox(session: Session) -> str:
    return wake()
