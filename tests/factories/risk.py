"""``make_risk``: a risk added to the register through the risk service (committed), its first
assessment a draft; ``approve_risk`` takes that draft through policy's and legal's review to approval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import risk
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_risk(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., risk.RiskDetail]:
    """Add a risk (dangerous_challenge in KZ, likelihood 4, impact 5 by default) as ``actor`` (a new
    policy user by default)."""

    def make(actor: Actor | None = None, **fields: Any) -> risk.RiskDetail:
        actor = actor or make_user("policy")
        data = {"harm": "dangerous_challenge", "country": "KZ", "likelihood": 4, "impact": 5, **fields}
        with unit_of_work() as s:
            return risk.create(s, actor, risk.RiskCreate.model_validate(data))

    return make


@pytest.fixture
def approve_risk(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., risk.RiskDetail]:
    """Submit a risk's open assessment, have a policy and a legal user review it and a commander approve it."""

    def approve(risk_id: int, number: int | None = None) -> risk.RiskDetail:
        reviewers = [make_user("policy"), make_user("legal")]
        commander = make_user("commander")
        with unit_of_work() as s:
            current = risk.get(s, commander, risk_id)
            number = number or current.assessments[0].number
            if current.assessments[0].state in ("draft", "returned"):
                risk.submit(s, commander, risk_id, number)
            for reviewer in reviewers:
                risk.review(s, reviewer, risk_id, number)
            return risk.approve(s, commander, risk_id, number)

    return approve
