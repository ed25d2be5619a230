"""The default with a persistence rule and a re-baseline after a persistent shift (``novelty-shift``,
``novelty-persist``): behaviour on generated series against the default's, causality, determinism, missing
buckets, streaming and snapshot state."""

from __future__ import annotations

import numpy as np
import pytest
from serieskit import PER_DAY, noisy, poisson_counts, seasonal, timestamps

from rapidresponse.detection.detectors import DETECTORS, make_detector, run_batch
from rapidresponse.detection.shift import ShiftBank, ShiftConfig

WEEK = 7 * PER_DAY
NAMES = ["novelty-shift", "novelty-persist"]


def scores(x: np.ndarray, name: str = "novelty-shift") -> np.ndarray:
    return run_batch(DETECTORS[name], [(timestamps(len(x)), x)])[0]


def offsets(x: np.ndarray, shift: ShiftConfig | None = None) -> np.ndarray:
    bank, t, out = ShiftBank(1, shift=shift), timestamps(len(x)), []
    for i in range(len(x)):
        bank.step(t[i:i + 1], x[i:i + 1])
        out.append(float(bank.offset[0]))
    return np.array(out)


def test_rebaselines_after_a_sustained_shift() -> None:
    # A seasonal series moves up for good: both report the onset; the default keeps alerting on the new level
    # (new levels at hours and weekdays it has not seen them at), the re-baselined one does not.
    x = seasonal(4 * WEEK)
    at = 2 * WEEK + 100
    x[at:] += 20
    default, shifted = scores(x, "novelty"), scores(x)
    assert default[at:at + 12].max() >= 0.5 and shifted[at:at + 12].max() >= 0.5
    after = slice(at + 12, None)
    assert (shifted[after] >= 0.5).sum() < (default[after] >= 0.5).sum()
    assert shifted[after].max() < 0.5
    # the offset moves up by about the shift within the hour after the onset (the series' own scale: not counts;
    # not exactly 20: the hour-of-day means had learned part of the new level and of an earlier, weekend change)
    off = offsets(x)
    assert 10.0 < off[at + 12] - off[at - 1] < 40.0
    assert np.abs(np.diff(off[at + 40:])).max() < 1.0  # then it stays


def test_no_rebaseline_without_a_reported_onset() -> None:
    # A change of half a noise sd is persistent for the CUSUM but never surprising enough to alert: no offset
    # (without the link to an alert, the CUSUM alone re-baselines).
    x = noisy(4000)
    x[2500:] += 1.0
    assert not offsets(x).any()
    assert offsets(x, ShiftConfig(after_alert=False))[2500:].any()


def test_still_flags_a_spike_after_the_shift() -> None:
    x = noisy(5000)
    x[2500:] += 15
    x[4000:4003] += 40  # three buckets: a spike that persists past the persistence rule
    s = scores(x)
    assert s[4000:4004].max() >= 0.5
    assert s[4000:4004].max() > s[2600:4000].max()


def test_a_one_bucket_burst_is_not_reported() -> None:
    # The default reports a one-bucket burst in dense counts; with the persistence rule, nothing confirms it.
    x = poisson_counts(6000, 30.0)
    x[5000] = 150
    assert scores(x, "novelty")[5000] >= 0.5
    for name in NAMES:
        assert scores(x, name)[4990:5020].max() < 0.5, name


@pytest.mark.parametrize("name", NAMES)
def test_an_outbreak_is_reported_a_bucket_later(name: str) -> None:
    x = poisson_counts(6000, 30.0)
    x[5000:5024] = poisson_counts(24, 90.0, seed=9)
    default, s = scores(x, "novelty"), scores(x, name)
    first = 5000 + int(np.argmax(default[5000:] >= 0.5))
    assert first < 5003
    assert s[first + 1] == default[first]  # held one bucket, released by the next high bucket
    # the default's alerts on single high buckets of the noise before it (a gamma-free Poisson series) are gone
    assert (default[300:5000] >= 0.4).sum() >= 5
    assert s[300:5000].max() < 0.4


@pytest.mark.parametrize("name", NAMES)
def test_causal_and_deterministic(name: str) -> None:
    x = seasonal(3000)
    x[2000:] += 20
    x[2500:2503] += 40
    before = scores(x, name)
    np.testing.assert_array_equal(before, scores(x.copy(), name))
    changed = x.copy()
    changed[1800:] = np.random.default_rng(7).normal(0, 100, 1200)
    np.testing.assert_array_equal(before[:1800], scores(changed, name)[:1800])
    longer = np.r_[x, noisy(500, level=1e6)]
    np.testing.assert_array_equal(before, scores(longer, name)[:3000])


@pytest.mark.parametrize("name", NAMES)
def test_missing_buckets_score_zero_and_leave_the_state(name: str) -> None:
    # A series with a few missing buckets, stepped beside a complete one (the bank steps the missing ones on a
    # filler value and puts their state back): 0 on the gaps, and the same as without the gap rows when they
    # fall in a quiet stretch (the time of day is the same in both: whole days missing).
    x = noisy(4000)
    x[2500:] += 15
    x[3500:3503] += 40
    gappy = x.copy()
    gappy[1000:1000 + PER_DAY] = np.nan
    kept = ~np.isnan(gappy)
    t = timestamps(len(gappy))
    with_gap, _ = run_batch(DETECTORS[name], [(t, gappy), (t, noisy(len(gappy), seed=5))])
    alone = run_batch(DETECTORS[name], [(t[kept], gappy[kept])])[0]
    assert (with_gap[~kept] == 0).all()
    np.testing.assert_array_equal(with_gap[kept], alone)
    assert with_gap[3500:3504].max() >= 0.5


def test_streaming_matches_batch_and_state_round_trips() -> None:
    x = noisy(900)
    x[500:] += 15
    x[800:803] += 40
    det = make_detector("novelty-shift")
    streamed = np.array([det.update(float(t), float(v)) for t, v in zip(timestamps(len(x)), x, strict=True)])
    np.testing.assert_array_equal(streamed, scores(x))
    # a bank restored from another's state continues exactly as it would have
    t = timestamps(len(x))
    first, second = ShiftBank(1), ShiftBank(1)
    for i in range(600):
        first.step(t[i:i + 1], x[i:i + 1])
    second.load_state(first.state())
    rest = [(first.step(t[i:i + 1], x[i:i + 1])[0], second.step(t[i:i + 1], x[i:i + 1])[0]) for i in range(600, 900)]
    assert [a for a, _ in rest] == [b for _, b in rest]
    assert {"offset", "pending", "s_up"} <= set(first.state())


def test_snapshot_configs_differ_by_rule() -> None:
    from rapidresponse.detection import snapshot

    def config(name: str) -> str | None:
        return snapshot.config_of(DETECTORS[name](3))

    names = ["novelty", *NAMES]
    assert None not in [config(n) for n in names]
    assert len({config(n) for n in names}) == 3


def test_bad_configuration_is_refused() -> None:
    from rapidresponse.detection.novelty import NoveltyConfig

    with pytest.raises(ValueError, match="residual statistics"):
        ShiftBank(2, NoveltyConfig(deviations=()))
    with pytest.raises(ValueError, match="confirm"):
        ShiftBank(2, shift=ShiftConfig(confirm=-1))
