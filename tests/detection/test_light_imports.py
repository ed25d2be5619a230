"""Importing the detection, signals, hashes and language packages (and their interfaces) loads none of the
heavy libraries: the CLI imports every domain package before it runs a command, so each must stay cheap."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "datasketch", "faiss", "pdqhash", "PIL", "pyarrow", "lingua", "nats", "redis", "scipy")
MODULES = [f"rapidresponse.{domain}{room}" for domain in ("language", "hashes", "signals", "detection")
           for room in ("", ".api", ".cli", ".views")]


def test_the_packages_and_their_interfaces_load_no_heavy_library() -> None:
    code = ("import importlib, json, sys\n"
            f"for name in {MODULES!r}:\n"
            "    importlib.import_module(name)\n"
            f"print(json.dumps(sorted(h for h in {HEAVY!r} if h in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_detectors_by_name_match_the_engine() -> None:
    from rapidresponse.detection.detectors import DETECTORS
    from rapidresponse.detection.vocab import DETECTOR_NAMES

    assert tuple(DETECTORS) == DETECTOR_NAMES
