"""Playbook fixtures: incidents declared through the real service (their playbook applies itself) are
severe here, so that the severity-gated steps of their playbook apply. ``assign`` is a factory
(``tests/factories/playbooks.py``)."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher

from rapidresponse.auth import service as auth


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def incident_defaults() -> dict[str, Any]:
    """A severe incident (its playbook's severity-gated tasks apply)."""
    return {"title": "Собачий кайф: волна видео", "type": "dangerous_challenge", "countries": ["KZ", "RU"],
            "languages": ["ru", "kk"], "severity": {"harm": 3, "reach": 3, "velocity": 3, "vulnerable": True}}
