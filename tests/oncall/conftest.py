"""On-call fixtures: a team with a schedule, an escalation policy and a routing rule (the SMTP and
HTTP receivers come from the shared conftest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from argon2 import PasswordHasher
from oncallkit import Rota
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.notify import endpoints as notify_endpoints
from rapidresponse.oncall import policies, service
from rapidresponse.oncall.schemas import LayerIn, PolicyIn, RouteIn, ScheduleIn, TeamIn


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def make_rota(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., Rota]:
    """A team whose daily rotation (09:00 Almaty) pages the on-call person, then a lead, with a rule
    for Kazakh-language child-safety incidents."""

    def make(*, name: str = "Central Asia child safety", endpoint_url: str | None = None, repeat: int = 0,
             delays: tuple[int, int] = (10, 15), **rule: Any) -> Rota:
        admin = make_user("admin")
        people = [make_user("responder", email=f"{n}@example.org", display_name=d, locale=loc, timezone="Asia/Almaty")
                  for n, d, loc in (("aigerim", "Айгерим", "ru"), ("yerzhan", "Yerzhan", "en"))]
        lead = make_user("commander", email="lead@example.org", display_name="Lead")
        with unit_of_work() as s:
            endpoints = []
            if endpoint_url:
                endpoints = [notify_endpoints.create_endpoint(s, admin, name=f"{name} channel", url=endpoint_url).id]
            team = service.create_team(s, admin, TeamIn(name=name, timezone="Asia/Almaty",
                                                        webhook_endpoint_ids=endpoints))
            sched = service.create_schedule(s, admin, team.id, ScheduleIn(name="Primary", timezone="Asia/Almaty",
                                                                          country="KZ"))
            service.add_layer(s, admin, sched.id, LayerIn(
                name="Daily", level=1, users=[p.username for p in people], timezone="Asia/Almaty",
                start_date=date(2026, 2, 1), handoff_time="09:00", shift_length=1, shift_unit="days"))
            policy = policies.create_policy(s, admin, team.id, PolicyIn.model_validate({
                "name": "Default", "repeat": repeat,
                "steps": [{"kind": "schedule", "target": str(sched.id), "delay_minutes": delays[0]},
                          {"kind": "user", "target": lead.username, "delay_minutes": delays[1]}]}))
            policies.add_route(s, admin, team.id, RouteIn.model_validate({
                "policy_id": policy.id, "incident_types": ["child_safety"], "languages": ["kk"],
                "min_severity": 2, **rule}))
            return Rota(team.id, sched.id, policy.id, people, lead, admin)

    return make

