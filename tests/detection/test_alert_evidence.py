"""The minimum-evidence rule of the alert queue: a crossing raises an alert only if its count is improbable
under the series' own last week (negative binomial with that week's mean and variance, Poisson when it is not
overdispersed)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts

BUCKET = timedelta(minutes=5)
WEEK = 7 * 288


def test_upper_tail_matches_closed_forms() -> None:
    for m in (0.05, 0.7, 3.0, 40.0):
        assert alerts.upper_tail(1, m, m) == pytest.approx(1.0 - math.exp(-m), rel=1e-9)
        k = int(m) + 5
        direct = 1.0 - sum(math.exp(-m) * m ** j / math.factorial(j) for j in range(k))
        assert alerts.upper_tail(k, m, m) == pytest.approx(direct, rel=1e-6, abs=1e-15)
        # a negative binomial of size 1 is geometric: variance m + m², P(X >= k) = (m / (1 + m))^k
        for k in (1, 3, 8):
            assert alerts.upper_tail(k, m, m + m * m) == pytest.approx((m / (1.0 + m)) ** k, rel=1e-9)
    assert alerts.upper_tail(0, 1.0, 1.0) == 1.0
    assert alerts.upper_tail(5, 0.1, 0.6) > 100 * alerts.upper_tail(5, 0.1, 0.1)  # bursty history: likelier


def test_a_handful_is_evidence_on_a_quiet_series_and_not_on_a_bursty_one() -> None:
    rng = np.random.default_rng(4)
    quiet = rng.poisson(0.1, WEEK).astype(float)
    bursty = quiet.copy()
    bursty[rng.choice(WEEK, 30, replace=False)] += rng.integers(3, 8, 30)  # a handful, four times a day
    assert alerts.enough_evidence(5, quiet.tolist())
    assert not alerts.enough_evidence(5, bursty.tolist())
    assert not alerts.enough_evidence(25, rng.poisson(20.0, WEEK).astype(float).tolist())  # dense: 25 is noise
    assert alerts.enough_evidence(5, [])  # no history: a handful is news
    assert alerts.evidence(6, bursty.tolist()) < alerts.evidence(5, bursty.tolist())


@pytest.fixture
def week(make_series_counts: Callable[[list[dict[str, Any]]], None]) -> Callable[..., datetime]:
    def store(key: tuple[str, str, str], values: np.ndarray, end: datetime) -> datetime:
        start = end - len(values) * BUCKET
        make_series_counts([{"harm": key[0], "country": key[1], "language": key[2], "bucket": start + i * BUCKET,
                             "count": int(v)} for i, v in enumerate(values) if v])
        return end

    return store


def test_a_crossing_on_a_series_whose_week_makes_its_count_likely_raises_nothing(
        fake_clock: Any, week: Callable[..., datetime]) -> None:
    rng = np.random.default_rng(9)
    end = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    quiet, bursty = ("self_harm", "BY", "be"), ("phishing", "UZ", "uz")
    history = rng.poisson(0.1, WEEK).astype(float)
    week(quiet, history, end)
    noisy = history.copy()
    noisy[rng.choice(WEEK, 30, replace=False)] += rng.integers(3, 8, 30)
    week(bursty, noisy, end)
    fake_clock.now = end + BUCKET
    with unit_of_work() as s:
        assert alerts.on_crossing(s, bursty, bucket=end, score=0.9, threshold=0.6, observed=6) == "below"
        assert alerts.on_crossing(s, quiet, bucket=end, score=0.9, threshold=0.6, observed=6) == "raised"
