"""``make_user``: a user created through the auth service (committed), returned as an Actor."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rapidresponse import auth
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., Actor]:
    """Create a user (committed) and return it as an Actor."""
    counter = iter(range(1, 10_000))

    def make(role: str = "responder", username: str | None = None, password: str = "correct horse battery",
             **kw: object) -> Actor:
        name = username or f"{role}{next(counter)}"
        with unit_of_work() as s:
            user, _ = auth.create_user(s, SYSTEM, username=name, role=role, password=password, **kw)  # type: ignore[arg-type]
            return auth.to_actor(user)

    return make
