"""The detection tick: advance the detector bank by every closed 5-minute bucket, raise or update alerts.

One run per closed bucket, exactly once: the cursor row (``detection_cursor``) says how far detection got,
and a tick claims it with ``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite: the write lock taken at BEGIN), so
of two workers one ticks and the other skips; it then finds the cursor moved and has nothing to do.

State. The detector state is a deterministic function of the stored series: every live series is replayed
from the cursor's *anchor* (the first bucket detection saw, at most ``MAX_REPLAY`` back; when the history
since it grows past that, the anchor moves to ``REANCHOR`` back and every worker rebuilds), missing buckets
(and buckets before a series' first report) counting as zero. A worker keeps the bank in memory between
ticks; a restarted (or a second) worker rebuilds it by replaying the series table up to the cursor, so a
restart gives the same scores and so the same alerts. A series that appears later gets a bank of its own,
replayed from the anchor on its own counts (zeros before its first report), so the others are not replayed.
A tick whose transaction rolls back leaves the memory ahead of the cursor; the next tick sees that and rebuilds.

Snapshots. Replaying a day of 10,000 series takes seconds; so after a tick commits, the worker saves its
state (:mod:`.snapshot`) once it has advanced ``RAPIDRESPONSE_DETECTION_SNAPSHOT_MINUTES`` past the latest
snapshot, and a worker without state loads the latest usable snapshot and replays only the buckets after it.
The state so loaded is the one the worker that saved it had, so the scores and alerts are the same.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import numpy as np
import structlog
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .. import clock, signals
from ..config import get_settings
from ..db import insert_ignore, unit_of_work
from ..signals import SeriesKey, bucket_of
from . import alerts, snapshot, thresholds
from .base import DetectorBank
from .detectors import DEFAULT_DETECTOR, bank_factory
from .models import DetectionCursor
from .snapshot import State as _State

BUCKET = timedelta(minutes=5)
MAX_REPLAY = timedelta(days=35)
REANCHOR = timedelta(days=28)  # when the history since the anchor passes MAX_REPLAY, it moves to this far back
CHUNK = 288  # buckets loaded per query while replaying
ARMED = 12  # buckets a crossing waits for the counts to spike (an hour)
Key = SeriesKey
log = structlog.get_logger("rapidresponse.detection.tick")


@dataclass
class Crossing:
    key: Key
    bucket: datetime
    score: float
    threshold: float
    observed: int


@dataclass
class TickReport:
    skipped: bool = False
    buckets: int = 0
    series: int = 0
    crossings: list[Crossing] = field(default_factory=list)
    raised: int = 0
    updated: int = 0
    rebuilt: bool = False  # the state was not in memory: loaded from a snapshot and/or replayed
    snapshot: datetime | None = None  # the last bucket of the snapshot it was loaded from


def _epochs(start: datetime, n: int) -> list[float]:
    base = start.timestamp()
    return [base + i * BUCKET.total_seconds() for i in range(n)]


def _matrix(rows: list[tuple[str, str, str, datetime, int]], index: dict[Key, int], start: datetime,
            n_buckets: int) -> np.ndarray:
    x = np.zeros((len(index), n_buckets))
    step = BUCKET.total_seconds()
    for h, c, lang, b, n in rows:
        j = index.get((h, c, lang))
        if j is not None:
            x[j, round((b - start).total_seconds() / step)] += n
    return x


def _step(groups: list[tuple[DetectorBank, int, int]], epoch: float, values: np.ndarray) -> np.ndarray:
    if len(groups) == 1:
        bank, lo, hi = groups[0]
        return bank.step(np.full(hi - lo, epoch), values[lo:hi])
    return np.concatenate([bank.step(np.full(hi - lo, epoch), values[lo:hi]) for bank, lo, hi in groups])


def _arm(scores: np.ndarray, limits: np.ndarray, epoch: float, values: np.ndarray, armed_until: np.ndarray,
         armed_score: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[int, float]]]:
    """A score at the threshold arms its series for ``ARMED`` buckets; the first armed bucket with at least
    ``MIN_SPIKE`` reports fires (and disarms). Returns the new arrays and the (series, score) that fired."""
    hit = scores >= limits
    armed_score = np.where(hit, np.maximum(scores, np.where(armed_until >= epoch, armed_score, 0.0)), armed_score)
    armed_until = np.where(hit, epoch + ARMED * BUCKET.total_seconds(), armed_until)
    fire = (armed_until >= epoch) & (values >= alerts.MIN_SPIKE)
    fired = [(int(j), float(armed_score[j])) for j in np.nonzero(fire)[0]]
    armed_until = np.where(fire, -np.inf, armed_until)
    return armed_until, armed_score, fired


class Ticker:
    """One worker's detection: its in-memory bank, rebuilt from the series table when it is behind."""

    def __init__(self, detector: str = DEFAULT_DETECTOR) -> None:
        self.detector = detector
        self._state: _State | None = None
        self._lock = threading.Lock()
        self._saved: tuple[datetime, datetime] | None = None  # (anchor, last bucket) of the latest snapshot known
        self._config: str | None = snapshot.config_of(bank_factory(detector)(1))

    def forget(self) -> None:
        """Drop the in-memory state (what a restart does)."""
        self._state = None

    def state_arrays(self) -> tuple[list[Key], dict[str, np.ndarray]]:
        """The series and a copy of every state array (what a snapshot holds), as of the last tick."""
        with self._lock:
            s = self._state
            if s is None:
                return [], {}
            return list(s.keys), {name: a.copy() for name, a in snapshot.arrays_of(s).items()}

    def save_snapshot(self, *, force: bool = False, expect: tuple[_State, datetime] | None = None) -> int | None:
        """Save the state as a snapshot if it is due (always with ``force``) and the cursor is still where the
        state is, in a transaction of its own; the bytes stored, or None. ``expect``: only if the state is still
        this one at this bucket (the tick that registered the call has not been followed by another)."""
        minutes = get_settings().detection_snapshot_minutes
        if self._config is None or not (minutes or force):
            return None
        with self._lock:
            s = self._state
            if s is None or s.until is None or (expect is not None and (s is not expect[0] or s.until != expect[1])):
                return None
            if not force and self._saved is not None and self._saved[0] == s.anchor \
                    and s.until - self._saved[1] < timedelta(minutes=minutes):
                return None
            data = snapshot.encode(s, self._config)
        with unit_of_work() as session:
            last = snapshot.latest(session, s.detector, s.anchor)
            if not force and last is not None and s.until - last < timedelta(minutes=minutes):
                self._saved = (s.anchor, last)  # another worker saved one meanwhile
                return None
            if not snapshot.save(session, s, data, self._config, keep=get_settings().detection_snapshot_keep,
                                 at=clock.now()):
                return None
        self._saved = (s.anchor, s.until)
        return len(data)

    def _after_commit(self, state: _State, until: datetime, _session: Session) -> None:
        try:
            self.save_snapshot(expect=(state, until))
        except Exception:  # the tick committed; a missing snapshot only means a longer replay after a restart
            log.exception("detection snapshot not saved", detector=self.detector, until=until.isoformat())

    def _claim(self, session: Session) -> DetectionCursor | None:
        insert_ignore(session, DetectionCursor, {"name": self.detector, "detector": self.detector}, "name")
        cursor: DetectionCursor | None = session.execute(
            select(DetectionCursor).where(DetectionCursor.name == self.detector)
            .with_for_update(skip_locked=True).execution_options(populate_existing=True)).scalar_one_or_none()
        return cursor

    def _advance(self, session: Session, state: _State, start: datetime, end: datetime,
                 on_step: list[Crossing] | None, limits: np.ndarray) -> None:
        """Step the bank through buckets [start, end] (inclusive), loading a day of counts at a time.

        A score at or above the threshold *arms* the series for ``ARMED`` buckets (the detector reports an
        episode once, often at its first few reports); the first armed bucket with at least ``MIN_SPIKE``
        reports disarms it and is a crossing, which :func:`.alerts.on_crossing` checks against the expected
        band. Arming is part of the replayed state, so a restart arms exactly as the live run did.
        """
        at = start
        while at <= end:
            n = min(CHUNK, int((end - at) / BUCKET) + 1)
            rows = signals.series_counts(session, at, at + n * BUCKET)
            x = _matrix(rows, state.index, at, n)
            for i, epoch in enumerate(_epochs(at, n)):
                scores = _step(state.groups, epoch, x[:, i])
                state.armed_until, state.armed_score, fired = _arm(scores, limits, epoch, x[:, i],
                                                                   state.armed_until, state.armed_score)
                if on_step is not None:
                    for j, score in fired:
                        on_step.append(Crossing(state.keys[j], at + i * BUCKET, score, float(limits[j]),
                                                int(x[j, i])))
            state.until = at + (n - 1) * BUCKET
            at += n * BUCKET

    def _rebuild(self, session: Session, anchor: datetime, until: datetime | None, keys: list[Key]) -> _State:
        state = _State(self.detector, anchor, list(keys), {k: i for i, k in enumerate(keys)},
                       [(bank_factory(self.detector)(max(len(keys), 1)), 0, len(keys))], None,
                       np.full(len(keys), -np.inf), np.zeros(len(keys)))
        if until is not None and keys:
            self._advance(session, state, anchor, until, None, thresholds.limits(session, keys))
        state.until = until
        return state

    def _grow(self, session: Session, state: _State, new: list[Key]) -> None:
        """Give series that appeared since the bank was built a bank of their own, replayed from the anchor
        to where the others are (their scores depend on their own counts only, so the others keep theirs)."""
        lo = len(state.keys)
        bank = bank_factory(self.detector)(len(new))
        armed_until, armed_score = np.full(len(new), -np.inf), np.zeros(len(new))
        if state.until is not None:
            index = {k: i for i, k in enumerate(new)}
            limits = thresholds.limits(session, new)
            at = state.anchor
            while at <= state.until:
                n = min(CHUNK, int((state.until - at) / BUCKET) + 1)
                x = _matrix(signals.series_counts(session, at, at + n * BUCKET, new), index, at, n)
                for i, epoch in enumerate(_epochs(at, n)):
                    scores = bank.step(np.full(len(new), epoch), x[:, i])
                    armed_until, armed_score = _arm(scores, limits, epoch, x[:, i], armed_until, armed_score)[:2]
                at += n * BUCKET
        state.keys.extend(new)
        state.index.update({k: lo + i for i, k in enumerate(new)})
        state.groups.append((bank, lo, lo + len(new)))
        state.armed_until = np.concatenate([state.armed_until, armed_until])
        state.armed_score = np.concatenate([state.armed_score, armed_score])

    def _current(self, cursor: DetectionCursor) -> _State | None:
        """The state in memory if it can be advanced to the cursor (not of another anchor, not ahead of it)."""
        s, done = self._state, cursor.processed_until
        if (s is None or s.detector != self.detector or s.anchor != cursor.anchor
                or (s.until is not None and (done is None or s.until > done))):
            return None
        return s

    def _load(self, session: Session, cursor: DetectionCursor) -> _State | None:
        """The state of the latest usable snapshot (see :mod:`.snapshot`), if snapshots are on."""
        if cursor.processed_until is None or self._config is None or not get_settings().detection_snapshot_minutes:
            return None
        assert cursor.anchor is not None
        s = snapshot.load(session, self.detector, self._config, cursor.anchor, cursor.processed_until,
                          bank_factory(self.detector))
        if s is not None:
            assert s.until is not None
            self._saved = (s.anchor, s.until)
        return s

    def _ready(self, session: Session, cursor: DetectionCursor, keys: list[Key], s: _State | None) -> _State:
        """``s`` (the state in memory or a snapshot's) advanced exactly to the cursor and covering ``keys``;
        without one, a state rebuilt from the anchor."""
        assert cursor.anchor is not None
        done = cursor.processed_until
        if s is None:
            self._saved = None
            return self._rebuild(session, cursor.anchor, done, keys)
        new = [k for k in keys if k not in s.index]
        if new:
            self._grow(session, s, new)
        if done is not None and (s.until is None or s.until < done):
            self._advance(session, s, (s.until + BUCKET) if s.until else cursor.anchor, done, None,
                          thresholds.limits(session, s.keys))
        return s

    def tick(self, session: Session, *, now: datetime | None = None, max_buckets: int | None = None) -> TickReport:
        """Process every closed bucket after the cursor (at most ``max_buckets``)."""
        with self._lock:
            return self._tick(session, now or clock.now(), max_buckets)

    def _tick(self, session: Session, at: datetime, max_buckets: int | None) -> TickReport:
        last_closed = bucket_of(at) - BUCKET
        pending = signals.oldest_pending(session)
        if pending is not None:  # a bucket closes for detection once the pipeline stage counted all of it
            last_closed = min(last_closed, bucket_of(pending) - BUCKET)
        cursor = self._claim(session)
        if cursor is None:
            return TickReport(skipped=True)
        alerts.expire_snoozes(session, at)
        if cursor.processed_until is None:
            first = signals.first_bucket(session)
            if first is None or first > last_closed:
                return TickReport()
            cursor.anchor = max(first, bucket_of(last_closed - MAX_REPLAY))
            snapshot.forget(session, self.detector)  # a new history: no snapshot of an earlier one applies
            start = cursor.anchor
        else:
            start = cursor.processed_until + BUCKET
            assert cursor.anchor is not None
            if cursor.processed_until - cursor.anchor > MAX_REPLAY:  # every worker replays from the new anchor
                cursor.anchor = bucket_of(cursor.processed_until - REANCHOR)
        if start > last_closed:
            return TickReport()
        end = last_closed if max_buckets is None else min(last_closed, start + (max_buckets - 1) * BUCKET)
        assert cursor.anchor is not None
        arriving = signals.series_keys(session, since=start)  # the buckets to process: an indexed range
        known = self._current(cursor)
        rebuilt = known is None
        if known is None:
            known = self._load(session, cursor)
        loaded = known.until if rebuilt and known is not None else None
        if known is not None and known.until is not None and known.until + BUCKET < start:
            # behind the cursor (a snapshot's state, or another worker ticked since): it has every series with a
            # bucket up to its last one, so only those that reported after it may be new
            keys = known.keys + [k for k in signals.series_keys(session, since=known.until + BUCKET)
                                 if k not in known.index]
        elif known is not None and all(k in known.index for k in arriving):
            keys = known.keys
        else:  # a new series, or no state yet: every series since the anchor
            keys = sorted(set(signals.series_keys(session, since=cursor.anchor)) | set(arriving))
        state = self._ready(session, cursor, keys, known)
        self._state = state
        limits = thresholds.limits(session, state.keys)
        found: list[Crossing] = []
        self._advance(session, state, start, end, found, limits)
        cursor.processed_until = end
        cursor.updated_at = at
        report = TickReport(buckets=int((end - start) / BUCKET) + 1, series=len(state.keys), crossings=found,
                            rebuilt=rebuilt, snapshot=loaded)
        for c in sorted(found, key=lambda c: (c.bucket, c.key)):
            outcome = alerts.on_crossing(session, c.key, bucket=c.bucket, score=c.score, threshold=c.threshold,
                                         observed=c.observed)
            if outcome == "raised":
                report.raised += 1
            elif outcome == "updated":
                report.updated += 1
        session.flush()
        if self._config is not None and get_settings().detection_snapshot_minutes:
            event.listen(session, "after_commit", partial(self._after_commit, state, end), once=True)
        return report


TICKER = Ticker()


def tick(session: Session, *, now: datetime | None = None, max_buckets: int | None = None) -> TickReport:
    return TICKER.tick(session, now=now, max_buckets=max_buckets)
