"""Auth test fixtures."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from rapidresponse.auth import service as auth


@pytest.fixture
def real_argon2() -> None:
    """Ask for it to hash with the production argon2 parameters."""


@pytest.fixture(autouse=True)
def _cheap_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with the cheapest parameters (the matrix creates hundreds of users)."""
    if "real_argon2" not in request.fixturenames:
        monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
