"""``make_incident``: an incident declared through the incidents service (committed), by its ref.

The fields default to ``incident_defaults``, a fixture a test package may override (the playbook
tests declare a severe one, so that its playbook's severity-gated tasks apply)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import incidents
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def incident_defaults() -> dict[str, Any]:
    return {"title": "Choking challenge among minors", "type": "dangerous_challenge", "countries": ["KZ", "RU"],
            "languages": ["ru", "kk"]}


@pytest.fixture
def make_incident(engine: Engine, make_user: Callable[..., Actor],
                  incident_defaults: dict[str, Any]) -> Callable[..., str]:
    """Declare an incident (committed) as ``actor`` (a new commander by default); returns its ref."""

    def make(actor: Actor | None = None, **fields: Any) -> str:
        actor = actor or make_user("commander")
        data = {**incident_defaults, **fields}
        with unit_of_work() as s:
            return incidents.declare(s, actor, incidents.IncidentCreate.model_validate(data)).ref

    return make
