"""Policy: the regulator-clock worker tick and the statement-of-reasons export, at volume.

1. A temporary SQLite database (or ``--database-url``), migrated; ``--requests`` open regulator
   requests (2,000) registered through the service across KZ, RU, PL, UZ and AZ, a fifth of them on
   business-hours clocks, and ``--decisions`` content decisions (5,000) affecting EU users.
2. **Clock tick**: ``requests.jobs.tick`` at a moment when no mark is crossed (the steady state the
   worker sees every 20 s), ``--repeat`` times; baseline: loading the same open requests with one
   ``SELECT`` in the same kind of transaction, the floor for any tick that reads its rows.
3. **SoR export**: ``decisions.build_sor`` (load, visibility, build, validate every statement
   against the Transparency Database rules) and the JSON batches of 100; baseline: loading the same
   decisions and ``json.dumps`` of their columns.

    .venv/bin/python benchmarks/policy_clocks.py [--requests 2000] [--decisions 5000] [--repeat 5]

Prints a table, then one JSON line. Bounded: about a minute on two cores (mostly seeding); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
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
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="rr-bench-policy-")
    os.environ["RAPIDRESPONSE_VAR_DIR"] = tmp.name
    os.environ.setdefault("RAPIDRESPONSE_LOG_LEVEL", "WARNING")
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"

    from sqlalchemy import select

    from rapidresponse import clock, db, decisions, domains, migrate, policy, requests
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.decisions.models import ContentDecision
    from rapidresponse.requests import jobs
    from rapidresponse.requests.models import RegulatorRequest

    domains.load()

    db.configure(url)
    migrate.upgrade()
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday
    clock.set_clock(lambda: start)
    kinds = [("KZ", "mci", None), ("RU", "rkn", None), ("PL", "uke", None), ("UZ", None, None),
             ("KZ", "mci", "inspection_remedy")]
    with db.unit_of_work() as s:
        tag = secrets.token_hex(3)  # a second run on the same database records its own decisions
        user, _ = auth.create_user(s, SYSTEM, username=f"bench-legal-{tag}", role="legal",
                                   password="correct horse battery")
        actor = auth.to_actor(user)
        for n in range(args.requests):
            country, regulator, deadline = kinds[n % len(kinds)]
            reg = regulator or policy.get_country(country, s).regulators[0].id
            requests.register(s, actor, requests.RequestCreate.model_validate({
                "country": country, "regulator": reg, "sender": f"Sender {n}", "legal_basis": "Art. 9",
                "language": "ru", "received_at": start - timedelta(minutes=n % 60), "deadline": deadline,
                "items": [f"https://example.org/v/{n}"]}))
        for n in range(args.decisions):
            decisions.record_decision(s, actor, decisions.DecisionCreate.model_validate({
                "puid": f"pl-{tag}-{n:06d}", "content_date": "2026-02-27", "action": "remove" if n % 3 else "label",
                "harm": "dangerous_challenge", "explanation": "Niebezpieczne wyzwanie", "content_language": "pl",
                "facts": f"Факт №{n}: ąę", "territorial_scope": ["PL"] if n % 2 else [], "source_type": "notice"}))
    quiet = start + timedelta(minutes=70)  # every clock below its 50 % mark

    def tick() -> None:
        clock.set_clock(lambda: quiet)
        with db.unit_of_work() as s:
            assert jobs.tick(s, quiet) == 0

    def load_requests() -> None:
        with db.unit_of_work() as s:
            rows = s.execute(select(RegulatorRequest).where(RegulatorRequest.status == "open")).scalars().all()
            assert len(rows) >= args.requests  # a reused database keeps earlier runs' requests: both sides read them

    def export() -> None:
        with db.unit_of_work(read_only=True) as s:
            result = decisions.build_sor(s, actor)
            body = json.dumps(result.batches(), ensure_ascii=False)
            assert len(result.valid) >= args.decisions and body

    def load_decisions() -> None:
        with db.unit_of_work(read_only=True) as s:
            rows = s.execute(select(ContentDecision)).scalars().all()
            cols = [c.name for c in ContentDecision.__table__.columns]
            assert json.dumps([{c: str(getattr(r, c)) for c in cols} for r in rows], ensure_ascii=False)

    results = {
        "tick_s": _best(tick, args.repeat), "tick_baseline_s": _best(load_requests, args.repeat),
        "export_s": _best(export, args.repeat), "export_baseline_s": _best(load_decisions, args.repeat),
    }
    clock.set_clock(None)
    tick_ratio = results["tick_s"] / results["tick_baseline_s"]
    export_ratio = results["export_s"] / results["export_baseline_s"]
    print(f"{'scenario':<48}{'time':>12}{'per item':>14}{'ratio':>9}")
    print(f"{'clock tick, ' + str(args.requests) + ' open requests':<48}{results['tick_s'] * 1000:>10.1f}ms"
          f"{results['tick_s'] / args.requests * 1e6:>12.1f}µs{tick_ratio:>9.2f}")
    print(f"{'  baseline: SELECT the open requests':<48}{results['tick_baseline_s'] * 1000:>10.1f}ms"
          f"{results['tick_baseline_s'] / args.requests * 1e6:>12.1f}µs{1:>9.2f}")
    print(f"{'SoR export, ' + str(args.decisions) + ' decisions (validated)':<48}{results['export_s'] * 1000:>10.1f}ms"
          f"{args.decisions / results['export_s']:>10.0f}/s{export_ratio:>9.2f}")
    print(f"{'  baseline: SELECT + json.dumps':<48}{results['export_baseline_s'] * 1000:>10.1f}ms"
          f"{args.decisions / results['export_baseline_s']:>10.0f}/s{1:>9.2f}")
    print(json.dumps({"benchmark": "policy_clocks", "requests": args.requests, "decisions": args.decisions,
                      **{k: round(v, 5) for k, v in results.items()}, "tick_ratio": round(tick_ratio, 2),
                      "export_ratio": round(export_ratio, 2),
                      "export_statements_per_s": round(args.decisions / results["export_s"])}))
    db.get_engine().dispose()
    tmp.cleanup()


if __name__ == "__main__":
    main()
