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
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import clock, signals
from ..db import insert_ignore
from ..signals import SeriesKey, bucket_of
from . import alerts, thresholds
from .base import DetectorBank
from .detectors import DEFAULT_DETECTOR, bank_factory
from .models import DetectionCursor

BUCKET = timedelta(minutes=5)
MAX_REPLAY = timedelta(days=35)
REANCHOR = timedelta(days=28)  # when the history since the anchor passes MAX_REPLAY, it moves to this far back
CHUNK = 288  # buckets loaded per query while replaying
ARMED = 12  # buckets a crossing waits for the counts to spike (an hour)
Key = SeriesKey


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
    rebuilt: bool = False


@dataclass
class _State:
    detector: str
    anchor: datetime
    keys: list[Key]
    index: dict[Key, int]
    groups: list[tuple[DetectorBank, int, int]]  # banks over keys[lo:hi]: series that appeared later get their own
    until: datetime | None  # the last bucket stepped (None: none yet)
    armed_until: np.ndarray  # epoch until which a series' crossing waits for a spike in its counts
    armed_score: np.ndarray


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

    def forget(self) -> None:
        """Drop the in-memory state (what a restart does)."""
        self._state = None

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

    def _ready(self, session: Session, cursor: DetectionCursor, keys: list[Key]) -> tuple[_State, bool]:
        """A state advanced exactly to the cursor, covering ``keys``; rebuilt when needed."""
        assert cursor.anchor is not None
        s = self._state
        done = cursor.processed_until
        if (s is None or s.detector != self.detector or s.anchor != cursor.anchor
                or (s.until is not None and (done is None or s.until > done))):
            return self._rebuild(session, cursor.anchor, done, keys), True
        new = [k for k in keys if k not in s.index]
        if new:
            self._grow(session, s, new)
        if done is not None and (s.until is None or s.until < done):
            self._advance(session, s, (s.until + BUCKET) if s.until else cursor.anchor, done, None,
                          thresholds.limits(session, s.keys))
        return s, False

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
        known = self._state
        if (known is not None and known.anchor == cursor.anchor and known.detector == self.detector
                and all(k in known.index for k in arriving)):
            keys = known.keys
        else:  # a new series, or no state yet: every series since the anchor
            keys = sorted(set(signals.series_keys(session, since=cursor.anchor)) | set(arriving))
        state, rebuilt = self._ready(session, cursor, keys)
        self._state = state
        limits = thresholds.limits(session, state.keys)
        found: list[Crossing] = []
        self._advance(session, state, start, end, found, limits)
        cursor.processed_until = end
        cursor.updated_at = at
        report = TickReport(buckets=int((end - start) / BUCKET) + 1, series=len(state.keys), crossings=found,
                            rebuilt=rebuilt)
        for c in sorted(found, key=lambda c: (c.bucket, c.key)):
            outcome = alerts.on_crossing(session, c.key, bucket=c.bucket, score=c.score, threshold=c.threshold,
                                         observed=c.observed)
            if outcome == "raised":
                report.raised += 1
            elif outcome == "updated":
                report.updated += 1
        session.flush()
        return report


TICKER = Ticker()


def tick(session: Session, *, now: datetime | None = None, max_buckets: int | None = None) -> TickReport:
    return TICKER.tick(session, now=now, max_buckets=max_buckets)
