"""Notification settings: ``RAPIDRESPONSE_SMTP_*`` for the mail relay, ``RAPIDRESPONSE_NOTIFY_*`` for
the outbox (leases, retries, batch sizes). Read once per process; ``delivery.reset()`` re-reads them."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPIDRESPONSE_SMTP_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 25
    from_addr: str = Field(default="rapidresponse@localhost", description="Envelope and From: address")
    from_name: str = "rapidresponse"
    tls: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPIDRESPONSE_NOTIFY_", extra="ignore")

    lease_seconds: float = Field(default=120.0, description="A claimed message is claimable again after this")
    max_attempts: int = 8
    backoff_base_seconds: float = 10.0
    backoff_cap_seconds: float = 3600.0
    batch_size: int = 32
    concurrency: int = 8
    webhook_timeout_seconds: float = 10.0
    max_body_chars: int = 100_000


@lru_cache
def smtp_settings() -> SmtpSettings:
    return SmtpSettings()


@lru_cache
def notify_settings() -> NotifySettings:
    return NotifySettings()
