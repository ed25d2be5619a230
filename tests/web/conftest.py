"""Web UI fixtures: the real app on the test database, driven through its HTML forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from webkit import login

from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.web.templating import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def _catalogs() -> None:
    compile_catalogs()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False)) as c:
        yield c


@pytest.fixture
def logged_in(client: TestClient, make_user: Callable[..., Actor]) -> Callable[..., tuple[Actor, str]]:
    """Create a user and log ``client`` in as them; returns (actor, csrf token)."""

    def make(role: str = "commander", **kw: object) -> tuple[Actor, str]:
        actor = make_user(role, **kw)
        return actor, login(client, actor.username)

    return make
