"""The demo's risk register, seeded from the demo year once the warehouse holds it: the choking
challenge in KZ and RU rated high and flagged by its indicators, a re-assessment waiting for legal,
and one digest sent to the leadership; seeding again changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select

from rapidresponse import risk
from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.demo import seed, seed_register
from rapidresponse.demo.cli import register_once, warehouse_with_progress
from rapidresponse.notify.models import OutboxMessage


def test_the_demo_register_flags_the_choking_challenge(engine: Engine, tmp_path: Path,
                                                       env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))
    seed(history_size=40)
    warehouse_with_progress()
    register_once()
    with unit_of_work(read_only=True) as s:
        register = risk.register(s, SYSTEM, risk.RiskFilter())
        flagged = {(r.harm, r.country): r for r in risk.register(s, SYSTEM, risk.RiskFilter(flagged=True)).items}
        waiting = risk.register(s, SYSTEM, risk.RiskFilter(harm="crisis_misinformation", country="UA")).items[0]
        detail = risk.get(s, SYSTEM, waiting.id)
        digests = s.execute(select(OutboxMessage.recipient).where(OutboxMessage.kind == "risk.digest")).scalars().all()
        schedule = risk.digest_settings(s, SYSTEM)
    assert register.total >= 10 and all(r.version == 1 for r in register.items)
    for country in ("KZ", "RU"):
        challenge = flagged[("dangerous_challenge", country)]
        assert challenge.band == "high" and "signals:" in (challenge.flagged_reason or "")
    assert [(a.number, a.state, sorted(a.reviews)) for a in detail.assessments] == [
        (2, "in_review", ["policy"]), (1, "approved", ["legal", "policy"])]
    assert sorted(digests) == ["aigerim.nurlanova@example.org", "marta.zielinska@example.org"]
    assert schedule.enabled and schedule.last_week is not None
    with unit_of_work() as s:
        assert seed_register(s) == 0  # once
