"""API test fixtures: the real app on the test database, real API tokens and web sessions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from apikit import Caller, WebCaller, session_for, token_for
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with the cheapest parameters: the suite creates hundreds of users.
    (tests/auth checks the production parameters.)"""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return create_app(embedded_worker=False)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def login(make_user: Callable[..., Actor]) -> Callable[..., Caller]:
    """Create a user of ``role`` and a Bearer token for them."""

    def make(role: str = "responder", *, scopes: list[str] | None = None, **kw: Any) -> Caller:
        actor = make_user(role, **kw)
        return Caller(actor, token_for(actor, scopes=scopes))

    return make


@pytest.fixture
def web_login(make_user: Callable[..., Actor]) -> Callable[..., WebCaller]:
    def make(role: str = "responder", **kw: Any) -> WebCaller:
        actor = make_user(role, **kw)
        cookie, csrf = session_for(actor)
        return WebCaller(actor, cookie, csrf)

    return make


@pytest.fixture
def declare(client: TestClient) -> Callable[..., dict[str, Any]]:
    """Declare an incident through the API as ``caller``; returns the created incident."""

    def make(caller: Caller, **fields: Any) -> dict[str, Any]:
        body = {"title": "Choking challenge among minors", "type": "dangerous_challenge",
                "countries": ["KZ", "RU"], "languages": ["ru", "kk"], **fields}
        resp = client.post("/api/v1/incidents", json=body, headers=caller.headers)
        assert resp.status_code == 201, resp.text
        created: dict[str, Any] = resp.json()
        return created

    return make
