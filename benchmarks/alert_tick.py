"""The detection tick as the worker runs it, on a real database: one closed bucket over ``--series`` live
series (read the bucket's counts, step the detector bank, arm/fire crossings, raise or update alerts,
move the cursor), with the bank in memory (steady state), after a restart with a snapshot of the detector
state (loaded, then the buckets after it replayed) and after a restart without one (the bank rebuilt by
replaying the stored series from the anchor), as ratios to the baseline: reading the same bucket's counts
with one ``SELECT`` in the same run.

1. A temporary SQLite database (or ``--database-url``, a scratch database: its series and alerts are
   emptied), migrated.
2. ``--days`` (2) of Poisson counts for ``--series`` (10,000) harm × country × language series, rates
   from 0.2 to 5 reports per 5 minutes, written with ``signals.add_series_counts``.
3. The first tick catches up on all of it (replay rate in bucket-series/s), and its state is saved as a
   snapshot (timed: the write a worker makes after a tick commits, once per
   ``RAPIDRESPONSE_DETECTION_SNAPSHOT_MINUTES``, 60); then ``--ticks`` (5) steady ticks, each after one more
   bucket of counts arrives; then the same number of ticks, each by a new ``Ticker`` (a restarted worker)
   that loads that snapshot and replays the buckets after it (the steady ticks' and those of the restarts
   before it: 5 to 9 buckets with the defaults, where a worker restarted at a random time replays 6 on
   average); then the same number again with snapshots off (a full replay from the anchor).

    .venv/bin/python benchmarks/alert_tick.py [--series 10000] [--days 2] [--ticks 5] [--database-url URL]

Prints milliseconds per tick and the ratios, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

BUCKET = timedelta(minutes=5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--days", type=float, default=2.0)
    ap.add_argument("--ticks", type=int, default=5)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    n, days, ticks = max(10, min(args.series, 200_000)), max(0.5, min(args.days, 14.0)), max(1, min(args.ticks, 50))
    tmp = tempfile.TemporaryDirectory(prefix="rr-tick-bench-")
    os.environ.update({"RAPIDRESPONSE_VAR_DIR": tmp.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
                       "RAPIDRESPONSE_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp.name) / 'b.db'}"})
    from sqlalchemy import delete

    from rapidresponse import db, migrate, signals
    from rapidresponse.config import get_settings
    from rapidresponse.detection.models import Alert, Case, DetectionCursor, DetectionSnapshot
    from rapidresponse.detection.tick import Ticker
    from rapidresponse.signals.models import SeriesBucket

    db.configure()
    migrate.upgrade()
    with db.unit_of_work() as s:
        for model in (Case, Alert, DetectionCursor, DetectionSnapshot, SeriesBucket):
            s.execute(delete(model))
    rng = np.random.default_rng(3)
    keys = [(f"harm_{i % 50}", chr(65 + (i // 50) % 26) + chr(65 + (i // 1300) % 26), f"l{i // 33_800}")
            for i in range(n)]
    rates = rng.uniform(0.2, 5.0, len(keys))
    start = datetime(2026, 3, 1, tzinfo=UTC)
    buckets = int(timedelta(days=days) / BUCKET)

    def write(first: int, count: int) -> None:
        x = rng.poisson(rates[:, None], (len(keys), count))
        rows: list[dict[str, Any]] = []
        for j, i in zip(*np.nonzero(x), strict=True):
            h, c, lang = keys[int(j)]
            rows.append({"harm": h, "country": c, "language": lang, "bucket": start + (first + int(i)) * BUCKET,
                         "count": int(x[j, i])})
        with db.unit_of_work() as s:
            signals.add_series_counts(s, rows)

    t = time.perf_counter()
    write(0, buckets)
    loaded = time.perf_counter() - t

    def tick(ticker: Ticker, at: datetime) -> tuple[float, Any]:
        t0 = time.perf_counter()
        with db.unit_of_work() as s:
            report = ticker.tick(s, now=at)
        return time.perf_counter() - t0, report

    def baseline(bucket: datetime) -> float:
        t0 = time.perf_counter()
        with db.unit_of_work(read_only=True) as s:
            signals.series_counts(s, bucket, bucket + BUCKET)
        return time.perf_counter() - t0

    def snapshots(minutes: int) -> None:
        os.environ["RAPIDRESPONSE_DETECTION_SNAPSHOT_MINUTES"] = str(minutes)
        get_settings.cache_clear()

    snapshots(0)  # the catch-up without the write after it: timed on its own below
    live = Ticker()
    catch_up, first = tick(live, start + buckets * BUCKET)
    snapshots(60)
    t = time.perf_counter()
    size = live.save_snapshot(force=True)
    saved = time.perf_counter() - t
    assert size, "no snapshot saved"
    steady, base, resumed, restart = [], [], [], []
    edge = buckets
    for _ in range(ticks):
        write(edge, 1)
        edge += 1
        base.append(baseline(start + (edge - 1) * BUCKET))
        elapsed, report = tick(live, start + edge * BUCKET)
        assert report.buckets == 1, report
        steady.append(elapsed)
    for _ in range(ticks):
        write(edge, 1)
        edge += 1
        elapsed, report = tick(Ticker(), start + edge * BUCKET)
        assert report.buckets == 1 and report.rebuilt and report.snapshot is not None, report
        resumed.append(elapsed)
    snapshots(0)
    for _ in range(ticks):
        write(edge, 1)
        edge += 1
        elapsed, report = tick(Ticker(), start + edge * BUCKET)
        assert report.buckets == 1 and report.rebuilt and report.snapshot is None, report
        restart.append(elapsed)
    med = {k: statistics.median(v) * 1000 for k, v in (("baseline", base), ("steady", steady),
                                                       ("resumed", resumed), ("restart", restart))}
    rows = [("read one bucket's counts (baseline)", med["baseline"], 1.0),
            ("tick, bank in memory", med["steady"], med["steady"] / med["baseline"]),
            ("tick after a restart, with a snapshot", med["resumed"], med["resumed"] / med["baseline"]),
            ("tick after a restart (full replay)", med["restart"], med["restart"] / med["baseline"])]
    print(f"{len(keys)} series, {buckets} buckets of history ({loaded:.1f} s to write); catch-up tick: "
          f"{catch_up:.1f} s for {first.buckets} buckets = {first.buckets * len(keys) / catch_up:,.0f} "
          f"bucket-series/s, {first.raised} alerts")
    print(f"snapshot: {size / 1e6:.1f} MB, saved in {saved * 1000:.0f} ms")
    print(f"{'scenario':40s} {'ms/tick':>10s} {'× baseline':>12s}")
    for name, ms, ratio in rows:
        print(f"{name:40s} {ms:10.1f} {ratio:12.1f}")
    print(json.dumps({"benchmark": "alert_tick", "series": len(keys), "history_buckets": buckets,
                      "catch_up_s": round(catch_up, 3),
                      "catch_up_bucket_series_per_s": round(first.buckets * len(keys) / catch_up),
                      "baseline_ms": round(med["baseline"], 2), "steady_ms": round(med["steady"], 2),
                      "snapshot_restart_ms": round(med["resumed"], 2), "restart_ms": round(med["restart"], 2),
                      "steady_ratio": round(med["steady"] / med["baseline"], 2),
                      "snapshot_restart_ratio": round(med["resumed"] / med["baseline"], 2),
                      "restart_ratio": round(med["restart"] / med["baseline"], 2),
                      "snapshot_bytes": size, "snapshot_save_ms": round(saved * 1000, 1),
                      "database": db.get_engine().dialect.name}))
    tmp.cleanup()


if __name__ == "__main__":
    main()
