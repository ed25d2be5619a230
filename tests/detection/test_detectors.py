"""Detectors on generated series with known change points; causality; the vectorised bank equals its
plain-Python reference."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from serieskit import PER_DAY, noisy, poisson_counts, seasonal, timestamps

from rapidresponse.detection.detectors import (
    DETECTORS,
    LIKELIHOOD_CONFIG,
    GaussianBank,
    NoveltyBank,
    make_detector,
    run_batch,
)
from rapidresponse.detection.novelty import NoveltyConfig, _levels, level_scalar
from rapidresponse.detection.reference import NoveltyReference

WEEK = 7 * PER_DAY


def scores(x: np.ndarray, factory: type = NoveltyBank) -> np.ndarray:
    return run_batch(factory, [(timestamps(len(x)), x)])[0]


def assert_fires_near(s: np.ndarray, at: int, clean: slice, within: int = 5) -> None:
    near = s[at: at + within]
    assert near.max() >= 0.5, f"no alert within {within} buckets of the change at {at}"
    assert s[clean].max() < 0.5, f"alert on the clean part at {clean.start + int(s[clean].argmax())}"
    assert near.max() > s[clean].max()


def test_spike() -> None:
    x = noisy(4000)
    x[3000] += 30
    assert_fires_near(scores(x), 3000, slice(300, 3000), within=1)


def test_level_shift_alerts_once() -> None:
    x = noisy(4000)
    x[3000:] += 15
    s = scores(x)
    assert_fires_near(s, 3000, slice(300, 3000))
    assert (s[3000:] >= 0.5).sum() <= 3  # the new level is learned: no alert storm (1000 buckets here)


def test_seasonal_series_with_anomaly() -> None:
    x = seasonal(4 * WEEK)
    x[7000:7100] *= 1.6
    assert_fires_near(scores(x), 7000, slice(WEEK, 7000))


def test_seasonal_value_at_the_wrong_time() -> None:
    # A normal mid-day value at 3 a.m.: within the series' range, but never seen at that hour (the seasonal
    # residual: far from the mean of that hour of day).
    x = seasonal(4 * WEEK)
    at = 3 * WEEK + 36  # 03:00 on a Monday
    x[at: at + 6] = x[at - 36 + 144]  # the noon value
    assert_fires_near(scores(x), at, slice(WEEK, at))


def test_missing_daily_peak() -> None:
    # One weekday the mid-day peak does not come: the values stay at the early-morning level, seen every night.
    x = seasonal(4 * WEEK)
    day = 3 * WEEK + 2 * PER_DAY
    peak = slice(day + 9 * 12, day + 15 * 12)  # 09:00-15:00
    x[peak] = x[day: day + 6 * 12].mean()
    assert_fires_near(scores(x), peak.start, slice(WEEK, peak.start), within=12)


def test_residual_events_learn_what_is_routine() -> None:
    # The same 6-sd excursions, rare in one series and routine (every 20 buckets) in another: the rare one alarms,
    # the routine ones almost never do once learned (at most one of the last 100).
    rng = np.random.default_rng(11)
    rare, routine = noisy(4000, seed=12), noisy(4000, seed=13)
    rare[3000] += 12
    routine[::20] += 12 * rng.choice([-1.0, 1.0], 200)
    s_rare, s_routine = run_batch(NoveltyBank, [(timestamps(4000), rare), (timestamps(4000), routine)])
    assert s_rare[3000] >= 0.5
    assert (s_routine[2000:] >= 0.5).sum() <= 1


def test_dense_counts_with_burst() -> None:
    x = poisson_counts(6000, 3.0)
    x[5000:5024] = poisson_counts(24, 12.0, seed=9)
    s = scores(x)
    assert s[5000:5003].max() >= 0.5
    assert (s[300:5000] >= 0.5).sum() <= 2


def test_sparse_counts_with_burst() -> None:
    # A few reports an hour in 5-minute buckets; a burst of 4 per bucket for two hours.
    x = poisson_counts(6000, 0.25)
    x[5000:5024] = poisson_counts(24, 4.0, seed=9)
    s = scores(x)
    assert s[5000:5003].max() >= 0.5
    # Known limitation: the first time a rare count level appears it is novel. At most one a day here.
    assert (s[300:5000] >= 0.5).sum() <= 4700 // PER_DAY


def test_missing_buckets() -> None:
    x = noisy(4000)
    x[1000:1300] = np.nan  # a gap
    x[2000:2100:3] = np.nan  # scattered missing values
    x[3000] += 30
    s = scores(x)
    assert (s[np.isnan(x)] == 0).all()
    assert_fires_near(s, 3000, slice(300, 3000), within=1)


def test_gaps_in_time_and_idle_series() -> None:
    t = timestamps(4000)
    t[2000:] += 6 * 3600  # six hours with no rows at all
    x = noisy(4000)
    x[3000] += 30
    other = np.full(4000, np.nan)  # a series with no data at all
    s, idle = run_batch(NoveltyBank, [(t, x), (t, other)])
    assert s[3000] >= 0.5 and s[3000] > s[300:3000].max() and (idle == 0).all()


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_causal(name: str) -> None:
    x = seasonal(3000)
    x[2500] += 40
    before = scores(x, DETECTORS[name])  # type: ignore[arg-type]
    changed = x.copy()
    changed[1800:] = np.random.default_rng(7).normal(0, 100, 1200)
    after = scores(changed, DETECTORS[name])  # type: ignore[arg-type]
    np.testing.assert_array_equal(before[:1800], after[:1800])


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_scores_in_unit_interval(name: str) -> None:
    x = np.r_[noisy(500), noisy(500) * 1e6, np.zeros(300), noisy(200, level=-1e9)]
    s = scores(x, DETECTORS[name])  # type: ignore[arg-type]
    assert s.shape == x.shape and np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all()


@pytest.mark.parametrize("config", [NoveltyConfig(), LIKELIHOOD_CONFIG], ids=["default", "likelihood"])
def test_bank_equals_reference_across_series(config: NoveltyConfig) -> None:
    xs = [seasonal(1500), poisson_counts(1500, 0.5), noisy(1500), noisy(1500, seed=4)]
    xs[2][700:720] = np.nan  # one series of four missing: the in-place path
    xs[3][710:900] = np.nan  # two of four: the gather path
    xs[0][1200] += 50
    xs[2][1000:1010] += np.array([10, 20, 40, 80, 160, -10, -20, -40, -80, -160])  # geometric levels, both sides
    t = timestamps(1500)
    bank = run_batch(lambda n: NoveltyBank(n, config, table_bits=22), [(t, x) for x in xs])
    table = bytearray(1 << 22)
    refs = [NoveltyReference(config, series_index=j, n_series=len(xs), table=table, table_bits=22)
            for j in range(len(xs))]
    # row by row, as the bank steps (the series share the context table)
    expected = np.array([[ref.update(float(ti), float(x[i])) for ref, x in zip(refs, xs, strict=True)]
                         for i, ti in enumerate(t)])
    for j in range(len(xs)):
        np.testing.assert_allclose(bank[j], expected[:, j], rtol=0, atol=1e-12)
        assert (bank[j] > 0).any()


def test_geometric_levels_beyond_the_learned_range() -> None:
    # span 8, resolution 8: width 1; inside the range levels are linear, beyond it they double in width.
    offsets = np.array([0.0, 7.9, 8.0, 8.9, 9.0, 10.9, 11.0, 14.9, 15.0, 1000.0, -0.1, -0.9, -1.0, -2.9, -3.0])
    expected = [0, 7, 8, 8, 9, 9, 10, 10, 11, 17, -1, -1, -2, -2, -3]
    got = _levels(offsets[:, None], np.full((len(offsets), 1), 8.0), np.array([8.0]), np.zeros((len(offsets), 1)),
                  True)[:, 0]
    assert got.tolist() == expected
    assert [level_scalar(o, 8.0, 8, 0.0, True) for o in offsets] == expected
    assert [level_scalar(o, 8.0, 8, 0.0, False) for o in offsets] == np.floor(offsets).astype(int).tolist()


def test_heavy_tailed_series_does_not_alarm_on_every_larger_value() -> None:
    # Log-normal bursts whose range keeps growing past what was seen while learning: with geometric levels a
    # larger burst is a new level only when it doubles the excess, so larger values do not alarm each time.
    # The residual events add some of the far tail (values 10 sds above the mean: about 1 in 700 here), at a
    # steady rate of under one alert a day, not one for every value 5 sds out (1 in 140 here).
    rng = np.random.default_rng(5)
    x = np.exp(rng.normal(0.0, 1.0, 6000))
    s = scores(x)
    alerts = int((s[1000:] >= 0.5).sum())
    far = int((x[1000:] > x.mean() + 5 * x.std()).sum())
    assert alerts <= 12 and alerts * 2 < far


def test_streaming_detector_matches_batch() -> None:
    x = noisy(800)
    x[700] += 30
    det = make_detector()
    streamed = [det.update(datetime.fromtimestamp(float(ti), UTC), float(xi))
                for ti, xi in zip(timestamps(800), x, strict=True)]
    np.testing.assert_array_equal(streamed, scores(x))
    assert max(streamed) == streamed[700]


def test_gaussian_baseline_fires_on_spike() -> None:
    x = noisy(2000)
    x[1500] += 30
    s = scores(x, GaussianBank)
    assert s[1500] > 0.999 and s[1500] >= s[100:].max()


def test_non_finite_timestamps_do_not_break_the_bank() -> None:
    # A bad clock value must not index outside the hour-slot statistics (in either path of the bank).
    bank = NoveltyBank(4, table_bits=16)
    for i in range(30):
        t = timestamps(4)[:1].repeat(4) + i * 300.0
        t[i % 4] = [np.nan, np.inf, -np.inf, 1e300][i % 4]
        x = noisy(4, seed=i)
        x[(i + 1) % 4] = np.nan if i % 3 else x[(i + 1) % 4]
        s = bank.step(t, x)
        assert np.isfinite(s).all() and ((s >= 0) & (s <= 1)).all()
