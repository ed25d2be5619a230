"""Thresholds per series family (a harm; ``*`` is the default) and their backtest over stored history.

The backtest replays the family's stored series of the last ``days`` through a fresh detector bank (the
same factory the tick uses) and counts the alerts a threshold would have raised: a crossing raises one
unless the same series crossed within ``COOLDOWN`` before it (the alert would still be open). The detector
engine (numpy) is loaded by the first backtest or tick, not by the import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, signals
from ..auth import Actor, Perm
from ..clock import now
from ..errors import NotFound, ValidationFailed
from ..signals import SeriesKey, bucket_of
from .alerts import HISTORY_BUCKETS, MIN_SPIKE, enough_evidence, is_spike
from .events import ThresholdChanged, ThresholdCleared
from .models import Threshold
from .vocab import DEFAULT_DETECTOR, DEFAULT_FAMILY, DEFAULT_THRESHOLD

if TYPE_CHECKING:
    import numpy as np

COOLDOWN = timedelta(hours=2)
BUCKET = timedelta(minutes=5)
MAX_DAYS = 30
ARMED = 12  # as the tick


def table(session: Session) -> dict[str, float]:
    """Every family's threshold; ``*`` is always there."""
    found = {t.family: t.threshold for t in session.execute(select(Threshold)).scalars()}
    found.setdefault(DEFAULT_FAMILY, DEFAULT_THRESHOLD)
    return found


def for_harm(values: dict[str, float], harm: str) -> float:
    return values.get(harm, values[DEFAULT_FAMILY])


def limits(session: Session, keys: list[SeriesKey]) -> np.ndarray:
    import numpy as np

    values = table(session)
    return np.array([for_harm(values, k[0]) for k in keys], dtype=float)


def list_thresholds(session: Session, actor: Actor) -> list[Threshold]:
    actor.require(Perm.ALERTS_READ)
    rows = {t.family: t for t in session.execute(select(Threshold)).scalars()}
    if DEFAULT_FAMILY not in rows:
        rows[DEFAULT_FAMILY] = Threshold(family=DEFAULT_FAMILY, threshold=DEFAULT_THRESHOLD,
                                         updated_at=datetime.fromtimestamp(0).astimezone(), updated_by="system")
    return sorted(rows.values(), key=lambda t: (t.family != DEFAULT_FAMILY, t.family))


def _check(family: str, value: float) -> None:
    if family != DEFAULT_FAMILY and (not family or len(family) > 60 or not all(
            ch.isalnum() or ch in "_-." for ch in family) or family != family.lower() or "\x00" in family):
        raise ValidationFailed(f"{family[:80]!r}: a family is a harm slug (lowercase, digits, _ . -) or '*'",
                               field="family")
    if not 0.0 < value <= 1.0:
        raise ValidationFailed("threshold must be in (0, 1]", field="threshold")


def set_threshold(session: Session, actor: Actor, family: str, value: float) -> Threshold:
    actor.require(Perm.DETECTION_MANAGE)
    _check(family, value)
    row = session.get(Threshold, family)
    before = row.threshold if row else (DEFAULT_THRESHOLD if family == DEFAULT_FAMILY else None)
    if row is None:
        row = Threshold(family=family, threshold=value, updated_at=now(), updated_by=actor.label)
        session.add(row)
    row.threshold, row.updated_at, row.updated_by = value, now(), actor.label
    session.flush()
    events.record(session, actor, ThresholdChanged(subject_id="thresholds", family=family, previous=before, to=value))
    return row


def clear_threshold(session: Session, actor: Actor, family: str) -> None:
    """Drop a family's own threshold (it falls back to the default); the default cannot be dropped."""
    actor.require(Perm.DETECTION_MANAGE)
    row = session.get(Threshold, family)
    if row is None or family == DEFAULT_FAMILY:
        raise NotFound(f"no own threshold for {family[:80]!r}")
    session.delete(row)
    events.record(session, actor, ThresholdCleared(subject_id="thresholds", family=family, previous=row.threshold))


@dataclass
class BacktestHit:
    series: str
    at: datetime
    score: float


@dataclass
class Backtest:
    family: str
    threshold: float
    current: float
    days: int
    series: int
    buckets: int
    alerts: list[BacktestHit]
    alerts_at_current: int


def episodes(scores: np.ndarray, start: datetime, threshold: float, values: np.ndarray
             ) -> list[tuple[datetime, float]]:
    """Alerts a threshold raises on one series, as the tick does: a score at the threshold arms the series
    for an hour, the first armed bucket with at least ``MIN_SPIKE`` reports fires if its count is above the
    expected band and improbable under the series' last week (:func:`.alerts.enough_evidence`), and a series
    fires at most once per cooldown."""
    from .baseline import expected

    out: list[tuple[datetime, float]] = []
    last: datetime | None = None
    armed_until, armed_score = -1, 0.0
    row = values.reshape(1, -1)
    for i in range(len(scores)):
        if scores[i] >= threshold:
            armed_score = max(float(scores[i]), armed_score if armed_until >= i else 0.0)
            armed_until = i + ARMED
        if armed_until < i or values[i] < MIN_SPIKE:
            continue
        armed_until = -1
        if not is_spike(float(values[i]), float(expected(row, i)[0])) or not enough_evidence(
                int(values[i]), values[max(0, i - HISTORY_BUCKETS):i].tolist()):
            continue
        at = start + i * BUCKET
        if last is None or at - last > COOLDOWN:
            out.append((at, armed_score))
        last = at
    return out


def backtest(session: Session, actor: Actor, family: str, threshold: float, *, days: int = MAX_DAYS,
             detector: str = DEFAULT_DETECTOR, at: datetime | None = None) -> Backtest:
    """How many alerts ``threshold`` would have raised on the family's series over the last ``days``."""
    import numpy as np

    from .base import run_batch
    from .detectors import bank_factory

    actor.require(Perm.ALERTS_READ)
    _check(family, threshold)
    if not 1 <= days <= MAX_DAYS:
        raise ValidationFailed(f"days must be 1 to {MAX_DAYS}", field="days")
    values = table(session)
    end = bucket_of(at or now())
    first = signals.first_bucket(session)
    start = max(end - timedelta(days=days), first or end)  # as the tick: replay from the first data
    keys = [k for k in signals.series_keys(session, since=start)
            if (k[0] == family) or (family == DEFAULT_FAMILY and k[0] not in values)]
    n = int((end - start) / BUCKET)
    index = {k: i for i, k in enumerate(keys)}
    x = np.zeros((len(keys), n))
    for h, c, lang, b, count in signals.series_counts(session, start, end):
        j = index.get((h, c, lang))
        if j is not None:
            x[j, int((b - start) / BUCKET)] += count
    epochs = np.array([start.timestamp() + i * BUCKET.total_seconds() for i in range(n)])
    scored = run_batch(bank_factory(detector), [(epochs, x[j]) for j in range(len(keys))]) if keys else []
    current = for_harm(values, family) if family != DEFAULT_FAMILY else values[DEFAULT_FAMILY]
    hits: list[BacktestHit] = []
    at_current = 0
    for key, scores in zip(keys, scored, strict=True):
        label = "/".join(p or "-" for p in key)
        values = x[index[key]]
        hits += [BacktestHit(label, when, s) for when, s in episodes(scores, start, threshold, values)]
        at_current += len(episodes(scores, start, current, values))
    hits.sort(key=lambda h: h.at)
    return Backtest(family, threshold, current, days, len(keys), n, hits, at_current)
