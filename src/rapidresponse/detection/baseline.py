"""The expected count of a bucket: a simple causal seasonal baseline, the median of the same time of day
over the last days (the previous hour's median until a day of history exists), with a Poisson band."""

from __future__ import annotations

import numpy as np

from .series_io import FloatArray

BUCKETS_PER_DAY = 288  # 5-minute buckets
DAYS = 7
RECENT = 12


def expected(history: FloatArray, i: int) -> FloatArray:
    """Expected counts at column ``i`` of ``history`` (series × buckets), from columns before ``i`` only."""
    same_time = [i - k * BUCKETS_PER_DAY for k in range(1, DAYS + 1) if i - k * BUCKETS_PER_DAY >= 0]
    if same_time:
        return np.asarray(np.median(history[:, same_time], axis=1), dtype=float)
    if i == 0:
        return np.zeros(history.shape[0])
    return np.asarray(np.median(history[:, max(0, i - RECENT):i], axis=1), dtype=float)


def expected_series(values: FloatArray) -> FloatArray:
    """Expected count for every bucket of one series (for charts)."""
    row = values.reshape(1, -1)
    return np.array([expected(row, i)[0] for i in range(values.shape[0])])


def band(expect: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A Poisson band around the expected count (about ±2 standard deviations)."""
    spread = 2.0 * np.sqrt(np.maximum(expect, 1.0))
    return np.maximum(expect - spread, 0.0), expect + spread


def growth(history: FloatArray, i: int) -> FloatArray:
    """The last hour's count over the hour before (at least 1 in the denominator)."""
    last = history[:, max(0, i - RECENT + 1):i + 1].sum(axis=1)
    before = history[:, max(0, i - 2 * RECENT + 1):max(0, i - RECENT + 1)].sum(axis=1)
    return np.asarray(last / np.maximum(before, 1.0), dtype=float)


def run_start(values: FloatArray, expect: FloatArray, i: int, limit: int = BUCKETS_PER_DAY) -> int:
    """The first bucket of the run of above-expected buckets that ends at ``i`` (one series)."""
    j = i
    while j > 0 and i - j < limit and values[j - 1] > expect[j - 1]:
        j -= 1
    return j
