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
