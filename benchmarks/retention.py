"""Retention: one pass of ``privacy.apply_retention`` over signals past their time, against a plain
``DELETE`` of the same rows.

1. A temporary SQLite database (or ``--database-url``, a throwaway one), migrated, with ``--signals``
   signals (10,000,000) made inside the database (``INSERT … SELECT`` over a generated series: each
   with a report text, reporter metadata, a URL, harm, country and language, spread over a year
   that ended three years ago, so all of them are past the default 730 days), one incident under
   legal hold with a case that holds ``--held`` of them (1,000), and the default retention settings.
2. **Pass**: one ``privacy.apply_retention`` in one transaction: the holds and what they link to are
   read, every data class's step runs (signals deleted, the rest of the classes find nothing), and
   ``retention.applied`` is recorded. **Baseline**: the same signals made afresh, then
   ``DELETE FROM signals WHERE occurred_at < :cutoff`` in one transaction (no hold spared).
   ratio = pass / baseline (1.0: retention costs what the plain delete costs).

On PostgreSQL the trigram index on the signals' folded text is dropped for the run (building it for
ten million rows twice would take most of an hour): a ``DELETE`` leaves index entries to ``VACUUM``
on every kind of index, so neither side's figure depends on it.

    .venv/bin/python benchmarks/retention.py [--signals 10000000] [--held 1000] [--database-url URL]

Prints a table, then one JSON line. Bounded: two loads and two deletes (ten million signals take
about half an hour on PostgreSQL and several hours on SQLite on a small machine; ``--signals 1000000``
for a quick run); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

ENDED_DAYS_AGO = 3 * 365


def _fill(session: Any, count: int, end: datetime) -> None:
    """``count`` signals over the year before ``end``, made by the database itself."""
    span = 365 * 24 * 3600
    if session.get_bind().dialect.name == "postgresql":
        series = "SELECT g AS n FROM generate_series(1, :count) AS g"
        at = "CAST(:end AS timestamptz) - make_interval(secs => (CAST(n AS bigint) * 7919) % :span)"
        meta = "json_build_object('reporter_id', 'r-' || (n % 500000), 'app', 'android')::jsonb"
        matches = "'[]'::jsonb"
    else:
        series = ("WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :count) "
                  "SELECT n FROM seq")
        at = "strftime('%Y-%m-%d %H:%M:%f', :end, '-' || ((n * 7919) % :span) || ' seconds')"
        meta = "json_object('reporter_id', 'r-' || (n % 500000), 'app', 'android')"
        matches = "'[]'"
    session.execute(text(
        "INSERT INTO signals (source, external_id, occurred_at, received_at, text, text_folded, url, harm, "
        "country, language, reporter_type, meta, lexicon_matches) "
        f"SELECT 'user_report', 'b-' || n, {at}, {at}, 'видео с опасным челленджем, отчёт №' || n, "
        f"'видео с опасным челленджем, отчет №' || n, 'https://video.example/v/' || n, 'dangerous_challenge', "
        f"'KZ', 'ru', 'user', {meta}, {matches} FROM ({series}) AS s"),
        {"count": count, "end": end.strftime("%Y-%m-%d %H:%M:%S") if "strftime" in at else end, "span": span})


def _load(count: int, end: datetime) -> float:
    from rapidresponse.db import unit_of_work

    started = time.perf_counter()
    with unit_of_work() as s:
        postgres = s.get_bind().dialect.name == "postgresql"
        if postgres:  # see the module's docstring: the trigram index is left out of both runs
            s.execute(text("TRUNCATE signals"))
            s.execute(text("DROP INDEX IF EXISTS ix_signals_text_folded_trgm"))
        else:
            s.execute(text("DELETE FROM signals"))
        _fill(s, count, end)
    if postgres:
        with unit_of_work() as s:
            s.execute(text("ANALYZE signals"))
    return time.perf_counter() - started


def _hold(held: int) -> None:
    """An incident under legal hold whose case holds ``held`` of the signals."""
    from rapidresponse import auth, detection, incidents, privacy
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import unit_of_work

    with unit_of_work() as s:
        admin = auth.to_actor(auth.create_user(s, SYSTEM, username=f"bench{time.time_ns() % 10**9}", role="admin",
                                               password=None)[0])
        inc = incidents.declare(s, admin, incidents.IncidentCreate(title="Held", type="dangerous_challenge"))
        case = detection.open_manual_case(s, admin, source="press", title="Held evidence")
        ids = list(s.execute(text("SELECT id FROM signals ORDER BY id LIMIT :n"), {"n": held}).scalars())
        s.execute(text("UPDATE cases SET signal_ids = :ids WHERE id = :c"), {"ids": json.dumps(ids), "c": case.id})
        detection.escalate_case(s, admin, case.id, into=inc.ref)
        privacy.place_hold(s, admin, inc.ref, privacy.HoldIn(reason="benchmark"))


def _count() -> int:
    from rapidresponse.db import unit_of_work

    with unit_of_work(read_only=True) as s:
        return int(s.execute(text("SELECT count(*) FROM signals")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--signals", type=int, default=10_000_000)
    parser.add_argument("--held", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    var = tempfile.TemporaryDirectory(prefix="rr-bench-retention-")
    os.environ.update({"RAPIDRESPONSE_VAR_DIR": var.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING"})
    if args.database_url:
        os.environ["RAPIDRESPONSE_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("RAPIDRESPONSE_DATABASE_URL", None)

    from rapidresponse import domains, privacy, server
    from rapidresponse.db import unit_of_work

    server.prepare()
    domains.load()
    now = datetime.now(UTC)
    end = now - timedelta(days=ENDED_DAYS_AGO)

    load_pass = _load(args.signals, end)
    print(f"loaded {args.signals:,} signals in {load_pass:.1f} s", flush=True)
    _hold(args.held)
    started = time.perf_counter()
    with unit_of_work() as s:
        report = privacy.apply_retention(s, at=now)
    pass_seconds = time.perf_counter() - started
    kept = _count()
    print(f"retention pass: {pass_seconds:.1f} s ({report.counts['signals']:,} deleted, {kept:,} kept)", flush=True)

    load_base = _load(args.signals, end)
    started = time.perf_counter()
    with unit_of_work() as s:
        deleted = s.execute(text("DELETE FROM signals WHERE occurred_at < :cut"),
                            {"cut": now - timedelta(days=730)}).rowcount
    base_seconds = time.perf_counter() - started

    ratio = pass_seconds / base_seconds
    backend = "postgresql" if args.database_url else "sqlite"
    print(f"{'step':<44} {'seconds':>9} {'rows':>12}")
    print(f"{'load (pass run)':<44} {load_pass:>9.1f} {args.signals:>12,}")
    print(f"{'retention pass (privacy.apply_retention)':<44} {pass_seconds:>9.1f} {report.counts['signals']:>12,}")
    print(f"{'  kept under legal hold':<44} {'':>9} {kept:>12,}")
    print(f"{'load (baseline run)':<44} {load_base:>9.1f} {args.signals:>12,}")
    print(f"{'plain DELETE (baseline)':<44} {base_seconds:>9.1f} {deleted:>12,}")
    print(f"ratio pass / plain DELETE: {ratio:.2f}  ({backend})")
    print(json.dumps({"benchmark": "retention", "backend": backend, "signals": args.signals, "held": kept,
                      "pass_seconds": round(pass_seconds, 3), "delete_seconds": round(base_seconds, 3),
                      "deleted_by_pass": report.counts["signals"], "deleted_by_delete": deleted,
                      "ratio": round(ratio, 3)}))


if __name__ == "__main__":
    main()
