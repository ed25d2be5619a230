"""The pipeline stage behind intake: enrich, count, match media and cluster the signals intake accepted.

Intake (:func:`.service.ingest`) only validates, de-duplicates and inserts: a signal is *accepted* once
its row is committed, with ``processed_at`` NULL (*pending*). This stage then takes pending signals,
lowest id first, in batches of :data:`BATCH`, and in one transaction per batch:

* enriches them (:func:`.pipeline.enrich`: fold, detected language, lexicon matches), all texts at once;
* adds them to the 5-minute series (one upsert of the batch's counts) and stores their media matches;
* clusters them into trends (:mod:`.clustering`: MinHash signatures for the whole batch, one LSH index);
* writes everything back to the batch's rows with ``processed_at`` set.

**Exactly once.** The claim, the counts and ``processed_at`` are in one transaction: a worker killed in the
middle of a batch rolls all of it back, the signals stay pending, and the next run processes them once.
On PostgreSQL several workers claim with ``FOR UPDATE SKIP LOCKED``, so no two take the same signal; on
SQLite a writing transaction holds the database's write lock from its start.

**Who runs it.** The worker job ``signals.stage`` (:mod:`.jobs`) runs it until nothing is pending, in the
worker process or in ``serve``'s embedded worker; ``signals import`` runs it before returning (unless told
not to wait); tests and the demo call :func:`process_pending` in their own transaction. The detection
tick does not close a bucket that still has pending signals (:func:`oldest_pending`), so the series it
reads count every signal once it is processed.

**Lag.** :class:`StageCollector` reports, at each scrape of ``/metrics``, how many signals are pending and
how long the oldest has waited (``rapidresponse_signals_pending``, ``rapidresponse_signals_stage_lag_seconds``),
read from the database, so every process reports the same figure whichever process runs the stage.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, cast

import structlog
from prometheus_client import Counter as MetricCounter
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import events, hashes
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from . import pipeline
from .buckets import bucket_of
from .events import HASH_MATCH_STREAM, HashMatched
from .models import SeriesBucket, Signal

log = structlog.get_logger("rapidresponse.signals.stage")
BATCH = 5000  # signals per claim and transaction
PROCESSED = MetricCounter("rapidresponse_signals_processed_total", "Signals the pipeline stage processed")
_PENDING = Signal.processed_at.is_(None)
_COLUMNS = (Signal.id, Signal.text, Signal.occurred_at, Signal.harm, Signal.country, Signal.language,
            Signal.media_hash)
_WRITTEN = ("text_folded", "language", "language_detected", "language_confidence", "lexicon_matches",
            "lexicon_harm", "trend_id")
_TABLE = cast(Table, Signal.__table__)
_UPDATE = (update(_TABLE).where(_TABLE.c.id == bindparam("b_id"))  # Core executemany: no ORM bookkeeping
           .values({k: bindparam(f"b_{k}", type_=_TABLE.c[k].type) for k in (*_WRITTEN, "processed_at")}))


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def claim(session: Session, limit: int = BATCH) -> list[dict[str, Any]]:
    """Up to ``limit`` pending signals, lowest id first, locked for this transaction (others skip them)."""
    q = select(*_COLUMNS).where(_PENDING).order_by(Signal.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    return [dict(row) for row in session.execute(q).mappings()]


def process_batch(session: Session, limit: int = BATCH) -> int:
    """Claim and process one batch in the caller's transaction; how many signals it processed."""
    rows = claim(session, limit)
    if not rows:
        return 0
    from . import clustering  # numpy and datasketch: loaded by the first batch, not by the import

    at = now()
    pipeline.enrich(session, rows)
    _add_to_series(session, rows)
    _match_media(session, rows, at)
    for row in rows:
        row["trend_id"] = None
    clustering.assign(session, rows)
    _write_back(session, rows, at)
    PROCESSED.inc(len(rows))
    return len(rows)


def process_pending(session: Session, *, batch: int = BATCH, most: int | None = None) -> int:
    """Process every pending signal (at most ``most``) in the caller's transaction, ``batch`` at a time:
    what tests and the demo call right after intake. Returns how many it processed."""
    done = 0
    while most is None or done < most:
        n = process_batch(session, batch if most is None else min(batch, most - done))
        if not n:
            break
        done += n
    return done


