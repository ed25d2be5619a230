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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nab-dir", default=os.environ.get("RAPIDRESPONSE_NAB_DIR"))
    parser.add_argument("--detector", default=None, help="A detector of `detect backtest` (default: its default)")
    parser.add_argument("--expect-windowed-gaussian", default=None,
                        help="standard,low_FP,low_FN scores NAB publishes for windowedGaussian on this corpus")
    args = parser.parse_args()
    if not args.nab_dir or not (Path(args.nab_dir) / "data").is_dir():
        parser.exit(2, "set RAPIDRESPONSE_NAB_DIR (or --nab-dir) to a NAB corpus with data/, labels/, config/\n")
    root = Path(args.nab_dir)
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
