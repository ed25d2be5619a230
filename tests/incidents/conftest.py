from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service
from rapidresponse.incidents.schemas import IncidentCreate


@pytest.fixture
def make_incident(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., str]:
    """Declare an incident (committed) and return its reference."""

    def make(actor: Actor | None = None, **fields: Any) -> str:
        actor = actor or make_user("commander")
        data = {"title": "Choking challenge among minors", "type": "dangerous_challenge",
                "countries": ["KZ", "RU"], "languages": ["ru", "kk"], **fields}
        with unit_of_work() as s:
            return service.declare(s, actor, IncidentCreate.model_validate(data)).ref

    return make
