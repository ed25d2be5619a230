"""Signed tokens for links that work without a session: acknowledging one page as one person, and
calendar feeds. A token names its purpose and ids and carries an HMAC under the app's secret key; it
authorises only what it names."""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..config import get_settings

MAX_TOKEN = 120


def _mac(purpose: str, body: str) -> str:
    key = get_settings().effective_secret_key.encode()
    digest = hmac.new(key, f"oncall:{purpose}:{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def sign(purpose: str, *ids: int) -> str:
    body = "-".join(str(i) for i in ids)
    return f"{body}-{_mac(purpose, body)}"


def verify(purpose: str, token: str, count: int) -> tuple[int, ...] | None:
    """The ids a valid token names, or None (wrong purpose, tampered, malformed)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    parts = token.split("-", count)
    if len(parts) != count + 1 or not all(p.isdigit() and len(p) < 10 for p in parts[:count]):
        return None
    body = "-".join(parts[:count])
    if not hmac.compare_digest(parts[count].encode(), _mac(purpose, body).encode()):
        return None
    return tuple(int(p) for p in parts[:count])
