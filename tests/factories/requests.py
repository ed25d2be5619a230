"""``make_request``: a regulator request registered through the requests service (committed).

The fields default to ``request_defaults`` (the Kazakh Ministry of Culture and Information's request
about two items, received at the test clock's start), which a test package may override."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import requests
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def request_defaults() -> dict[str, Any]:
    return {"country": "KZ", "regulator": "mci", "sender": "Министерство культуры и информации РК",
            "legal_basis": "Закон № 18-VIII, ст. 9(4)(2)", "language": "kk", "reference": "01-12/345",
            "received_at": "2026-03-01T09:00:00+00:00", "items": ["https://example.org/v/1", "vid:42"]}


@pytest.fixture
def make_request(engine: Engine, make_user: Callable[..., Actor],
                 request_defaults: dict[str, Any]) -> Callable[..., requests.RequestOut]:
    """Register a request (committed) as ``actor`` (a new legal user by default); returns it."""

    def make(actor: Actor | None = None, **fields: Any) -> requests.RequestOut:
        actor = actor or make_user("legal")
        with unit_of_work() as s:
            return requests.register(s, actor, requests.RequestCreate.model_validate({**request_defaults, **fields}))

    return make
