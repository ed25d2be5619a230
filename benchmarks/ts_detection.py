"""Detection quality on our own domain: the labelled T&S benchmark of `rapidresponse detect simulate --corpus`.

One claim: how well each detector finds outbreaks in report streams (harm × country × language, daily and
weekly seasonality, holidays, sparse and dense volumes) that also hold level shifts and bursts that are not
incidents. The script

1. generates the corpus into a temporary folder with `rapidresponse detect simulate --corpus DIR --files N
   --days D --seed S` (NAB's layout, windows computed NAB's way);
2. runs `rapidresponse detect backtest` with the default detector, `cad` (CAD OSE) and `gaussian` (the
   baseline) and scores each with `rapidresponse detect score` (one threshold for the corpus per profile);
3. takes an **alert** to be a scored row (after the probationary period) at or above the detector's
   threshold for the standard profile: an alert inside a window is a true one (precision = true alerts /
   alerts), a window with at least one alert is found (recall = found windows / windows), and the **time to
   alert** of an outbreak is from its first injected bucket to the first alert at or after it, inside its
   window (median over the found ones, in buckets and minutes). The queue's view is given too: detections
   within two hours of the previous one join its alert (as the alert queue's cooldown does), and an alert
   whose first detection is inside a window is a true one (``queue``, ``q.prec``);
4. prints one table with each figure and its ratio to the Gaussian baseline (for the time to alert, lower
   is better), and a JSON line.

CAD OSE is pure Python per series (about 0.5 ms a row here), so by default it runs on the first
`--cad-files` files (the corpus is generated file by file from (seed, file number): a smaller corpus is the
first files of a larger one) and the other two are scored on that same subset too, beside their full-corpus
rows. `--cad-files 0` skips CAD; `--cad-files` equal to `--files` runs it on the whole corpus.

    .venv/bin/python benchmarks/ts_detection.py [--files 60] [--days 21] [--seed 7] [--cad-files 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
SHORT = {"standard": "std", "reward_low_FP_rate": "lowFP", "reward_low_FN_rate": "lowFN"}
BASELINE = "gaussian"
MINUTES = 5
COOLDOWN = 24  # buckets: as the alert queue, a detection within two hours of the last one joins its alert


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "rapidresponse", *args], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"rapidresponse {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def generate(root: Path, files: int, days: float, seed: int) -> None:
    started = time.perf_counter()
    print(_cli("detect", "simulate", "--corpus", str(root), "--files", str(files), "--days", str(days),
               "--seed", str(seed)).strip(), f"({time.perf_counter() - started:.1f}s)", flush=True)


def backtest(root: Path, out: Path, detector: str) -> float:
    started = time.perf_counter()
    _cli("detect", "backtest", str(root / "data"), "--out", str(out), "--detector", detector)
    return time.perf_counter() - started


def evaluate(root: Path, results: Path) -> dict[str, Any]:
    """NAB scores (through `detect score`) and the alert figures at the standard profile's threshold."""
    from rapidresponse.detection.scoring import load_backtest

    scored = {r["profile"]: r for r in json.loads(_cli("detect", "score", str(root), str(results), "--json"))}
    theta = float(scored["standard"]["threshold"])
    events = json.loads((root / "labels" / "events.json").read_text(encoding="utf-8"))
    alerts = true_alerts = windows = found = episodes = true_episodes = 0
    delays: list[int] = []
    by_shape: dict[str, list[int]] = {}
    on_noise = 0  # alerts within an hour of the start of a shift or burst that is not an incident
    for f in load_backtest(root, results):
        p = f.probation
        hits = [i for i in range(p, len(f.scores)) if f.scores[i] >= theta]
        inside = [any(lo <= i <= hi for lo, hi in f.windows) for i in hits]
        alerts += len(hits)
        true_alerts += sum(inside)
        for k, i in enumerate(hits):  # the queue's view: one alert per run of detections (cooldown)
            if k == 0 or i - hits[k - 1] > COOLDOWN:
                episodes += 1
                true_episodes += inside[k]
        windows += len(f.windows)
        found += sum(any(lo <= i <= hi for i in hits) for lo, hi in f.windows)
        for e in events[f.key]:
            if not e["incident"]:
                on_noise += sum(e["start"] <= i <= e["start"] + 12 for i in hits)
                continue
            window = next((w for w in f.windows if w[0] <= e["start"] <= w[1]), None)
            assert window is not None, (f.key, e)
            first = next((i for i in hits if e["start"] <= i <= window[1]), None)
            by_shape.setdefault(e["kind"], []).append(-1 if first is None else first - e["start"])
            if first is not None:
                delays.append(first - e["start"])
    median = statistics.median(delays) if delays else float("nan")
    return {
        "scores": {p: float(scored[p]["score"]) for p in PROFILES}, "threshold": theta,
        "alerts": alerts, "precision": true_alerts / alerts if alerts else float("nan"),
        "recall": found / windows if windows else float("nan"), "queue_alerts": episodes,
        "queue_precision": true_episodes / episodes if episodes else float("nan"), "windows": windows, "found": found,
        "median_delay_buckets": median, "median_delay_minutes": median * MINUTES, "alerts_on_noise": on_noise,
        "found_by_shape": {k: f"{sum(d >= 0 for d in v)}/{len(v)}" for k, v in sorted(by_shape.items())},
    }


