"""Reviews: drafting a post-incident review of a long incident, against reading its rows once.

1. A temporary SQLite database (or ``--database-url``), migrated; one incident (KZ and RU, ru and
   kk) with ``--events`` timeline events (5,000: notes, tasks and their updates through the
   services, a few status changes) and ``--signals`` signals of its harm, countries and languages
   between its first signal and its mitigation (50,000, bulk-inserted: intake has its own benchmark).
2. **Draft**: ``reviews.draft`` (the timeline, key moments, every figure including exposure before
   mitigation by country and language, the exit criteria), in a savepoint rolled back after each
   run, ``--repeat`` times (best run).
3. **Baseline**: reading the same rows once, in the same kind of transaction: the incident's events
   (``SELECT`` of the stream with payloads) and the signals' country, language and source in the
   window, fetched into Python. Any draft must at least look at these rows.

    .venv/bin/python benchmarks/reviews.py [--events 5000] [--signals 50000] [--repeat 5]

Prints a table, then one JSON line. Bounded: a few minutes on two cores (mostly seeding); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _best(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--signals", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="rr-bench-reviews-")
    os.environ["RAPIDRESPONSE_VAR_DIR"] = tmp.name
    os.environ.setdefault("RAPIDRESPONSE_LOG_LEVEL", "WARNING")
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"

    from sqlalchemy import delete, insert, select

    from rapidresponse import clock, db, domains, events, incidents, migrate, reviews
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.signals.models import Signal

    domains.load()
    db.configure(url)
    migrate.upgrade()
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    now = [start]
    clock.set_clock(lambda: now[0])
    tag = start.strftime("%H%M%S") + os.urandom(3).hex()  # several runs against one database do not clash

    seeding = time.perf_counter()
    with db.unit_of_work() as s:  # an earlier run's signals would count in this run's exposure window
        s.execute(delete(Signal).where(Signal.external_id.like("reviews-bench-%")))
        user, _ = auth.create_user(s, SYSTEM, username=f"bench-cmd-{tag}", role="commander",
                                   password="correct horse battery")
        actor = auth.to_actor(user)
        ref = incidents.declare(s, actor, incidents.IncidentCreate.model_validate({
            "title": "Choking challenge among minors", "type": "dangerous_challenge", "countries": ["KZ", "RU"],
            "languages": ["ru", "kk"], "harm_categories": ["dangerous_challenge"],
            "detected_at": (start - timedelta(hours=2)).isoformat(),
            "severity": {"harm": 4, "reach": 3, "velocity": 3, "vulnerable": True}})).ref
        incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": "active"}))
    step = timedelta(seconds=20)
    written = 0
    while written < args.events:
        with db.unit_of_work() as s:
            for _ in range(min(500, args.events - written)):
                now[0] += step
                if written % 10 == 0:
                    task = incidents.add_task(s, actor, ref, incidents.TaskCreate(title=f"Check variant {written}",
                                                                                  due_at=now[0] + timedelta(hours=1)))
                    incidents.update_task(s, actor, ref, task.id, incidents.TaskUpdate(status="done"))
                    written += 2
                else:
                    incidents.add_note(s, actor, ref, incidents.NoteCreate(body=f"Observation {written}: variant seen"))
                    written += 1
    with db.unit_of_work() as s:
        incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": "mitigated"}))
        inc = incidents.get(s, actor, ref)
    mitigated = inc.mitigated_at or now[0]
    window = (mitigated - (start - timedelta(hours=2))).total_seconds()
    places = [("KZ", "kk"), ("KZ", "ru"), ("RU", "ru")]
    rows = [{"source": "user_report" if i % 3 else "classifier", "external_id": f"reviews-bench-{tag}-{i}",
             "occurred_at": start - timedelta(hours=2) + timedelta(seconds=window * i / args.signals),
             "received_at": mitigated, "text": f"сигнал {i}", "text_folded": f"сигнал {i}",
             "harm": "dangerous_challenge", "country": places[i % 3][0], "language": places[i % 3][1],
             "meta": {}, "lexicon_matches": []} for i in range(args.signals)]
    with db.unit_of_work() as s:
        for i in range(0, len(rows), 5000):
            s.execute(insert(Signal), rows[i:i + 5000])
    seeded = time.perf_counter() - seeding

    def draft() -> None:
        with db.unit_of_work() as s:
            savepoint = s.begin_nested()
            out = reviews.draft(s, actor, ref)
            assert out.figures["exposure"]["signals"] == args.signals, out.figures["exposure"]
            savepoint.rollback()

    def read_once() -> None:
        with db.unit_of_work(read_only=True) as s:
            evs = events.for_subject(s, "incident", inc.id)
            assert len(evs) >= args.events
            got = s.execute(select(Signal.country, Signal.language, Signal.source).where(
                Signal.occurred_at >= start - timedelta(hours=2), Signal.occurred_at < mitigated,
                Signal.harm == "dangerous_challenge")).all()
            assert len(got) == args.signals

    draft()  # warm caches
    read_once()
    base = _best(read_once, args.repeat)
    drafted = _best(draft, args.repeat)
    n_events = len(events.for_subject(db.session_factory(True)(), "incident", inc.id))
    print(f"{'scenario':44} {'best (s)':>9} {'ratio':>7}")
    print(f"{'read the rows once (baseline)':44} {base:9.3f} {1.0:7.2f}")
    print(f"{'draft the review':44} {drafted:9.3f} {drafted / base:7.2f}")
    print(f"events on the incident's stream: {n_events}; signals: {args.signals}; seeding took {seeded:.1f} s")
    print(json.dumps({"benchmark": "reviews", "database": db.get_engine().dialect.name, "events": n_events,
                      "signals": args.signals, "baseline_s": round(base, 4), "draft_s": round(drafted, 4),
                      "ratio": round(drafted / base, 2)}))


if __name__ == "__main__":
    main()
