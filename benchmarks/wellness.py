"""Wellness: sharing a queue of triage cases among responders with exposure budgets, against the same
sharing without budgets.

1. A temporary SQLite database (or ``--database-url``, a throwaway one), migrated, with ``--people``
   responders (200), each with a week of exposure logged (``--exposures`` each, 40: reviews of one to
   ten minutes at every intensity over the last 7 days; some people near or past their budgets), a
   person's own budget for every tenth of them, and a surge running.
2. **With budgets**: ``wellness.plan`` shares ``--cases`` cases (1,000, harms drawn from the taxonomy
   at every intensity) among the people: high-intensity cases to whoever has the most room left once
   the cases planned before are counted, the rest evenly; budgets, use and the surge read once.
   **Baseline**: the same sharing without budgets, in the same run: each case to whoever has the
   fewest cases so far (the list of people read from the same database). Best of ``--repeat``;
   ratio = baseline / with budgets (1.0: budgets cost nothing).

    .venv/bin/python benchmarks/wellness.py [--people 200] [--cases 1000] [--exposures 40] [--repeat 5]

Prints a table, then one JSON line. Bounded: about two minutes, most of it creating the people (each
password is hashed); no network.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

HARMS = ("dangerous_challenge", "suicide_promotion", "self_injury", "grooming", "csam", "cyberbullying",
         "ethnic_hatred", "terrorist_content", "graphic_violence", "animal_abuse", "phishing", "investment_scams",
         "crisis_misinformation", "doxxing")


def _best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--exposures", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    var = tempfile.TemporaryDirectory(prefix="rr-bench-wellness-")
    os.environ.update({"RAPIDRESPONSE_VAR_DIR": var.name, "RAPIDRESPONSE_LOG_LEVEL": "WARNING"})
    if args.database_url:
        os.environ["RAPIDRESPONSE_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("RAPIDRESPONSE_DATABASE_URL", None)

    from rapidresponse import auth, clock, domains, server, wellness
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import unit_of_work

    server.prepare()
    domains.load()
    rng = random.Random(7)
    run = f"{time.time_ns() % 1_000_000:06d}"
    seeded = time.perf_counter()
    with unit_of_work() as s:
        people = [auth.to_actor(auth.create_user(s, SYSTEM, username=f"wb{run}-{i}", role="responder",
                                                 password=None)[0]) for i in range(args.people)]
    end = clock.now()
    with unit_of_work() as s:
        for who in people:
            for _ in range(args.exposures):
                with clock.held_at(end - timedelta(minutes=rng.uniform(1, 7 * 24 * 60))):
                    wellness.record(s, who, rng.choice(HARMS), "review", seconds=rng.randint(60, 600))
        lead = auth.to_actor(auth.create_user(s, SYSTEM, username=f"wb{run}-lead", role="commander")[0])
        for who in people[::10]:
            wellness.set_budget(s, lead, wellness.BudgetIn(intensity="high", daily_minutes=60, weekly_minutes=240),
                                username=who.username)
        wellness.start_surge(s, lead, wellness.SurgeIn(factor=1.2, hours=2, reason="benchmark"))
    seed_s = time.perf_counter() - seeded
    ids = [p.user_id for p in people if p.user_id is not None]
    harms: list[str | None] = [rng.choice(HARMS) for _ in range(args.cases)]

    def with_budgets() -> list[int | None]:
        with unit_of_work(read_only=True) as s:
            return wellness.plan(s, ids, harms)

    def without_budgets() -> list[int | None]:
        with unit_of_work(read_only=True) as s:
            found = [p.id for p in auth.active_people(s) if p.id in set(ids)]
        load = dict.fromkeys(found, 0)
        out: list[int | None] = []
        for _ in harms:
            chosen = min(found, key=lambda u: load[u])
            load[chosen] += 1
            out.append(chosen)
        return out

    base_s, _ = _best(without_budgets, args.repeat)
    plan_s, planned = _best(with_budgets, args.repeat)
    routed = sum(1 for h in harms if wellness.harm_class(h).intensity in ("high", "extreme"))
    unassigned = sum(1 for u in planned if u is None)
    with unit_of_work(read_only=True) as s:
        before = wellness.room(s, ids, "suicide_promotion")
    spent = sum(1 for v in before.values() if v <= 0)
    figures = {"people": len(ids), "cases": len(harms), "routed_cases": routed, "exposures": len(ids) * args.exposures,
               "seed_s": round(seed_s, 1), "with_budgets_s": round(plan_s, 4), "without_budgets_s": round(base_s, 4),
               "ratio": round(base_s / plan_s, 2), "people_spent_extreme": spent, "left_unassigned": unassigned}
    rows = [("people / cases (high or extreme)", f"{len(ids)} / {len(harms)} ({routed})"),
            ("exposures logged", f"{len(ids) * args.exposures:,}"),
            ("with budgets (s)", f"{plan_s:.4f}"), ("without budgets (s)", f"{base_s:.4f}"),
            ("ratio (baseline / with budgets)", f"{base_s / plan_s:.2f}"),
            ("people with no room for extreme work", str(spent)), ("cases left unassigned", str(unassigned))]
    for name, value in rows:
        print(f"{name:<40} {value:>16}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
