"""``make_rota``: an on-call team built through the oncall service (committed), and :class:`Rota`,
what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import oncall
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.notify.schemas import WebhookWithSecret


@dataclass
class Rota:
    """A team with one schedule (two people, daily), one policy (on-call, then the lead) and a rule."""

    team_id: int
    schedule_id: int
    policy_id: int
    people: list[Actor]
    lead: Actor
    admin: Actor


@pytest.fixture
def make_rota(engine: Engine, make_user: Callable[..., Actor],
              make_endpoint: Callable[..., WebhookWithSecret]) -> Callable[..., Rota]:
    """A team whose daily rotation (09:00 Almaty) pages the on-call person, then a lead, with a rule
    for Kazakh-language child-safety incidents; ``endpoint_url`` gives the team a webhook channel."""

    def make(*, name: str = "Central Asia child safety", endpoint_url: str | None = None, repeat: int = 0,
             delays: tuple[int, int] = (10, 15), **rule: Any) -> Rota:
        admin = make_user("admin")
        people = [make_user("responder", email=f"{n}@example.org", display_name=d, locale=loc, timezone="Asia/Almaty")
                  for n, d, loc in (("aigerim", "Айгерим", "ru"), ("yerzhan", "Yerzhan", "en"))]
        lead = make_user("commander", email="lead@example.org", display_name="Lead")
        endpoints = [make_endpoint(endpoint_url, name=f"{name} channel").id] if endpoint_url else []
        with unit_of_work() as s:
            team = oncall.create_team(s, admin, oncall.TeamIn(name=name, timezone="Asia/Almaty",
                                                              webhook_endpoint_ids=endpoints))
            sched = oncall.create_schedule(s, admin, team.id, oncall.ScheduleIn(name="Primary", timezone="Asia/Almaty",
                                                                                country="KZ"))
            oncall.add_layer(s, admin, sched.id, oncall.LayerIn(
                name="Daily", level=1, users=[p.username for p in people], timezone="Asia/Almaty",
                start_date=date(2026, 2, 1), handoff_time="09:00", shift_length=1, shift_unit="days"))
            policy = oncall.create_policy(s, admin, team.id, oncall.PolicyIn.model_validate({
                "name": "Default", "repeat": repeat,
                "steps": [{"kind": "schedule", "target": str(sched.id), "delay_minutes": delays[0]},
                          {"kind": "user", "target": lead.username, "delay_minutes": delays[1]}]}))
            oncall.add_route(s, admin, team.id, oncall.RouteIn.model_validate({
                "policy_id": policy.id, "incident_types": ["child_safety"], "languages": ["kk"],
                "min_severity": 2, **rule}))
            return Rota(team.id, sched.id, policy.id, people, lead, admin)

    return make
