"""One series for a chart or the API: counts per 5-minute bucket, the expected count with its band, and the
alert crossings on it, over a window that ends at a bucket boundary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .. import signals
from ..auth import Actor, Perm
from ..errors import ValidationFailed
from ..signals import SeriesKey, bucket_of
from . import alerts

if TYPE_CHECKING:
    import numpy as np

BUCKET = timedelta(minutes=5)
MAX_HOURS = 24 * 7


@dataclass
class Crossing:
    bucket: datetime
    index: int
    score: float
    observed: int
    alert_id: int


@dataclass
class SeriesData:
    key: SeriesKey
    start: datetime
    end: datetime
    values: np.ndarray
    expected: np.ndarray
    low: np.ndarray
    high: np.ndarray
    crossings: list[Crossing]

    @property
    def times(self) -> list[datetime]:
        return [self.start + i * BUCKET for i in range(len(self.values))]


def load(session: Session, actor: Actor, key: SeriesKey, end: datetime, hours: int = 24) -> SeriesData:
    import numpy as np

    from . import baseline

    actor.require(Perm.ALERTS_READ)
    if not 1 <= hours <= MAX_HOURS:
        raise ValidationFailed(f"hours must be 1 to {MAX_HOURS}", field="hours")
    end = bucket_of(end)
    start = end - timedelta(hours=hours)
    lead = start - timedelta(days=baseline.DAYS)
    n_all = int((end - lead) / BUCKET)
    values = np.zeros(n_all)
    for *_, b, count in signals.series_counts(session, lead, end, [key]):
        values[int((b - lead) / BUCKET)] += count
    row = values.reshape(1, -1)
    first = n_all - int((end - start) / BUCKET)
    expect = np.array([baseline.expected(row, i)[0] for i in range(first, n_all)])
    low, high = baseline.band(expect)
    crossings = []
    for alert in alerts.history(session, key):
        for c in alert.crossings:
            at = datetime.fromisoformat(c["bucket"])
            if start <= at < end:
                crossings.append(Crossing(at, int((at - start) / BUCKET), float(c["score"]), int(c["observed"]),
                                          alert.id))
    crossings.sort(key=lambda c: c.bucket)
    return SeriesData(key, start, end, values[first:], expect, low, high, crossings)
