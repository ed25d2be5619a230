"""``make_endpoint``: a webhook endpoint created through the notify service (committed)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.notify import endpoints
from rapidresponse.notify.schemas import WebhookWithSecret


@pytest.fixture
def make_endpoint(engine: Engine) -> Callable[..., WebhookWithSecret]:
    """Add an endpoint for ``url`` (a signed-JSON one by default); returns it with its secret."""

    def make(url: str, *, name: str | None = None, format: str = "json",
             kinds: list[str] | None = None) -> WebhookWithSecret:
        with unit_of_work() as s:
            return endpoints.create_endpoint(s, SYSTEM, name=name or f"ep-{url[-12:]}-{format}", url=url,
                                             format=format, kinds=kinds or [])

    return make
