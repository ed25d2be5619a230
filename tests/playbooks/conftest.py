"""Playbook fixtures: incidents declared through the real service (their playbook applies itself)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service
from rapidresponse.incidents.schemas import RoleAssign


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def incident_defaults() -> dict[str, Any]:
    """A severe incident (its playbook's severity-gated tasks apply)."""
    return {"title": "Собачий кайф: волна видео", "type": "dangerous_challenge", "countries": ["KZ", "RU"],
            "languages": ["ru", "kk"], "severity": {"harm": 3, "reach": 3, "velocity": 3, "vulnerable": True}}


@pytest.fixture
def assign(engine: Engine) -> Callable[..., None]:
    def put(actor: Actor, ref: str, role: str, who: Actor) -> None:
        with unit_of_work() as s:
            service.assign_role(s, actor, ref, RoleAssign(role=role, username=who.username))

    return put
