"""Generalisation proxies of a detector on a labelled NAB corpus, in one process.

A score on the corpus a detector was developed on says little about new series. This script reports,
for each ``--detector`` (names of ``detect backtest``):

- the corpus score per profile (one threshold for the corpus, as NAB scores);
- **leave-one-category-out**: each labelled category scored with the threshold that maximises the score
  of the *other* files (every other category, including files without windows), so the threshold was
  never fitted to the category it scores; and the category's score with its own threshold beside it;
- the corpus score with the probationary period at 10% and 20% instead of 15%;
- the corpus score with the files fed in reverse order (state shared between series, such as a hashed
  context table, then collides differently).

``--synthetic`` instead writes a generated corpus of report-like **count** series in NAB's layout (the NAB
development subset has none; its held-back categories include social-media post volumes) and scores it the
same way: 5-minute counts over four weeks, rates from 0.5 to 500 per bucket, daily and weekly seasonality,
over-dispersed (gamma-Poisson) noise, short unlabelled bursts that are not incidents (a few per week), and
one to three labelled anomalies per series after the probationary period (a spike lasting up to an hour, a
level shift, a slow ramp over hours), with NAB's windows (a tenth of the file shared among the anomalies,
centred on their starts). Fixed seeds.

    RAPIDRESPONSE_NAB_DIR=/path/to/nab .venv/bin/python benchmarks/nab_proxies.py --detector novelty --detector art

The last line is one JSON object. Bounded: one backtest per detector and order; no network.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from rapidresponse.detection import scoring
from rapidresponse.detection.base import run_batch
from rapidresponse.detection.detectors import bank_factory
from rapidresponse.detection.scoring import FileData, file_raw_score, load_profiles, score_corpus, windows_to_rows
from rapidresponse.detection.series_io import find_series_files, read_series


def _files(root: Path, detector: str, reverse: bool) -> tuple[list[FileData], float]:
    labels = json.loads((root / "labels" / "combined_windows.json").read_text(encoding="utf-8"))
    loaded = [(key, read_series(path)[0]) for key, path in find_series_files(root / "data")]
    if reverse:
        loaded.reverse()
    start = time.perf_counter()
    scores = run_batch(bank_factory(detector), [(s.epoch, s.values) for _, s in loaded])
    took = time.perf_counter() - start
    out = [FileData(key, sc, windows_to_rows(s.epoch.tolist(), labels.get(key, [])))
           for (key, s), sc in zip(loaded, scores, strict=True)]
    return sorted(out, key=lambda f: f.key), took


def _loo(files: list[FileData], profile: scoring.Profile) -> dict[str, tuple[float, float]]:
    """category -> (score with its own threshold, score with the threshold of the other files)."""
    out = {}
    for cat in sorted({f.key.split("/", 1)[0] for f in files if f.windows}):
        mine = [f for f in files if f.key.startswith(cat + "/")]
        rest = [f for f in files if not f.key.startswith(cat + "/")]
        own = score_corpus(mine, profile).score
        theta = score_corpus(rest, profile).threshold
        n_windows = sum(len(f.windows) for f in mine)
        raw = sum(file_raw_score(f, profile, theta) for f in mine)
        perfect, null = n_windows * profile.tp, -n_windows * profile.fn
        out[cat] = (own, 100.0 * (raw - null) / (perfect - null))
    return out


def evaluate(root: Path, detector: str, proxies: bool = True) -> dict[str, object]:
    profiles = load_profiles(root / "config" / "profiles.json")
    files, took = _files(root, detector, reverse=False)
    result: dict[str, object] = {"detector": detector, "seconds": round(took, 1)}
    corpus = {p.name: score_corpus(files, p) for p in profiles}
    result["corpus"] = {k: round(v.score, 2) for k, v in corpus.items()}
    std = corpus["standard"]
    result["tp_fp_fn"] = [std.tp, std.fp, std.fn]
    if not proxies:
        return result
    result["loo"] = {p.name: {c: [round(a, 2), round(b, 2)] for c, (a, b) in _loo(files, p).items()}
                     for p in profiles}
    result["loo_mean_standard"] = round(
        sum(b for _, b in _loo(files, profiles[0]).values()) / len(result["loo"]["standard"]), 2)  # type: ignore[index]
    saved = scoring.PROBATION_FRACTION
    for frac in (0.10, 0.20):
        scoring.PROBATION_FRACTION = frac
        try:
            result[f"probation_{int(frac * 100)}"] = {p.name: round(score_corpus(files, p).score, 2) for p in profiles}
        finally:
            scoring.PROBATION_FRACTION = saved
    rev, _ = _files(root, detector, reverse=True)
    result["reversed"] = {p.name: round(score_corpus(rev, p).score, 2) for p in profiles}
    return result


DAY_BUCKETS = 288


def synthetic_corpus(root: Path, files: int = 24, days: int = 28, seed: int = 18) -> None:
    """Write the generated count corpus (see the module docstring) under ``root`` in NAB's layout."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = days * DAY_BUCKETS
    t0 = 1704067200  # 2024-01-01 00:00 UTC, a Monday
    stamps = [time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t0 + 300 * i)) for i in range(n)]
    labels: dict[str, list[list[str]]] = {}
    (root / "data" / "syntheticCounts").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "labels").mkdir()
    hours = (np.arange(n) % DAY_BUCKETS) / 12.0
    weekday = (np.arange(n) // DAY_BUCKETS) % 7
    for k in range(files):
        base = float(np.exp(rng.uniform(np.log(0.5), np.log(500.0))))
        peak = rng.uniform(8.0, 20.0)
        rate = base * (1.0 + rng.uniform(0.3, 0.8) * np.cos((hours - peak) / 24.0 * 2.0 * np.pi))
        rate = rate * np.where(weekday >= 5, rng.uniform(0.6, 1.0), 1.0)
        for start in np.flatnonzero(rng.random(n) < 3.0 / (7 * DAY_BUCKETS)):  # bursts that are not incidents
            rate[start:start + int(rng.integers(2, 7))] *= rng.uniform(1.5, 3.0)
        probation = min(int(0.15 * n), 750)
        n_anomalies = int(rng.integers(1, 4))
        starts = np.sort(rng.choice(np.arange(probation + DAY_BUCKETS, n - DAY_BUCKETS, DAY_BUCKETS // 2),
                                    n_anomalies, replace=False))
        for start in starts:
            kind = int(rng.integers(0, 3))
            if kind == 0:  # a spike lasting up to an hour
                rate[start:start + int(rng.integers(3, 13))] *= rng.uniform(5.0, 15.0)
            elif kind == 1:  # a level shift
                rate[start:] *= rng.uniform(2.0, 4.0)
            else:  # a slow ramp over hours, then back
                length = int(rng.integers(24, 73))
                rate[start:start + length] *= np.exp(np.linspace(0.0, np.log(rng.uniform(3.0, 8.0)), length))
        shape = rng.uniform(5.0, 50.0)  # gamma-Poisson over-dispersion
        values = rng.poisson(rate * rng.gamma(shape, 1.0 / shape, n))
        name = f"counts_{k:02d}.csv"
        lines = ["timestamp,value", *(f"{s},{int(v)}" for s, v in zip(stamps, values, strict=True))]
        (root / "data" / "syntheticCounts" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        half = int(0.1 * n / n_anomalies / 2)
        labels[f"syntheticCounts/{name}"] = [[stamps[max(0, s - half)], stamps[min(n - 1, s + half)]]
                                             for s in starts]
    (root / "labels" / "combined_windows.json").write_text(json.dumps(labels), encoding="utf-8")
    profiles = {"standard": (1.0, 0.11, 1.0), "reward_low_FP_rate": (1.0, 0.22, 1.0),
                "reward_low_FN_rate": (1.0, 0.11, 2.0)}
    (root / "config" / "profiles.json").write_text(json.dumps({
        name: {"CostMatrix": {"tpWeight": tp, "fpWeight": fp, "fnWeight": fn, "tnWeight": 1.0}}
        for name, (tp, fp, fn) in profiles.items()}), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nab-dir", default=os.environ.get("RAPIDRESPONSE_NAB_DIR"))
    parser.add_argument("--detector", action="append", default=None)
    parser.add_argument("--synthetic", action="store_true", help="score a generated corpus of count series instead")
    args = parser.parse_args()
    if args.synthetic:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="rr-bench-synthetic-") as tmp:
            synthetic_corpus(Path(tmp))
            results = [evaluate(Path(tmp), d, proxies=False) for d in args.detector or ["novelty"]]
        for r in results:
            print(f"{r['detector']:20} ({r['seconds']} s)" + "".join(f"{v:>10.2f}" for v in r["corpus"].values())
                  + f"   TP/FP/FN {r['tp_fp_fn']}")  # type: ignore[attr-defined]
        print(json.dumps(results))
        return
    if not args.nab_dir or not (Path(args.nab_dir) / "data").is_dir():
        parser.exit(2, "set RAPIDRESPONSE_NAB_DIR (or --nab-dir) to a NAB corpus with data/, labels/, config/\n")
    results = [evaluate(Path(args.nab_dir), d) for d in args.detector or ["novelty"]]
    for r in results:
        print(f"\n{r['detector']} ({r['seconds']} s)")
        for key in ("corpus", "probation_10", "probation_20", "reversed"):
            print(f"  {key:14}" + "".join(f"{v:>10.2f}" for v in r[key].values()))  # type: ignore[attr-defined]
        print(f"  TP/FP/FN (standard) {r['tp_fp_fn']}")
        for cat, (own, other) in r["loo"]["standard"].items():  # type: ignore[index]
            print(f"  {cat:28} own threshold {own:7.2f}   others' threshold {other:7.2f}")
        print(f"  leave-one-category-out mean (standard) {r['loo_mean_standard']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
