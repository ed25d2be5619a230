"""The background loop. Capabilities register periodic jobs; each run is one unit of work.

Several workers may run at once: each job run happens in its own transaction, and jobs that claim
rows do so with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from prometheus_client import Counter
from sqlalchemy.orm import Session

from . import events
from .db import unit_of_work

log = structlog.get_logger("rapidresponse.worker")
JOB_RUNS = Counter("rapidresponse_worker_job_runs_total", "Worker job runs", ["job", "outcome"])


@dataclass
class Job:
    name: str
    every: float
    fn: Callable[[Session], object]
    last_run: float = 0.0


JOBS: dict[str, Job] = {}


def job(name: str, every: float) -> Callable[[Callable[[Session], object]], Callable[[Session], object]]:
    """Register ``fn(session)`` to run every ``every`` seconds."""

    def register(fn: Callable[[Session], object]) -> Callable[[Session], object]:
        JOBS[name] = Job(name, every, fn)
        return fn

    return register


@job("events.anchor", every=60)
def _anchor(session: Session) -> object:
    return events.anchor(session)


class Runner:
    """A named background thread that a worker job starts, or nudges when it is already running.

    Some work needs many transactions (a backlog, a delivery run) or waits on the network (long polling)
    and must not hold a job's unit of work: the job wakes a runner instead, which works until it is idle
    and ends; the next tick starts it again. ``nudged`` is set when a tick finds it running, so a runner
    that waits for more work can wait on it.
    """

    def __init__(self, name: str, target: Callable[[], None]) -> None:
        self.name, self.target = name, target
        self.nudged = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> str:
        """Start the thread unless it is alive (then nudge it); says which."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                self.nudged.set()
                return "running"
            self._thread = threading.Thread(target=self.target, name=self.name, daemon=True)
            self._thread.start()
            return "started"


def run_due(force: bool = False) -> dict[str, str]:
    """Run every job that is due (all of them with ``force``); one failing job does not stop others."""
    outcomes: dict[str, str] = {}
    for j in list(JOBS.values()):
        if not force and time.monotonic() - j.last_run < j.every:
            continue
        j.last_run = time.monotonic()
        try:
            with unit_of_work() as s:
                j.fn(s)
            outcomes[j.name] = "ok"
        except Exception:
            log.exception("job failed", job=j.name)
            outcomes[j.name] = "error"
        JOB_RUNS.labels(j.name, outcomes[j.name]).inc()
    return outcomes


def run_forever(stop: threading.Event, interval: float = 1.0) -> None:
    log.info("worker started", jobs=sorted(JOBS))
    while not stop.is_set():
        run_due()
        stop.wait(interval)
    log.info("worker stopped")


def start_in_thread(interval: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop, interval), name="rr-worker", daemon=True)
    thread.start()
    return thread, stop
