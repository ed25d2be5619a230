"""Notification fixtures: real SMTP and HTTP receivers, channels pointed at them, factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from receivers import HttpReceiver, SmtpServer
from sqlalchemy import Engine

from rapidresponse.auth import SYSTEM
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.notify import delivery, endpoints
from rapidresponse.notify.channels import Channel, EmailChannel, WebhookChannel
from rapidresponse.notify.config import SmtpSettings


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as r:
        yield r


@pytest.fixture
def channels(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Channel]]:
    """Real channels: email to the test SMTP server (also as the process default), webhooks over HTTP."""
    monkeypatch.setenv("RAPIDRESPONSE_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("RAPIDRESPONSE_SMTP_FROM_ADDR", "alerts@rapidresponse.example")
    delivery.reset()
    chans: dict[str, Channel] = {"email": EmailChannel(SmtpSettings()), "webhook": WebhookChannel("webhook", 5),
                                 "chat": WebhookChannel("chat", 5)}
    yield chans
    delivery.reset()


@pytest.fixture
def make_endpoint(engine: Engine) -> Callable[..., Any]:
    def make(url: str, *, name: str | None = None, format: str = "json", kinds: list[str] | None = None) -> Any:
        with unit_of_work() as s:
            ep = endpoints.create_endpoint(s, SYSTEM, name=name or f"ep-{url[-12:]}-{format}", url=url,
                                           format=format, kinds=kinds or [])
            s.expunge(ep)
            return ep

    return make
