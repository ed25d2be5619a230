"""CAD OSE (``--detector cad``): its behaviour on series of our own, and its per-row output against the outputs NAB
publishes for it (``data/contextOSE_art_daily_jumpsup_head.csv``: the first 1,500 rows of NAB's
artificialWithAnomaly/art_daily_jumpsup.csv with contextOSE's published anomaly_score, MIT licensed with NAB).
The whole development subset is checked by ``benchmarks/nab.py --cad-faithfulness``."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from serieskit import noisy, seasonal, timestamps

from rapidresponse.detection.base import run_batch
from rapidresponse.detection.cad import CadBank, CadConfig, CadSeries, classic_tuple_hash
from rapidresponse.detection.detectors import make_detector

HEAD = Path(__file__).parent / "data" / "contextOSE_art_daily_jumpsup_head.csv"
# NAB's harness conventions for that file (4,032 rows): its minimum and maximum, and probation 604 -> rest 120
HEAD_RANGE = (18.001009818, 164.947480513)
HEAD_REST = 120


def cad_scores(x: np.ndarray, config: CadConfig | None = None) -> np.ndarray:
    return run_batch(lambda n: CadBank(n, config), [(timestamps(len(x)), x)])[0]


def test_repeated_context_scores_low_and_a_new_one_high() -> None:
    det = CadSeries(0.0, 7.0, rest_period=30)
    cycle = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    learned = [det.update(v) for v in cycle * 60]
    assert max(learned[-80:]) < 0.2  # the cycle is predicted
    # 2 -> 6 never happened: a new context
    surprise = [det.update(v) for v in [0.0, 1.0, 2.0, 6.0]]
    assert surprise[-1] >= 0.75 and surprise[-1] > 4 * max(learned[-80:])
    # then the series rests: nothing for rest_period rows, whatever comes
    assert [det.update(v) for v in [7.0, 0.0, 7.0, 0.0] * 7] == [0.0] * 28


def test_reproduces_the_published_outputs() -> None:
    with HEAD.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    published = np.array([float(r["anomaly_score"]) for r in rows])
    det = CadSeries(*HEAD_RANGE, rest_period=HEAD_REST)
    ours = np.array([det.update(float(r["value"])) for r in rows])
    assert (published > 0).sum() > 50
    np.testing.assert_allclose(ours, published, rtol=0, atol=1e-11)  # published with 12 significant digits


def test_bank_with_ranges_equals_single_series() -> None:
    xs = [seasonal(800), noisy(800), noisy(800, seed=5)]
    xs[1][400:410] = np.nan  # missing rows change nothing and score 0
    ranges = [(float(np.nanmin(x)), float(np.nanmax(x))) for x in xs]
    bank = run_batch(lambda n: CadBank(n, ranges=ranges, rest_periods=[30, 60, 90]),
                     [(timestamps(800), x) for x in xs])
    for x, (lo, hi), rest, got in zip(xs, ranges, [30, 60, 90], bank, strict=True):
        det = CadSeries(lo, hi, rest_period=rest)
        expected = [0.0 if np.isnan(v) else det.update(float(v)) for v in x]
        np.testing.assert_array_equal(got, expected)
    assert (bank[1][400:410] == 0).all()


def test_deterministic() -> None:
    x = seasonal(2000)
    x[1500:1510] += 30
    np.testing.assert_array_equal(cad_scores(x), cad_scores(x.copy()))


def test_causal_when_rows_are_appended() -> None:
    x = seasonal(2000)
    short = cad_scores(x[:1200])
    longer = x.copy()
    longer[1200:] *= 3.0  # later rows far outside everything seen: they must not change the past
    np.testing.assert_array_equal(cad_scores(longer)[:1200], short)


def test_learns_its_range_then_alerts_on_a_new_shape() -> None:
    config = CadConfig(learn_rows=300)
    x = seasonal(3000)
    x[2500:2506] = x.max() * 2.0  # beyond the learned range: levels go on in the same steps, new facts
    s = cad_scores(x, config)
    assert (s[:300] == 0).all()  # the learning rows are replayed silently
    assert s[2500] >= 0.75
    assert s[2500] > np.quantile(s[300:2500], 0.99)


def test_streaming_detector_by_name() -> None:
    det = make_detector("cad")
    t, x = timestamps(600), noisy(600)
    s = [det.update(float(ti), float(v)) for ti, v in zip(t, x, strict=True)]
    np.testing.assert_array_equal(s, cad_scores(x))


def test_tie_break_hash_is_the_classic_tuple_hash() -> None:
    # CPython <= 3.7 on 64-bit: hash(()) == 3527539, hash((1, 2)) == 3713081631934410656
    assert classic_tuple_hash(()) == 3527539
    assert classic_tuple_hash((1, 2)) == 3713081631934410656
    assert classic_tuple_hash((-1,)) == classic_tuple_hash((-2,))


def test_candidate_order_is_cpython2_dict_order() -> None:
    from rapidresponse.detection.cad import _Py2IntDict

    def order(keys: list[int]) -> list[int]:
        d = _Py2IntDict()
        for k in keys:
            d.add(k)
        return [k for k in d.slots if k is not None]

    # CPython 2: dict.fromkeys([8, 0]).keys() == [8, 0] (both hash to slot 0 of 8); a rebuilt table re-sorts
    assert order([8, 0]) == [8, 0]
    assert order([3, 1, 2]) == [1, 2, 3]
    assert order([8, 0, 5, 6, 7, 9]) == [0, 5, 6, 7, 8, 9]  # the 6th key makes a table of 32 slots
