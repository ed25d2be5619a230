"""Notification tables: the outbox, webhook endpoints and per-user preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class WebhookEndpoint(Base):
    """A receiver of webhooks: generic signed JSON, or a chat incoming-webhook (Slack/Mattermost)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    format: Mapped[str] = mapped_column(String(10))  # json | chat
    # Kept in clear: the worker needs it to sign; the API shows it only on create and rotate.
    secret: Mapped[str] = mapped_column(String(128))
    # Message kinds broadcast to this endpoint (team channels), beside personal preferences.
    kinds: Mapped[list[str]] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """Which channels a user wants for one kind of message (no row: the default for the kind)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(80))
    channels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """One message to deliver once: pending → sending → delivered | failed (retrying) | dead."""

    __tablename__ = "notify_outbox"
    __table_args__ = (Index("ix_notify_outbox_due", "status", "next_attempt_at"),
                      Index("ix_notify_outbox_lease", "status", "locked_until"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(10))  # email | webhook | chat | telegram | sms | voice
    recipient: Mapped[str | None] = mapped_column(String(254))  # address, chat id, phone number or URL
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="SET NULL"),
                                                    index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)  # related, not owned: no FK
    # About a restricted incident: only its recipient and those who may see every incident read it.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Audience(Base):
    """A named group that hears about incidents (leadership, PR, regional teams, partners): email
    addresses and webhook endpoints. Messages to an ``external`` audience need an approved text."""

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    emails: Mapped[list[str]] = mapped_column(JSONType, default=list)
    endpoint_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(5), default="en")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactMethod(Base):
    """A way to reach one person (an address, a Telegram chat, a phone number, a URL), used for pages
    only once its code was confirmed; ``failed_at`` is set when a message to it died, cleared when one
    arrives."""

    __tablename__ = "notify_contact_methods"
    __table_args__ = (UniqueConstraint("user_id", "kind", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # email | telegram | sms | voice | webhook
    address: Mapped[str] = mapped_column(String(254))
    label: Mapped[str] = mapped_column(String(80), default="")
    code_hash: Mapped[str | None] = mapped_column(String(128))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactRule(Base):
    """When a page reaches a person on one of their contact methods: ``delay_minutes`` after the page
    reached them (0: at once). No rule at all: every working method at once."""

    __tablename__ = "notify_contact_rules"
    __table_args__ = (UniqueConstraint("contact_id", "delay_minutes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("notify_contact_methods.id", ondelete="CASCADE"), index=True)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Cursor(Base):
    """A position the worker keeps between rounds (the last Telegram update it handled)."""

    __tablename__ = "notify_cursors"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
