"""What the on-call tests share besides fixtures."""

from __future__ import annotations

from dataclasses import dataclass

from rapidresponse.auth import Actor


@dataclass
class Rota:
    """A team with one schedule (two people, daily), one policy (on-call, then the lead) and a rule."""

    team_id: int
    schedule_id: int
    policy_id: int
    people: list[Actor]
    lead: Actor
    admin: Actor
