"""The NAB scorer on hand-made cases (benchmarks/nab.py checks it reproduces NAB's published scores)."""

from __future__ import annotations

import numpy as np
import pytest

from rapidresponse.detection.scoring import (
    MAX_TP,
    FileData,
    Profile,
    probation_rows,
    row_weights,
    scaled_sigmoid,
    score_corpus,
)

STANDARD = Profile("standard", tp=1.0, fp=0.11, fn=1.0)


def one_file(n: int = 100, window: tuple[int, int] = (50, 59), **scores: float) -> FileData:
    s = np.zeros(n)
    for key, value in scores.items():
        s[int(key.removeprefix("r"))] = value
    return FileData("cat/f.csv", s, [window])


def test_sigmoid_and_probation() -> None:
    assert scaled_sigmoid(3.5) == -1.0
    assert abs(MAX_TP - 0.98661) < 1e-5
    assert probation_rows(100) == 15 and probation_rows(10_000) == 750


def test_detection_at_left_edge_scores_a_tp() -> None:
    result = score_corpus([one_file(r50=0.9)], STANDARD)
    assert result.raw == pytest.approx(1.0) and result.score == pytest.approx(100.0)
    assert (result.tp, result.fp, result.fn, result.threshold) == (1, 0, 0, 0.9)


def test_later_detection_in_window_scores_less() -> None:
    early = score_corpus([one_file(r52=0.9)], STANDARD).raw
    late = score_corpus([one_file(r58=0.9)], STANDARD).raw
    assert 0 < late < early < 1.0


def test_miss_scores_minus_a_fn() -> None:
    result = score_corpus([one_file(r80=0.9)], STANDARD)  # the only detection is a false positive
    assert result.threshold == 1.1 and result.raw == pytest.approx(-1.0) and result.score == pytest.approx(0.0)
    assert (result.tp, result.fp, result.fn) == (0, 0, 1)


def test_false_positive_weights() -> None:
    weight, where = row_weights(100, [(50, 59)], STANDARD)
    assert weight[20] == pytest.approx(-0.11)  # before the first window
    assert weight[50] == pytest.approx(1.0) and where[50] == 0 and where[49] == -1
    assert weight[60] == pytest.approx(0.11 * scaled_sigmoid(1 / 9))  # just after: mildly negative
    assert weight[99] == pytest.approx(-0.11, abs=0.005)  # far after: nearly a full A_FP
    assert -0.11 < weight[60] < 0 and weight[99] < weight[60]


def test_detections_in_probation_are_ignored() -> None:
    result = score_corpus([one_file(window=(10, 19), r10=0.9)], STANDARD)
    assert result.fn == 1


def test_threshold_tie_goes_to_higher_theta() -> None:
    # θ=0.9 and θ=0.5 give the same raw score (0.5 adds only a later detection inside the window).
    result = score_corpus([one_file(r50=0.9, r55=0.5)], STANDARD)
    assert result.threshold == 0.9
