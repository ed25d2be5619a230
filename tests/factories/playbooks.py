"""``assign``: give someone a role on an incident (committed), so that the incident's running playbook
hands them the steps that role owns."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rapidresponse import incidents
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def assign(engine: Engine) -> Callable[..., None]:
    """``assign(actor, ref, role, who)``: ``actor`` assigns ``role`` on incident ``ref`` to ``who``."""

    def put(actor: Actor, ref: str, role: str, who: Actor) -> None:
        with unit_of_work() as s:
            incidents.assign_role(s, actor, ref, incidents.RoleAssign(role=role, username=who.username))

    return put
