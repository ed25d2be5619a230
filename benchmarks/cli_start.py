"""The command line starts quickly: each domain's commands and their libraries are imported only
when a command of theirs runs.

Runs, alternately and ``--runs`` times each: the baseline ``python -c pass`` (an interpreter that
starts and stops), the libraries every database command needs imported alone (SQLAlchemy's ORM,
pydantic-settings, Typer, Rich: the floor no command that reads the database can go under),
``rapidresponse --help`` (the top-level help: no domain is imported),
``rapidresponse incidents --help`` and ``rapidresponse signals --help`` (one domain's commands), and
``rapidresponse policy countries`` (reads the packaged country profiles) and ``rapidresponse incidents
list`` (reads the database: an embedded one in a temporary directory, migrated before the runs). A
command that records an event loads every domain first, as the server does; these only read.
For each it prints the median wall time and CPU time (user + system of the child process) and the
ratio of the CPU time to the baseline's, then one JSON line.

    .venv/bin/python benchmarks/cli_start.py [--runs 11]

Bounded: about a minute on two cores; no network, no database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "libraries alone (floor)": [sys.executable, "-c", "import sqlalchemy.orm, pydantic_settings, typer, rich"],
    "rapidresponse --help": [sys.executable, "-m", "rapidresponse", "--help"],
    "rapidresponse incidents --help": [sys.executable, "-m", "rapidresponse", "incidents", "--help"],
    "rapidresponse signals --help": [sys.executable, "-m", "rapidresponse", "signals", "--help"],
    "rapidresponse policy countries": [sys.executable, "-m", "rapidresponse", "policy", "countries"],
    "rapidresponse incidents list": [sys.executable, "-m", "rapidresponse", "incidents", "list"],
}


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (its output discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    src = str(Path(__file__).resolve().parents[1] / "src")
    var = tempfile.TemporaryDirectory(prefix="rr-bench-cli-")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p),
           "RAPIDRESPONSE_LOG_LEVEL": "WARNING", "RAPIDRESPONSE_VAR_DIR": var.name}
    env.pop("RAPIDRESPONSE_DATABASE_URL", None)
    _run([sys.executable, "-m", "rapidresponse", "db", "upgrade"], env)
    for argv in COMMANDS.values():  # warm the file system cache and the bytecode
        _run(argv, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            times[name].append(_run(argv, env))
    base_cpu = statistics.median(cpu for _, cpu in times["python -c pass (baseline)"])
    result = {}
    print(f"{'command':34} {'wall (median)':>14} {'CPU (median)':>13} {'CPU / baseline':>15}")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        ratio = cpu / base_cpu if base_cpu else float("nan")
        result[name] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "cpu_ratio": round(ratio, 1)}
        print(f"{name:34} {wall:13.3f}s {cpu:12.3f}s {ratio:14.1f}x")
    print(json.dumps({"benchmark": "cli_start", "runs": args.runs, "results": result}))


if __name__ == "__main__":
    main()
