"""Analytics: the warehouse sync and the SQL console on many signals, each against a bare baseline.

1. A temporary SQLite database (or ``--database-url``), migrated, with ``--signals`` signals
   (10,000,000) over 90 days, bulk-inserted (intake has its own benchmark).
2. **Sync throughput**: ``analytics sync`` into a new warehouse (positions, one transaction per step
   of ``analytics_batch`` rows, times to naive UTC, the file closed between steps). **Baseline**:
   the bare copy the sync cannot do without: the same columns read from the same database with one
   plain streaming cursor (in batches of the same size) and bulk-inserted into a DuckDB table, with
   no position, step or transaction of its own. Ratio = baseline time / sync time (target ≥ 0.5).
3. **Console query**: a query over every signal (per harm and country, last 30 days) through
   ``analytics.run_query`` (permission, DuckDB's parse of the query and the table check, a new
   read-only connection, the timeout timer, the history row). **Baseline**: the same SQL on an open
   read-only DuckDB connection. Best of ``--repeat``; ratio = baseline / console (target ≥ 0.8).
4. **Lag under intake**: ``--rate`` signals a second (1,000) sent through ``signals.ingest`` for
   ``--seconds`` (30) while the sync runs as the worker runs it (again as soon as a pass ends, at
   most once a second); for each signal, the time from its receipt to the commit of the step that
   put it in the warehouse (median, 99th percentile, maximum).

    .venv/bin/python benchmarks/analytics.py [--signals 10000000] [--repeat 5] [--rate 1000] [--seconds 30]

With ``--database-url``, the benchmark replaces that database's signals with its own: use a
throwaway one. Prints a table, then one JSON line. Bounded: about fifteen minutes on two cores at
ten million signals (most of it seeding); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

QUERY = ("SELECT harm, country, count(*) AS signals FROM signals "
         "WHERE occurred_at >= TIMESTAMP '{since}' GROUP BY ALL ORDER BY signals DESC")
HARMS = ("dangerous_challenge", "hate_speech", "self_harm", "child_safety", "extremism", "phishing")
COUNTRIES = ("RU", "KZ", "UZ", "KG", "BY", "UA", "AM", "GE", "AZ", "MD")


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _seed(engine: Any, total: int, start: datetime) -> float:
    """Bulk-insert ``total`` signals over 90 days before ``start``; returns seconds."""
    from rapidresponse.signals.models import Signal

    started = time.perf_counter()
    table = Signal.__table__
    chunk = 200_000
    step = timedelta(days=90) / max(total, 1)
    with engine.begin() as conn:
        for first in range(0, total, chunk):
            rows = []
            for i in range(first, min(first + chunk, total)):
                at = start - timedelta(days=90) + step * i
                rows.append({"source": "user_report", "external_id": f"b{i}", "occurred_at": at, "received_at": at,
                             "text": "", "text_folded": "", "harm": HARMS[i % len(HARMS)],
                             "country": COUNTRIES[i % len(COUNTRIES)], "language": "ru", "meta": {},
                             "lexicon_matches": []})
            conn.execute(table.insert(), rows)
            print(f"  seeded {min(first + chunk, total):,} signals", flush=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="rr-bench-analytics-")
    os.environ["RAPIDRESPONSE_VAR_DIR"] = tmp.name
    os.environ.setdefault("RAPIDRESPONSE_LOG_LEVEL", "WARNING")
    warehouse_file = Path(tmp.name) / "warehouse.duckdb"
    os.environ["RAPIDRESPONSE_ANALYTICS_PATH"] = str(warehouse_file)
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"

    import duckdb
    import pyarrow as pa
    from sqlalchemy import delete, select

    from rapidresponse import analytics, db, domains, migrate, signals
    from rapidresponse.analytics import sync
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.config import get_settings
    from rapidresponse.signals.models import Signal

    domains.load()
    engine = db.configure(url)
    migrate.upgrade()
    with db.unit_of_work() as s:  # a database reused from an earlier run starts empty
        s.execute(delete(Signal))
    start = datetime.now(UTC).replace(microsecond=0)
    seeded = _seed(engine, args.signals, start)

    # 2. Sync throughput against the bare copy (read in the sync's batch size, to bound memory).
    batch = get_settings().analytics_batch
    def bare_copy() -> None:
        target = Path(tmp.name) / "bare.duckdb"
        target.unlink(missing_ok=True)
        con = duckdb.connect(str(target))
        columns = [getattr(Signal, name) for name in signals.EXPORT_COLUMNS]
        created = False
        with engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(select(*columns))
            for rows in result.partitions():
                con.register("batch", pa.table({name: list(values) for name, values in
                                                zip(signals.EXPORT_COLUMNS, zip(*rows, strict=True), strict=True)}))
                con.execute("INSERT INTO signals SELECT * FROM batch" if created else
                            "CREATE TABLE signals AS SELECT * FROM batch")
                created = True
        con.close()

    def full_sync() -> sync.SyncResult:
        warehouse_file.unlink(missing_ok=True)
        with db.unit_of_work(read_only=True) as s:
            return sync.run(s)

    baseline_copy = _best(bare_copy, 1)
    started = time.perf_counter()
    result = full_sync()
    sync_seconds = time.perf_counter() - started
    assert result.signals == args.signals, result

    # 3. The console against DuckDB directly.
    sql = QUERY.format(since=(start - timedelta(days=30)).replace(tzinfo=None).isoformat(sep=" "))
    with db.unit_of_work() as s:
        admin, _ = auth.create_user(s, SYSTEM, username=f"bench-analyst-{secrets.token_hex(3)}", role="admin",
                                    password="orchid lantern velvet 42")
    actor = auth.to_actor(admin)
    from rapidresponse.analytics import warehouse

    direct_con = duckdb.connect(str(warehouse_file), read_only=True, config=dict(warehouse.READ_CONFIG))

    def direct() -> None:
        direct_con.execute(sql).fetchall()

    def console() -> None:
        with db.unit_of_work() as s:
            analytics.run_query(s, actor, analytics.QueryIn(sql=sql))

    direct_s = _best(direct, args.repeat)
    direct_con.close()
    console_s = _best(console, args.repeat)

    # 4. Lag under a steady intake.
    received: dict[str, float] = {}
    synced: dict[str, float] = {}
    stop = threading.Event()

    def intake() -> None:
        n = 0
        per_tick = max(args.rate // 10, 1)
        next_tick = time.monotonic()
        deadline = next_tick + args.seconds
        while time.monotonic() < deadline:
            rows = [{"source": "user_report", "external_id": f"live{n + i}", "harm": "dangerous_challenge",
                     "country": "KZ", "language": "kk", "text": "челлендж",
                     "occurred_at": datetime.now(UTC).isoformat()} for i in range(per_tick)]
            with db.unit_of_work() as s:
                signals.ingest(s, SYSTEM, rows)
            at = time.monotonic()
            for row in rows:
                received[row["external_id"]] = at
            n += per_tick
            next_tick += 0.1
            time.sleep(max(next_tick - time.monotonic(), 0))
        stop.set()

    def follow() -> None:
        seen = 0
        while not stop.is_set() or seen < len(received):
            began = time.monotonic()
            with db.unit_of_work(read_only=True) as s:
                sync.run(s)
            at = time.monotonic()
            with warehouse.reader() as con:
                got = con.execute("SELECT count(*) FROM signals").fetchone()
            with db.unit_of_work(read_only=True) as s:
                ids = s.execute(select(Signal.external_id).where(Signal.external_id.like("live%"))
                                .order_by(Signal.id)).scalars().all()
            in_warehouse = (got[0] if got else 0) - args.signals
            for ext in ids[:in_warehouse]:
                synced.setdefault(ext, at)
            seen = in_warehouse
            time.sleep(max(1.0 - (time.monotonic() - began), 0))

    producer = threading.Thread(target=intake)
    follower = threading.Thread(target=follow)
    producer.start()
    follower.start()
    producer.join()
    follower.join(timeout=120)
    lags = sorted(synced[k] - received[k] for k in received if k in synced)
    rate = len(received) / args.seconds

    figures = {
        "signals": args.signals,
        "seed_s": round(seeded, 1),
        "sync_s": round(sync_seconds, 2),
        "sync_rows_per_s": round(args.signals / sync_seconds),
        "bare_copy_s": round(baseline_copy, 2),
        "sync_ratio": round(baseline_copy / sync_seconds, 2),
        "console_s": round(console_s, 4),
        "direct_duckdb_s": round(direct_s, 4),
        "console_ratio": round(direct_s / console_s, 2),
        "intake_rate_per_s": round(rate),
        "lag_median_s": round(statistics.median(lags), 2) if lags else None,
        "lag_p99_s": round(lags[int(len(lags) * 0.99) - 1], 2) if lags else None,
        "lag_max_s": round(lags[-1], 2) if lags else None,
        "lag_unsynced": len(received) - len(lags),
    }
    print(f"{'signals in the warehouse':34} {args.signals:>14,}")
    print(f"{'sync (s)':34} {figures['sync_s']:>14}   {figures['sync_rows_per_s']:,} rows/s")
    print(f"{'bare copy into DuckDB (s)':34} {figures['bare_copy_s']:>14}")
    print(f"{'sync ratio (target >= 0.5)':34} {figures['sync_ratio']:>14}")
    print(f"{'console query (s)':34} {figures['console_s']:>14}")
    print(f"{'same SQL in DuckDB (s)':34} {figures['direct_duckdb_s']:>14}")
    print(f"{'console ratio (target >= 0.8)':34} {figures['console_ratio']:>14}")
    print(f"{'intake (signals/s)':34} {figures['intake_rate_per_s']:>14}")
    print(f"{'lag median / p99 / max (s)':34} {figures['lag_median_s']} / {figures['lag_p99_s']} / "
          f"{figures['lag_max_s']}")
    print(json.dumps(figures))
    engine.dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
