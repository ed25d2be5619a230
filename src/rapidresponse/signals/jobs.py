"""The worker job of the signal pipeline stage (see :mod:`.stage`) and its lag metric.

A worker job runs inside one unit of work; a backlog of signals needs many transactions (one per batch)
and must not hold the other jobs back. So the job only wakes a stage runner: a thread that processes
batch after batch until nothing is pending, then ends; the next tick starts it again. The runner runs in
whatever process runs the worker: the ``worker`` command, or ``serve``'s embedded worker when no separate
worker runs. Loading the domains registers the job and the lag collector (``/metrics``).
"""

from __future__ import annotations

import structlog
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from .. import worker
from . import stage

log = structlog.get_logger("rapidresponse.signals")
REGISTRY.register(stage.StageCollector())


def _run_until_idle() -> None:
    try:
        stage.drain()
    except Exception:  # a batch that failed rolled back: its signals stay pending for the next tick
        log.exception("signal pipeline stage failed")


runner = worker.Runner("rr-signal-stage", _run_until_idle)
wake = runner.wake


@worker.job("signals.stage", every=1.0)
def run_stage(session: Session) -> str:
    return wake()
