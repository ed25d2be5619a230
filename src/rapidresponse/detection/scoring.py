"""The NAB score of a backtest, implemented from the benchmark's description (``shared/nab/README.md``).

Every scored row gets a weight (``row_weights``); the corpus raw score at threshold θ is the sum, over windows,
of the weight of the earliest detection inside the window (``-A_FN`` if none) plus the weights of all
detections outside windows. One θ for the corpus, chosen to maximise the raw score (ties: higher θ).
The sweep over θ is exact and O(n log n): each row contributes a step to R(θ) at θ = its score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .series_io import FloatArray, SeriesFileError, parse_timestamp, read_series

PROBATION_FRACTION = 0.15
PROBATION_MAX_ROWS = 750
NO_DETECTION_THRESHOLD = 1.1


def scaled_sigmoid(x: float) -> float:
    """``S(x) = -1 if x > 3 else 2/(1+exp(5x)) - 1``."""
    return -1.0 if x > 3.0 else 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


MAX_TP = scaled_sigmoid(-1.0)


def sig(x: FloatArray) -> FloatArray:
    """``scaled_sigmoid`` on an array."""
    out: FloatArray = np.where(x > 3.0, -1.0, 2.0 / (1.0 + np.exp(np.minimum(5.0 * x, 50.0))) - 1.0)
    return out


@dataclass(frozen=True)
class Profile:
    name: str
    tp: float
    fp: float
    fn: float


@dataclass
class FileData:
    """One scored file: anomaly scores per row and windows as inclusive row ranges."""

    key: str
    scores: FloatArray
    windows: list[tuple[int, int]]

    @property
    def probation(self) -> int:
        return probation_rows(len(self.scores))


@dataclass
class ProfileResult:
    profile: str
    score: float
    raw: float
    threshold: float
    tp: int
    fp: int
    fn: int
    per_file: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"profile": self.profile, "score": self.score, "raw": self.raw, "threshold": self.threshold,
                "tp": self.tp, "fp": self.fp, "fn": self.fn, "per_file": self.per_file}


def probation_rows(n: int) -> int:
    return min(math.floor(PROBATION_FRACTION * n), PROBATION_MAX_ROWS)


def load_profiles(path: Path) -> list[Profile]:
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for name, body in data.items():
        cm = body["CostMatrix"]
        out.append(Profile(name, float(cm["tpWeight"]), float(cm["fpWeight"]), float(cm["fnWeight"])))
    return out


def windows_to_rows(epoch: Sequence[float], windows: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Map ``[start, end]`` timestamps to inclusive row ranges ``[l, r]`` (rows whose time is inside)."""
    t = np.asarray(epoch, dtype=float)
    out = []
    for start, end in windows:
        inside = np.flatnonzero((t >= parse_timestamp(start).timestamp()) & (t <= parse_timestamp(end).timestamp()))
        if len(inside):
            out.append((int(inside[0]), int(inside[-1])))
    return sorted(out)


def row_weights(n: int, windows: Sequence[tuple[int, int]], profile: Profile) -> tuple[FloatArray, FloatArray]:
    """``(weight, window_index)`` per row; window_index is -1 outside windows."""
    idx = np.arange(n, dtype=float)
    weight = np.full(n, -profile.fp)
    where = np.full(n, -1.0)
    for k, (lo, hi) in enumerate(windows):
        nxt = windows[k + 1][0] if k + 1 < len(windows) else n
        after = slice(hi + 1, nxt)
        weight[after] = profile.fp * sig((idx[after] - hi) / max(hi - lo, 1))
        inside = slice(lo, hi + 1)
        weight[inside] = profile.tp * sig(-(hi - idx[inside] + 1) / (hi - lo + 1)) / MAX_TP
        where[inside] = k
    return weight, where