def drain(*, batch: int | None = None, progress: Callable[[int], None] | None = None,
          stop: threading.Event | None = None) -> int:
    """Process pending signals one batch per transaction (``signal_stage_batch`` by default) until none is
    left to claim (or ``stop`` is set): what the worker and ``signals import`` run. Returns how many."""
    batch = batch or get_settings().signal_stage_batch
    done = 0
    while not (stop is not None and stop.is_set()):
        with unit_of_work() as s:
            n = process_batch(s, batch)
        if not n:
            break
        done += n
        if progress:
            progress(n)
    return done


def wait_processed(up_to_id: int, *, timeout: float = 600.0, poll: float = 0.2,
                   progress: Callable[[int], None] | None = None) -> bool:
    """Process (here, or wait for other workers to process) every pending signal with an id up to
    ``up_to_id``; False when some are still pending after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        drain(progress=progress)
        if pending_count(up_to_id=up_to_id) == 0:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)  # another worker holds the rest: its transaction ends, or its claims come back


def pending_count(*, up_to_id: int | None = None) -> int:
    with unit_of_work(read_only=True) as s:
        q = select(func.count()).select_from(Signal).where(_PENDING)
        if up_to_id is not None:
            q = q.where(Signal.id <= up_to_id)
        return int(s.execute(q).scalar_one())


def oldest_pending(session: Session) -> datetime | None:
    """The earliest ``occurred_at`` of a pending signal (None when nothing is pending): detection
    closes no bucket at or after it."""
    found: datetime | None = session.execute(select(func.min(Signal.occurred_at)).where(_PENDING)).scalar_one()
    return found


def first_pending_id(session: Session) -> int | None:
    """The lowest id of a pending signal (None when nothing is pending)."""
    found: int | None = session.execute(select(func.min(Signal.id)).where(_PENDING)).scalar_one()
    return found


def _write_back(session: Session, rows: list[dict[str, Any]], at: datetime) -> None:
    """One executemany UPDATE by id of what the stage derived, with ``processed_at``."""
    session.connection().execute(_UPDATE, [{"b_id": r["id"], **{f"b_{k}": r.get(k) for k in _WRITTEN},
                                            "b_processed_at": at} for r in rows])


def _add_to_series(session: Session, rows: list[dict[str, Any]]) -> None:
    counts = Counter((r.get("harm") or "", r.get("country") or "", r.get("language") or "",
                      bucket_of(r["occurred_at"])) for r in rows)
    values = [{"harm": h, "country": c, "language": lang, "bucket": b, "count": n}
              for (h, c, lang, b), n in sorted(counts.items())]
    ins = _insert(session)(SeriesBucket)
    stmt = ins.on_conflict_do_update(index_elements=["harm", "country", "language", "bucket"],
                                     set_={"count": SeriesBucket.count + ins.excluded.count})
    session.connection().execute(stmt, values)


def _match_media(session: Session, rows: list[dict[str, Any]], at: datetime) -> None:
    """Store the hash-list matches of the rows' media hashes; one event for the batch when any matched."""
    found = hashes.record_media_matches(session, {r["id"]: r.get("media_hash") for r in rows}, at=at)
    if found.stored:
        events.record(session, None, HashMatched(subject_id=f"{min(found.signal_ids)}-{max(found.signal_ids)}",
                                                 matches=found.stored, lists=found.per_list),
                      stream=HASH_MATCH_STREAM)


class StageCollector:
    """Pending signals and the age of the oldest, read from the database at each scrape."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield from self._families()

    def _families(self) -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (GaugeMetricFamily("rapidresponse_signals_pending",
                                  "Signals accepted and not yet processed by the pipeline stage"),
                GaugeMetricFamily("rapidresponse_signals_stage_lag_seconds",
                                  "How long the oldest pending signal has waited for the pipeline stage"))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pending, lag = self._families()
        try:
            with unit_of_work(read_only=True) as s:
                count = int(s.execute(select(func.count()).select_from(Signal).where(_PENDING)).scalar_one())
                oldest = s.execute(select(Signal.received_at).where(_PENDING).order_by(Signal.id)
                                   .limit(1)).scalar_one_or_none()
        except Exception:  # the database is away: the scrape still answers, without these two
            log.warning("stage lag unavailable", exc_info=True)
            return
        pending.add_metric([], count)
        lag.add_metric([], max(0.0, (now() - oldest).total_seconds()) if oldest is not None else 0.0)
        yield pending
        yield lag