def subset(root: Path, keys: set[str], into: Path) -> None:
    """The labels and profiles of ``root`` restricted to ``keys`` (the data is not copied: not needed to score)."""
    (into / "labels").mkdir(parents=True)
    for name in ("combined_windows.json", "events.json", "combined_labels.json"):
        body = json.loads((root / "labels" / name).read_text(encoding="utf-8"))
        (into / "labels" / name).write_text(json.dumps({k: v for k, v in body.items() if k in keys}))
    (into / "config").mkdir()
    (into / "config" / "profiles.json").write_text((root / "config" / "profiles.json").read_text())


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b and b == b and a == a else "—"


def table(title: str, rows: dict[str, dict[str, Any]], seconds: dict[str, float]) -> None:
    base = rows.get(BASELINE)
    print(f"\n{title}")
    head = (f"{'detector':12}" + "".join(f"{SHORT[p]:>8}" for p in PROFILES)
            + f"{'alerts':>8}{'precision':>10}{'queue':>7}{'q.prec':>7}{'recall':>8}{'median to alert':>20}"
            + f"{'on noise':>9}{'time':>8}")
    print(head)
    for name, r in rows.items():
        delay = (f"{r['median_delay_buckets']:.0f} b / {r['median_delay_minutes']:.0f} min"
                 if r["median_delay_buckets"] == r["median_delay_buckets"] else "—")
        print(f"{name:12}" + "".join(f"{r['scores'][p]:8.2f}" for p in PROFILES)
              + f"{r['alerts']:8d}{r['precision']:10.3f}{r['queue_alerts']:7d}{r['queue_precision']:7.3f}"
              + f"{r['found']:>4}/{r['windows']:<3}{delay:>20}"
              + f"{r['alerts_on_noise']:9d}" + (f"{seconds[name]:7.1f}s" if name in seconds else f"{'—':>8}"))
    if base is not None:
        for name, r in rows.items():
            if name == BASELINE:
                continue
            print(f"{'÷ ' + BASELINE:12}" + "".join(f"{_ratio(r['scores'][p], base['scores'][p]):>8}" for p in PROFILES)
                  + f"{_ratio(r['alerts'], base['alerts']):>8}{_ratio(r['precision'], base['precision']):>10}"
                  + f"{_ratio(r['queue_alerts'], base['queue_alerts']):>7}"
                  + f"{_ratio(r['queue_precision'], base['queue_precision']):>7}"
                  + f"{_ratio(r['recall'], base['recall']):>8}"
                  + f"{_ratio(r['median_delay_buckets'], base['median_delay_buckets']):>20}   ({name})")
    for name, r in rows.items():
        print(f"  {name}: found by shape {r['found_by_shape']}, threshold {r['threshold']:.4g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=60, help="Series files in the corpus")
    parser.add_argument("--days", type=float, default=21.0, help="Days per file (5-minute buckets)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cad-files", type=int, default=15, help="Files CAD OSE runs on (0: skip it)")
    parser.add_argument("--detectors", default="novelty,gaussian", help="Detectors run on the whole corpus")
    args = parser.parse_args()
    if not 0 <= args.cad_files <= args.files:
        parser.error("--cad-files must be between 0 and --files")
    names = [d.strip() for d in args.detectors.split(",") if d.strip()]
    with tempfile.TemporaryDirectory(prefix="rr-bench-ts-") as tmp:
        root = Path(tmp) / "corpus"
        generate(root, args.files, args.days, args.seed)
        full: dict[str, dict[str, Any]] = {}
        seconds: dict[str, float] = {}
        for name in names:
            seconds[name] = backtest(root, Path(tmp) / name, name)
            full[name] = evaluate(root, Path(tmp) / name)
            print(f"{name}: backtest {seconds[name]:.1f}s", flush=True)
        table(f"whole corpus: {args.files} files × {args.days:g} days (seed {args.seed})", full, seconds)
        small: dict[str, dict[str, Any]] = {}
        small_seconds: dict[str, float] = {}
        if args.cad_files:
            if args.cad_files == args.files:
                cad_root, small_root = root, root
            else:
                cad_root = Path(tmp) / "cad-corpus"
                generate(cad_root, args.cad_files, args.days, args.seed)
                keys = set(json.loads((cad_root / "labels" / "combined_windows.json").read_text()))
                small_root = Path(tmp) / "subset"
                subset(root, keys, small_root)
            print("cad: backtest (pure Python per series; this takes a while)", flush=True)
            small_seconds["cad"] = backtest(cad_root, Path(tmp) / "cad", "cad")
            small["cad"] = evaluate(cad_root, Path(tmp) / "cad")
            for name in names:
                small[name] = evaluate(small_root, Path(tmp) / name)
            title = "whole corpus" if args.cad_files == args.files else f"the first {args.cad_files} files"
            table(f"{title}, with CAD OSE", small, small_seconds)
        print(json.dumps({"benchmark": "ts_detection", "files": args.files, "days": args.days, "seed": args.seed,
                          "whole": full, "seconds": seconds, "cad_files": args.cad_files, "subset": small,
                          "subset_seconds": small_seconds}))


if __name__ == "__main__":
    main()
