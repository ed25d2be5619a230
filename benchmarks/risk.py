"""Risk: recomputing every indicator of a 200-risk register over a year of signals, against the one
analytics query that reads the same data.

1. A temporary SQLite database, migrated, with ``--risks`` risks (200: twenty harms of the taxonomy
   in ten REECA countries), added through the risk service before the warehouse is filled.
2. A warehouse with a year of ``--signals`` signals (10,000,000) spread over those harms and
   countries, 4,000 incidents with their harm and country tags, 5,000 alerts and 600 regulator
   requests, written straight into the DuckDB file (the sync has its own benchmark).
3. **Recompute**: every indicator of every risk over the last window and the window before, as the
   register reads them (``risk.indicators``: the ``indicators`` metric through the analytics service,
   the register's view without restricted incidents, Ibis compiling it for both windows, one
   read-only connection), then picked out for each of the 200 risks. **Baseline**: one hand-written
   SQL query on an open read-only DuckDB connection that reads the same tables for both windows and
   returns the same figures per harm × country. Best of ``--repeat``; ratio = baseline / recompute.
   Also timed, in absolute terms: the whole worker job ``risk.flags`` (recompute, compare with each
   risk's baseline, record a flag event for each risk that moved: here every one).

    .venv/bin/python benchmarks/risk.py [--signals 10000000] [--risks 200] [--repeat 5]

Prints a table, then one JSON line. Bounded: about ten minutes on two cores, most of it adding and
approving the risks through the service (each step answers with the risk and its indicators); no
network.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HARMS = ("dangerous_challenge", "suicide_promotion", "self_injury", "eating_disorders", "grooming",
         "sextortion_minors", "cyberbullying", "doxxing", "ethnic_hatred", "religious_hatred", "terrorist_content",
         "school_shooting_glorification", "graphic_violence", "animal_abuse", "phishing", "investment_scams",
         "drug_sales", "crisis_misinformation", "election_misinformation", "health_misinformation")
COUNTRIES = ("RU", "KZ", "UZ", "KG", "TJ", "BY", "UA", "AM", "GE", "AZ")
BASELINE = """
WITH pairs AS (SELECT h.ref, replace(h.value, '-', '_') AS harm, c.value AS country
               FROM incident_tags h JOIN incident_tags c ON c.ref = h.ref AND c.kind = 'country'
               WHERE h.kind = 'harm'
               UNION SELECT i.ref, i.type, c.value FROM incidents i
               JOIN incident_tags c ON c.ref = i.ref AND c.kind = 'country'),
     s AS (SELECT harm, country, occurred_at >= $now AS recent, count(*) AS signals
           FROM signals WHERE occurred_at >= $before AND occurred_at < $end GROUP BY ALL),
     a AS (SELECT harm, country, raised_at >= $now AS recent, count(*) AS alerts
           FROM alerts WHERE raised_at >= $before AND raised_at < $end GROUP BY ALL),
     i AS (SELECT p.harm, p.country, i.declared_at >= $now AS recent, count(DISTINCT i.ref) AS incidents,
                  count(*) FILTER (WHERE i.severity <= 2) AS severe,
                  sum(coalesce(i.exposure_signals, 0)) AS exposure,
                  quantile_cont(epoch(i.mitigated_at) / 60 - epoch(i.declared_at) / 60, 0.5)
                      FILTER (WHERE i.mitigated_at >= i.declared_at) AS mitigate_median,
                  count(*) FILTER (WHERE i.recurrence_of IS NOT NULL) AS recurring
           FROM pairs p JOIN incidents i ON i.ref = p.ref
           WHERE i.declared_at >= $before AND i.declared_at < $end AND i.merged_into IS NULL AND NOT i.restricted
           GROUP BY ALL),
     r AS (SELECT p.harm, p.country, q.registered_at >= $now AS recent, count(DISTINCT q.request_id) AS requests
           FROM pairs p JOIN requests q ON q.ref = p.ref AND q.country = p.country
           JOIN incidents i ON i.ref = p.ref AND NOT i.restricted
           WHERE q.registered_at >= $before AND q.registered_at < $end GROUP BY ALL)
