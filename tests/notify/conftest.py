"""Notification fixtures: real SMTP and HTTP receivers, channels pointed at them, factories."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from rapidresponse.auth import SYSTEM
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.notify import endpoints


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def make_endpoint(engine: Engine) -> Callable[..., Any]:
    def make(url: str, *, name: str | None = None, format: str = "json", kinds: list[str] | None = None) -> Any:
        with unit_of_work() as s:
            ep = endpoints.create_endpoint(s, SYSTEM, name=name or f"ep-{url[-12:]}-{format}", url=url,
                                           format=format, kinds=kinds or [])
            s.expunge(ep)
            return ep

    return make
