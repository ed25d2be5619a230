"""Notification channels: a small protocol and its implementations (SMTP email, signed JSON webhook,
chat incoming-webhook). Channels do network I/O only: they never touch the database, so the worker
calls them after its claim has committed.

Every message carries its idempotency key to the receiver (``Idempotency-Key`` on webhooks,
``X-Idempotency-Key`` and a stable ``Message-ID`` on email): delivery is at least once, and a receiver
drops the duplicates that a retry after a crash may produce.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

import httpx

from ..clock import now
from ..config import SmtpConfig, get_settings

SIGNATURE_HEADER = "X-RapidResponse-Signature"
TIMESTAMP_HEADER = "X-RapidResponse-Timestamp"
USER_AGENT = "rapidresponse-notify/1"


class DeliveryError(Exception):
    """The receiver did not take the message. ``permanent`` errors go straight to dead."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Endpoint:
    id: int
    name: str
    url: str
    format: str
    secret: str


@dataclass(frozen=True)
class Envelope:
    """A claimed message, detached from the database session."""

    id: int
    idempotency_key: str
    kind: str
    channel: str
    subject: str
    body: str
    recipient: str | None = None
    endpoint: Endpoint | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1


class Channel(Protocol):
    """A way to deliver a message. ``send`` returns when the receiver accepted it, else raises
    :class:`DeliveryError`. Implementations must be safe to call from several threads."""

    name: str

    def send(self, msg: Envelope) -> None: ...


# --- email ------------------------------------------------------------------------------------------

def message_id(key: str, domain: str) -> str:
    """A stable Message-ID for an idempotency key: every retry of a message carries the same one."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def build_email(msg: Envelope, settings: SmtpConfig) -> EmailMessage:
    """A UTF-8 plain-text + HTML message (the HTML from the payload's ``html`` when the message carries a
    typeset document); non-ASCII headers go out RFC 2047 encoded."""
    if not msg.recipient:
        raise DeliveryError("email message without a recipient", permanent=True)
    local, _, domain = settings.from_addr.partition("@")
    email = EmailMessage()
    email["Subject"] = msg.subject
    email["From"] = Address(settings.from_name, local, domain or "localhost")
    email["To"] = msg.recipient
    email["Date"] = format_datetime(now())
    email["Message-ID"] = message_id(msg.idempotency_key, domain or "localhost")
    email["X-Idempotency-Key"] = msg.idempotency_key
    email["X-RapidResponse-Kind"] = msg.kind
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(msg.body, charset="utf-8")
    page = msg.payload.get("html")  # a document the product typeset itself (``documents.page``), if any
    if not isinstance(page, str):
        paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in msg.body.split("\n\n"))
        page = (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(msg.subject)}</title></head>'
                f"<body><h2>{html.escape(msg.subject)}</h2>{paragraphs}</body></html>")
    email.add_alternative(page, subtype="html", charset="utf-8")
    return email


class EmailChannel:
    """Email over SMTP (plain, STARTTLS or implicit TLS; optional login)."""

    name = "email"

    def __init__(self, settings: SmtpConfig | None = None) -> None:
        self.settings = settings or get_settings().smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.tls == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds,
                                    context=ssl.create_default_context())
        conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        if s.tls == "starttls":
            conn.starttls(context=ssl.create_default_context())
        return conn

    def send(self, msg: Envelope) -> None:
        email = build_email(msg, self.settings)
        try:
            with self._connect() as conn:
                if self.settings.username:
                    conn.login(self.settings.username, self.settings.password or "")
                conn.send_message(email, from_addr=self.settings.from_addr, to_addrs=[msg.recipient or ""])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = "; ".join(f"{code} {text.decode(errors='replace')}" for code, text in exc.recipients.values())
            raise DeliveryError(f"SMTP recipient refused: {codes}") from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
            raise DeliveryError(f"SMTP {exc.smtp_code}: {text}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {self.settings.host}:{self.settings.port}: "
                                f"{type(exc).__name__}: {exc}") from None


# --- webhooks ---------------------------------------------------------------------------------------

def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` HMAC over ``<timestamp>.<body>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, *, timestamp: str, body: bytes, signature: str, tolerance: float = 300,
                     at: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent (no replays)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((at if at is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def json_body(msg: Envelope) -> dict[str, Any]:
    return {"id": msg.idempotency_key, "kind": msg.kind, "subject": msg.subject, "text": msg.body,
            "data": msg.payload, "attempt": msg.attempt}


def _mrkdwn(text: str) -> str:
    """Escape for Slack/Mattermost markup, so that a hostile title cannot ``<!channel>`` everyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_body(msg: Envelope) -> dict[str, Any]:
    """Slack incoming-webhook shape (``text`` + Block Kit); Mattermost reads ``text``. Block limits:
    header 150 characters, section 3000."""
    subject, body = _mrkdwn(msg.subject), _mrkdwn(msg.body)
    section = body if len(body) <= 3000 else body[:2990] + " …"
    return {
        "text": f"*{subject}*\n{body}"[:39_000],
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": msg.subject[:150] or "-", "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": section or "-"}},
        ],
    }


class WebhookChannel:
    """HTTP POST of JSON, signed with the endpoint's secret; ``chat`` endpoints get the chat shape."""

    def __init__(self, name: str = "webhook", timeout: float | None = None) -> None:
        self.name = name
        self.client = httpx.Client(timeout=timeout or get_settings().outbox.webhook_timeout_seconds,
                                   follow_redirects=False, headers={"User-Agent": USER_AGENT})

    def body_for(self, msg: Envelope) -> dict[str, Any]:
        return chat_body(msg) if self.name == "chat" else json_body(msg)

    def send(self, msg: Envelope) -> None:
        ep = msg.endpoint
        body = json.dumps(self.body_for(msg), ensure_ascii=False, separators=(",", ":")).encode()
        ts = str(int(now().timestamp()))
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": msg.idempotency_key,
                   TIMESTAMP_HEADER: ts, "X-RapidResponse-Kind": msg.kind}
        if ep is not None:
            url, name = ep.url, ep.name
            headers[SIGNATURE_HEADER] = sign(ep.secret, ts, body)
        elif msg.recipient and self.name == "webhook":  # a person's own webhook (a contact method): unsigned
            url, name = msg.recipient, "personal webhook"
        else:
            raise DeliveryError("the webhook endpoint was deleted", permanent=True)
        try:
            resp = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{name}: {type(exc).__name__}: {exc}") from None
        if not resp.is_success:
            raise DeliveryError(f"{name}: HTTP {resp.status_code}: {resp.text[:300]}")


def default_channels() -> dict[str, Channel]:
    from .telegram import TelegramChannel
    from .telephony import SmsChannel, VoiceChannel

    return {"email": EmailChannel(), "webhook": WebhookChannel("webhook"), "chat": WebhookChannel("chat"),
            "telegram": TelegramChannel(), "sms": SmsChannel(), "voice": VoiceChannel()}