SELECT * FROM s FULL JOIN a USING (harm, country, recent) FULL JOIN i USING (harm, country, recent)
FULL JOIN r USING (harm, country, recent)
"""


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _fill(file: Path, signals: int, end: datetime) -> float:
    """A year of data straight into the warehouse file; returns seconds."""
    import duckdb

    from rapidresponse.analytics import warehouse

    started = time.perf_counter()
    start = (end - timedelta(days=365)).replace(tzinfo=None)
    harms, countries = list(HARMS), list(COUNTRIES)
    con = duckdb.connect(str(file))
    try:
        warehouse.create(con)
        span = 365 * 86400
        con.execute(f"""INSERT INTO signals BY NAME
            SELECT i AS id, TIMESTAMP '{start}' + to_seconds(CAST(i * {span} // {signals} AS BIGINT)) AS occurred_at,
                   TIMESTAMP '{start}' + to_seconds(CAST(i * {span} // {signals} AS BIGINT) + 5) AS received_at,
                   'user_report' AS source, $harms[1 + (hash(i) % 20)::INT] AS harm,
                   $countries[1 + (hash(i * 7) % 10)::INT] AS country, 'ru' AS language
            FROM range({signals}) t(i)""", {"harms": harms, "countries": countries})
        con.execute(f"""INSERT INTO incidents BY NAME
            SELECT 'INC-' || i AS ref, 'incident ' || i AS title, $harms[1 + (i % 20)::INT] AS type,
                   $harms[1 + (i % 20)::INT] AS harm, $countries[1 + ((i // 20) % 10)::INT] AS country,
                   1 + (i % 4)::INT AS severity, 'resolved' AS status, i % 50 = 0 AS restricted,
                   TIMESTAMP '{start}' + to_seconds(i * 7884) AS declared_at,
                   TIMESTAMP '{start}' + to_seconds(i * 7884 + 3600 + (i % 17) * 600) AS mitigated_at,
                   (i % 300)::BIGINT AS exposure_signals,
                   CASE WHEN i % 9 = 0 THEN 'INC-' || (i - 200) END AS recurrence_of
            FROM range(4000) t(i)""", {"harms": harms, "countries": countries})
        con.execute("""INSERT INTO incident_tags SELECT ref, 'harm', harm FROM incidents
                       UNION ALL SELECT ref, 'country', country FROM incidents""")
        con.execute(f"""INSERT INTO alerts BY NAME
            SELECT i AS alert_id, $harms[1 + (i % 20)::INT] AS harm, $countries[1 + ((i // 7) % 10)::INT] AS country,
                   'ru' AS language, TIMESTAMP '{start}' + to_seconds(i * 6307) AS raised_at, 0.9 AS score,
                   'open' AS outcome
            FROM range(5000) t(i)""", {"harms": harms, "countries": countries})
        con.execute(f"""INSERT INTO requests BY NAME
            SELECT i AS request_id, 'INC-' || (i * 6) AS ref, $countries[1 + ((i * 6 // 20) % 10)::INT] AS country,
                   'rkn' AS regulator, TIMESTAMP '{start}' + to_seconds(i * 52560) AS registered_at
            FROM range(600) t(i)""", {"countries": countries})
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=10_000_000)
    parser.add_argument("--risks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    var = tempfile.TemporaryDirectory(prefix="rr-bench-risk-")
    os.environ.update({"RAPIDRESPONSE_VAR_DIR": var.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
                       "RAPIDRESPONSE_ANALYTICS_PATH": str(Path(var.name) / "warehouse.duckdb")})
    os.environ.pop("RAPIDRESPONSE_DATABASE_URL", None)

    import duckdb

    from rapidresponse import auth, domains, risk, server
    from rapidresponse.analytics import warehouse
    from rapidresponse.auth import SYSTEM
    from rapidresponse.clock import now
    from rapidresponse.config import get_settings
    from rapidresponse.db import unit_of_work

    server.prepare()
    domains.load()
    pairs = [(h, c) for h in HARMS for c in COUNTRIES][:args.risks]
    with unit_of_work() as s:
        for harm, country in pairs:
            risk.create(s, SYSTEM, risk.RiskCreate(harm=harm, country=country, likelihood=3, impact=3))
    with unit_of_work() as s:  # approved on an empty warehouse: every baseline is zero, as if assessed last year
        reviewers = [auth.to_actor(auth.create_user(s, SYSTEM, username=role, role=role)[0])
                     for role in ("policy", "legal")]
        for found in risk.register(s, SYSTEM, risk.RiskFilter(limit=1000)).items:
            risk.submit(s, SYSTEM, found.id, 1)
            for reviewer in reviewers:
                risk.review(s, reviewer, found.id, 1)
            risk.approve(s, SYSTEM, found.id, 1)
    end = now()
    fill_s = _fill(warehouse.path(), args.signals, end)

    flagged: list[int] = []

    def recompute() -> None:
        with unit_of_work(read_only=True) as s:
            values = risk.indicators(s, SYSTEM)
        picked = [values.get(pair) for pair in pairs]
        assert sum(v is not None for v in picked) == len(pairs)

    def flag_job() -> None:
        with unit_of_work() as s:
            flagged.append(risk.flag_tick(s))
            s.rollback()  # each repeat recomputes and flags afresh

    days = get_settings().risk_window_days
    today = end.date()
    params = {"now": datetime.combine(today - timedelta(days=days - 1), datetime.min.time()),
              "before": datetime.combine(today - timedelta(days=2 * days - 1), datetime.min.time()),
              "end": datetime.combine(today + timedelta(days=1), datetime.min.time())}
    con = duckdb.connect(str(warehouse.path()), read_only=True, config=dict(warehouse.READ_CONFIG))
    rows: list[Any] = []

    def baseline() -> None:
        rows[:] = con.execute(BASELINE, params).fetchall()

    baseline()  # warm both paths (the file cache)
    recompute()
    base_s = _best(baseline, args.repeat)
    recompute_s = _best(recompute, args.repeat)
    job_s = _best(flag_job, max(1, args.repeat // 2))
    con.close()
    ratio = base_s / recompute_s
    print(f"warehouse: {args.signals:,} signals over a year, 4,000 incidents, 5,000 alerts, 600 requests "
          f"(filled in {fill_s:.1f} s); {len(pairs)} risks, {flagged[-1]} flagged by a recompute")
    print(f"{'':42} {'best of ' + str(args.repeat):>12}")
    print(f"{'one SQL query, both windows (baseline)':42} {base_s * 1000:10.0f} ms  ({len(rows)} rows)")
    print(f"{'every indicator of every risk (recompute)':42} {recompute_s * 1000:10.0f} ms")
    print(f"{'the job risk.flags (recompute + flags)':42} {job_s * 1000:10.0f} ms")
    print(f"ratio baseline / recompute: {ratio:.2f}")
    print(json.dumps({"benchmark": "risk", "signals": args.signals, "risks": len(pairs), "baseline_s": round(base_s, 4),
                      "recompute_s": round(recompute_s, 4), "ratio": round(ratio, 3), "flag_job_s": round(job_s, 4),
                      "flagged": flagged[-1]}))
    var.cleanup()


if __name__ == "__main__":
    main()
