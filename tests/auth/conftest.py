"""Auth test fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rapidresponse.app import create_app
from rapidresponse.auth import service as auth
from rapidresponse.web.templating import compile_catalogs


@pytest.fixture
def real_argon2() -> None:
    """Ask for it to hash with the production argon2 parameters."""


@pytest.fixture(autouse=True)
def _cheap_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with the cheapest parameters (the matrix creates hundreds of users)."""
    if "real_argon2" not in request.fixturenames:
        monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The real app on the test database, driven through its pages."""
    compile_catalogs()
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c
