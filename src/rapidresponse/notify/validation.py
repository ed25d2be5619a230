"""Input rules shared by the outbox, webhooks and preferences: clear errors before anything changes."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import httpx

from ..errors import ValidationFailed

KIND_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,79}$")
KEY_RE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,200}$")
# Deliberately plain: one @, no spaces or control characters, a dotted or bracketed domain.
PHONE_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
CHAT_RE = re.compile(r"^-?[0-9]{1,20}$")
EMAIL_RE = re.compile(r"^[^\s@<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9.-]{1,253}$")
MAX_PAYLOAD_BYTES = 65_536


def _controls(text: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def subject(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed("subject is empty", field="subject")
    if len(value) > 300:
        raise ValidationFailed(f"subject is {len(value)} characters; at most 300", field="subject")
    if _controls(value):
        raise ValidationFailed("subject must be one line without control characters", field="subject")
    return value


def body(value: str, max_chars: int) -> str:
    if len(value) > max_chars:
        raise ValidationFailed(f"body is {len(value)} characters; at most {max_chars}", field="body")
    if _controls(value, "\n\t\r"):
        raise ValidationFailed("body contains control characters (NUL, escape…)", field="body")
    return value


def kind(value: str) -> str:
    if not KIND_RE.match(value):
        raise ValidationFailed(f"kind {value[:80]!r}: lowercase letters, digits, '.', '_' or '-'", field="kind")
    return value


def idempotency_key(value: str) -> str:
    if not KEY_RE.match(value):
        raise ValidationFailed("idempotency key: 1-200 characters of A-Z a-z 0-9 . _ : @ / + = -",
                               field="idempotency_key")
    return value


def email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not EMAIL_RE.match(value) or ".." in value.split("@")[-1]:
        raise ValidationFailed(f"not an email address: {value[:80]!r}", field="email")
    return value


def payload(value: dict[str, Any] | None) -> dict[str, Any]:
    value = value or {}
    try:
        raw = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(f"payload is not JSON: {exc}", field="payload") from None
    if len(raw.encode()) > MAX_PAYLOAD_BYTES:
        raise ValidationFailed(f"payload is over {MAX_PAYLOAD_BYTES} bytes", field="payload")
    if "\\u0000" in raw:
        raise ValidationFailed("payload contains NUL characters", field="payload")
    return value


def url(value: str) -> str:
    value = value.strip()
    if len(value) > 2000 or _controls(value) or any(ch.isspace() for ch in value):
        raise ValidationFailed("url: at most 2000 characters, no spaces or control characters", field="url")
    try:
        parsed = httpx.URL(value)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValidationFailed(f"url is not valid: {exc}", field="url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValidationFailed("url must be http:// or https:// with a host", field="url")
    if parsed.userinfo:
        raise ValidationFailed("url must not carry credentials; the endpoint secret signs requests", field="url")
    return value


def name(value: str) -> str:
    value = value.strip()
    if not value or len(value) > 120 or _controls(value):
        raise ValidationFailed("name: 1-120 characters on one line", field="name")
    return value


def recipient(channel: str, value: str) -> str:
    """An address of a channel in its one stored form: an email address, a Telegram chat id, a phone
    number in international form (SMS, calls) or an http(s) URL of at most 254 characters."""
    value = value.strip()
    if channel == "email":
        return email(value)
    if channel == "telegram":
        if not CHAT_RE.match(value):
            raise ValidationFailed("a Telegram chat id is a number (the bot tells it in reply to /start)",
                                   field="address")
        return value
    if channel in ("sms", "voice"):
        number = re.sub(r"[\s().-]", "", value)
        if not PHONE_RE.match(number):
            raise ValidationFailed("a phone number in international form, e.g. +7 701 234 56 78", field="address")
        return number
    if channel == "webhook":
        value = url(value)
        if len(value) > 254:
            raise ValidationFailed("a webhook URL of at most 254 characters", field="address")
        return value
    raise ValidationFailed(f"unknown channel {channel[:20]!r}", field="kind")