def _file_steps(data: FileData, profile: Profile) -> tuple[list[float], list[float], list[int], list[int]]:
    """Steps of R(θ) for one file: (score, delta R, delta TP, delta FP) at which θ <= score switches them on."""
    n = len(data.scores)
    weight, where = row_weights(n, data.windows, profile)
    p = data.probation
    at: list[float] = []
    d_raw: list[float] = []
    d_tp: list[int] = []
    d_fp: list[int] = []
    outside = np.flatnonzero(where[p:] < 0) + p
    at.extend(data.scores[outside].tolist())
    d_raw.extend(weight[outside].tolist())
    d_tp.extend([0] * len(outside))
    d_fp.extend([1] * len(outside))
    for lo, hi in data.windows:
        lo = max(lo, p)
        if lo > hi:
            continue
        # Records of the running maximum: the earliest detection at θ is the first record with score >= θ.
        records: list[int] = []
        best = -math.inf
        for i in range(lo, hi + 1):
            if data.scores[i] > best:
                best = float(data.scores[i])
                records.append(i)
        current, tp = -profile.fn, 0
        for i in reversed(records):
            at.append(float(data.scores[i]))
            d_raw.append(float(weight[i]) - current)
            d_tp.append(1 - tp)
            d_fp.append(0)
            current, tp = float(weight[i]), 1
    return at, d_raw, d_tp, d_fp


def score_corpus(files: Sequence[FileData], profile: Profile) -> ProfileResult:
    """Optimise θ over the corpus and return the normalised score and counts at the best θ."""
    n_windows = sum(len(f.windows) for f in files)
    at: list[float] = []
    d_raw: list[float] = []
    d_tp: list[int] = []
    d_fp: list[int] = []
    for f in files:
        steps = _file_steps(f, profile)
        at += steps[0]
        d_raw += steps[1]
        d_tp += steps[2]
        d_fp += steps[3]
    base = -profile.fn * n_windows
    best = (base, NO_DETECTION_THRESHOLD, 0, 0)
    if at:
        levels = np.asarray(at)
        order = np.argsort(-levels, kind="stable")
        sa = levels[order]
        raw = base + np.cumsum(np.asarray(d_raw)[order])
        tp = np.cumsum(np.asarray(d_tp)[order])
        fp = np.cumsum(np.asarray(d_fp)[order])
        # Evaluate at each distinct θ: after the last step whose score equals it.
        last = np.flatnonzero(np.r_[sa[1:] != sa[:-1], True])
        cand = raw[last]
        j = int(np.argmax(cand))  # first maximum in descending θ = ties go to the higher θ
        if cand[j] > best[0]:
            k = last[j]
            best = (float(raw[k]), float(sa[k]), int(tp[k]), int(fp[k]))
    raw_best, theta, n_tp, n_fp = best
    perfect, null = n_windows * profile.tp, -n_windows * profile.fn
    score = 100.0 * (raw_best - null) / (perfect - null) if perfect != null else 0.0
    per_file = {f.key: file_raw_score(f, profile, theta) for f in files}
    return ProfileResult(profile.name, score, raw_best, theta, n_tp, n_fp, n_windows - n_tp, per_file)


def file_raw_score(data: FileData, profile: Profile, theta: float) -> float:
    weight, where = row_weights(len(data.scores), data.windows, profile)
    p = data.probation
    det = np.flatnonzero(data.scores[p:] >= theta) + p
    total = float(weight[det][where[det] < 0].sum())
    for k in range(len(data.windows)):
        inside = det[where[det] == k]
        total += float(weight[inside[0]]) if len(inside) else -profile.fn
    return total


def result_path(results_dir: Path, key: str, prefixes: Sequence[str]) -> Path | None:
    category, name = key.split("/", 1)
    for candidate in [name, *(f"{p}_{name}" for p in prefixes)]:
        path = results_dir / category / candidate
        if path.is_file():
            return path
    # any "<detector>_<name>" file
    matches = sorted((results_dir / category).glob(f"*_{name}"))
    return matches[0] if len(matches) == 1 else None


def load_backtest(data_root: Path, results_dir: Path, prefixes: Sequence[str] = ()) -> list[FileData]:
    """Read labels and one results file per labelled series; a missing results file is an error."""
    labels: Mapping[str, list[list[str]]] = json.loads(
        (data_root / "labels" / "combined_windows.json").read_text(encoding="utf-8"))
    files = []
    for key in sorted(labels):
        path = result_path(results_dir, key, prefixes)
        if path is None:
            raise SeriesFileError(results_dir / key, "no results file for this labelled series")
        series, scores = read_series(path, score_column=True)
        assert scores is not None
        files.append(FileData(key, scores, windows_to_rows(series.epoch.tolist(), labels[key])))
    return files


def score_backtest(data_root: Path, results_dir: Path, prefixes: Sequence[str] = ()) -> list[ProfileResult]:
    files = load_backtest(data_root, results_dir, prefixes)
    return [score_corpus(files, p) for p in load_profiles(data_root / "config" / "profiles.json")]
