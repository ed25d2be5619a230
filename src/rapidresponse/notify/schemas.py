"""Input and output shapes of the notification API (pydantic). Rules live in the services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schemas import Page, Strict

Status = Literal["pending", "sending", "delivered", "failed", "dead", "cancelled"]


class NotificationOut(BaseModel):
    """One outbox message, without its body (what lists show)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    idempotency_key: str
    kind: str
    channel: str
    recipient: str | None
    endpoint_id: int | None
    user_id: int | None
    subject: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    locked_until: datetime | None
    last_error: str | None
    incident_id: int | None
    restricted: bool
    event_id: int | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


class NotificationDetail(NotificationOut):
    body: str
    payload: dict[str, Any]


class NotificationPage(Page[NotificationOut]):
    counts: dict[str, int] = Field(description="Messages per status, over the whole outbox")


class TestMessage(Strict):
    email: str | None = Field(default=None, max_length=254)
    webhook_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class WebhookCreate(Strict):
    name: str = Field(max_length=120)
    url: str = Field(max_length=2000)
    format: Literal["json", "chat"] = "json"
    kinds: list[str] = Field(default_factory=list, max_length=20,
                             description="Message kinds broadcast to this endpoint, e.g. incident.declared")
    enabled: bool = True


class WebhookUpdate(Strict):
    name: str | None = Field(default=None, max_length=120)
    url: str | None = Field(default=None, max_length=2000)
    format: Literal["json", "chat"] | None = None
    kinds: list[str] | None = Field(default=None, max_length=20)
    enabled: bool | None = None
    rotate_secret: bool = False


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    name: str
    url: str
    format: str
    kinds: list[str]
    enabled: bool
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="The HMAC-SHA256 signing secret; shown only on create and rotation")


class Preferences(Strict):
    preferences: dict[str, list[str]] = Field(
        description="Channels per kind of message: 'email' or 'webhook:<id>'; an empty list mutes the kind")


class PreferencesOut(BaseModel):
    preferences: dict[str, list[str]]
    kinds: dict[str, str]
    channels: list[str]


class AudienceOut(BaseModel):
    slug: str
    name: str
    emails: list[str]
    endpoint_ids: list[int]
    external: bool
    locale: str


class AudienceIn(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    emails: list[Annotated[str, Field(max_length=320)]] | None = Field(default=None, max_length=200)
    endpoint_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] | None = Field(default=None, max_length=50)
    external: bool | None = None
    locale: Literal["en", "ru", "kk", "uk"] | None = None


ContactKind = Literal["email", "telegram", "sms", "voice", "webhook"]


class ContactIn(Strict):
    kind: ContactKind
    address: str = Field(min_length=1, max_length=254, description="An email address, a Telegram chat id, a "
                         "phone number in international form (+7…) or an https:// URL")
    label: str = Field(default="", max_length=80)


class ContactCode(Strict):
    code: str = Field(min_length=1, max_length=12)


class RuleIn(Strict):
    contact_id: int = Field(ge=1, le=2**31 - 1)
    delay_minutes: int = Field(default=0, ge=0, le=1440, description="Minutes after the page reached the person")


class RuleOut(BaseModel):
    model_config = ConfigDict(frozen=True)
    id: int
    contact_id: int
    delay_minutes: int


class ContactOut(BaseModel):
    """A contact method of one's own (the code is never shown; it went to the address)."""

    model_config = ConfigDict(frozen=True)
    id: int
    kind: str
    address: str
    label: str
    verified: bool
    working: bool
    code_pending: bool
    last_error: str | None
    created_at: datetime
    rules: list[RuleOut] = []
