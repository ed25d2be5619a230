"""Detection quality on a labelled NAB corpus: the default detector against published detectors,
scored by the same scorer in the same run.

Reads the corpus at ``$RAPIDRESPONSE_NAB_DIR`` (or ``--nab-dir``; the layout of NAB v1.1:
``data/<category>/<name>.csv``, ``labels/combined_windows.json``, ``config/profiles.json`` and
``results/<detector>/<category>/<detector>_<name>.csv``). It

1. checks the scorer: the published windowedGaussian outputs must score as NAB publishes them for
   the corpus when ``--expect-windowed-gaussian standard,low_fp,low_fn`` is given (e.g. ``21.97,4.87,29.80``
   for the four-category development subset); a mismatch exits 1;
2. runs ``rapidresponse detect backtest`` with ``--detector`` (the default detector unless given) and
   scores it with ``rapidresponse detect score``;
3. scores every published detector under ``results/`` (windowedGaussian, ARTime, contextOSE…) the
   same way, and prints each profile's score and the ratio of ours to each of them.

    RAPIDRESPONSE_NAB_DIR=/path/to/nab .venv/bin/python benchmarks/nab.py [--detector NAME]

With ``--cad-faithfulness`` it instead checks the CAD OSE re-implementation (``--detector cad``) against
NAB's published contextOSE outputs: it runs it with NAB's harness conventions (each file's minimum and
maximum as the quantisation range, a rest period of a fifth of the probationary period), scores ours and
the published outputs per profile and per category, prints the Pearson correlation of the per-row
``anomaly_score`` per file, and exits 1 if any score differs by more than ``--tolerance`` (0.5) points.

The labelled data is not part of the repository; the tests check the scorer and the commands on
series of their own. Bounded: a few minutes on two cores for 35 series; no network.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")


def _score(root: Path, results: Path, prefix: str | None = None) -> dict[str, float]:
    argv = [sys.executable, "-m", "rapidresponse", "detect", "score", str(root), str(results), "--json"]
    if prefix:
        argv += ["--detector-prefix", prefix]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"scoring {results} failed: {done.stdout}{done.stderr}")
    return {r["profile"]: float(r["score"]) for r in json.loads(done.stdout)}


def cad_faithfulness(root: Path, tolerance: float) -> bool:
    """CAD OSE with NAB's harness conventions against the published contextOSE outputs; True if faithful."""
    import math

    import numpy as np

    from rapidresponse.detection.base import run_batch
    from rapidresponse.detection.cad import CadBank
    from rapidresponse.detection.scoring import load_backtest, load_profiles, probation_rows, score_corpus
    from rapidresponse.detection.series_io import find_series_files, read_series, write_scores

    loaded = [(key, read_series(path)[0]) for key, path in find_series_files(root / "data")]
    ranges = [(float(np.nanmin(s.values)), float(np.nanmax(s.values))) for _, s in loaded]
    rests = [int(probation_rows(len(s)) / 5.0) for _, s in loaded]
    scores = run_batch(lambda n: CadBank(n, ranges=ranges, rest_periods=rests),
                       [(s.epoch, s.values) for _, s in loaded])
    published_dir = root / "results" / "contextOSE"
    print(f"{'file':60}{'rows':>8}{'pearson r':>12}{'max |diff|':>12}")
    with tempfile.TemporaryDirectory(prefix="rr-bench-cad-") as out:
        for (key, series), sc in zip(loaded, scores, strict=True):
            write_scores(Path(out) / key, series, sc)
            category, name = key.split("/", 1)
            pub = read_series(published_dir / category / f"contextOSE_{name}", score_column=True)[1]
            assert pub is not None
            same = np.array_equal(sc, pub)
            r = 1.0 if same else float(np.corrcoef(sc, pub)[0, 1])
            diff = float(np.max(np.abs(sc - pub)))
            print(f"{key:60}{len(series):8d}{r:12.6f}{diff:12.2e}")
        ours_files = load_backtest(root, Path(out))
    pub_files = load_backtest(root, published_dir, ["contextOSE"])
    profiles = load_profiles(root / "config" / "profiles.json")
    categories = sorted({f.key.split("/", 1)[0] for f in ours_files if f.windows})
    ok = True
    print(f"\n{'scope':26}{'profile':22}{'ours':>10}{'published':>10}{'diff':>8}")
    for scope in ["corpus", *categories]:
        keep = (lambda k: True) if scope == "corpus" else (lambda k, c=scope: k.startswith(c + "/"))
        for profile in profiles:
            a = score_corpus([f for f in ours_files if keep(f.key)], profile).score
            b = score_corpus([f for f in pub_files if keep(f.key)], profile).score
            ok &= not math.isnan(a) and abs(a - b) <= tolerance
            print(f"{scope:26}{profile.name:22}{a:10.2f}{b:10.2f}{a - b:8.2f}")
    print("CAD OSE faithfulness: " + ("within" if ok else "OUTSIDE") + f" {tolerance} points of the published scores")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nab-dir", default=os.environ.get("RAPIDRESPONSE_NAB_DIR"))
    parser.add_argument("--detector", default=None, help="A detector of `detect backtest` (default: its default)")
    parser.add_argument("--expect-windowed-gaussian", default=None,
                        help="standard,low_FP,low_FN scores NAB publishes for windowedGaussian on this corpus")
    parser.add_argument("--cad-faithfulness", action="store_true",
                        help="Check the CAD OSE re-implementation against the published contextOSE outputs")
    parser.add_argument("--tolerance", type=float, default=0.5, help="Points of NAB score (--cad-faithfulness)")
    args = parser.parse_args()
    if not args.nab_dir or not (Path(args.nab_dir) / "data").is_dir():
        parser.exit(2, "set RAPIDRESPONSE_NAB_DIR (or --nab-dir) to a NAB corpus with data/, labels/, config/\n")
    root = Path(args.nab_dir)
    if args.cad_faithfulness:
        raise SystemExit(0 if cad_faithfulness(root, args.tolerance) else 1)
    published: dict[str, dict[str, float]] = {}
    for folder in sorted(p for p in (root / "results").iterdir() if p.is_dir()) if (root / "results").is_dir() else []:
        published[folder.name] = _score(root, folder, folder.name)
    if args.expect_windowed_gaussian:
        expected = [float(x) for x in args.expect_windowed_gaussian.split(",")]
        got = [round(published.get("windowedGaussian", {}).get(p, float("nan")), 2) for p in PROFILES]
        if got != expected:
            print(f"scorer check FAILED: windowedGaussian scored {got}, NAB publishes {expected}")
            raise SystemExit(1)
        print(f"scorer check: windowedGaussian scores {got}, as NAB publishes")
    with tempfile.TemporaryDirectory(prefix="rr-bench-nab-") as out:
        argv = [sys.executable, "-m", "rapidresponse", "detect", "backtest", str(root / "data"), "--out", out]
        if args.detector:
            argv += ["--detector", args.detector]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"backtest failed: {done.stdout}{done.stderr}")
        ours = _score(root, Path(out))
    name = f"ours ({args.detector or 'default'})"
    print(f"{'detector':28}" + "".join(f"{p:>20}" for p in PROFILES))
    for label, scores in [(name, ours), *published.items()]:
        print(f"{label:28}" + "".join(f"{scores.get(p, float('nan')):20.2f}" for p in PROFILES))
    for label, scores in published.items():
        ratios = "".join(f"{(ours[p] / scores[p]) if scores.get(p) else float('nan'):20.2f}" for p in PROFILES)
        print(f"{'ratio to ' + label:28}{ratios}")
    print(json.dumps({"benchmark": "nab", "ours": ours, "published": published}))


if __name__ == "__main__":
    main()
