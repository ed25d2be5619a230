"""SMS and voice calls through a provider that speaks Twilio's REST API (Twilio itself, or any service
or test server with the same API at ``RAPIDRESPONSE_TWILIO_API_URL``).

``Provider`` is the protocol a telephony provider implements; :class:`TwilioProvider` is the one the
product ships. The outbox's ``sms`` and ``voice`` channels deliver through it. Each request carries the
message's idempotency key (``I-Twilio-Idempotency-Token``), so a retry after a crash does not text or
ring twice.
"""

from __future__ import annotations

from typing import Protocol
from xml.sax.saxutils import escape

import httpx

from ..config import get_settings
from .channels import USER_AGENT, DeliveryError, Envelope

SMS_LIMIT = 1600  # characters Twilio accepts in one (multi-part) SMS
VOICE_LANG = {"ru": "ru-RU", "en": "en-US"}


class Provider(Protocol):
    def text(self, *, to: str, body: str, key: str) -> str: ...

    def ring(self, *, to: str, say: str, lang: str, key: str) -> str: ...


def twiml(say: str, lang: str) -> str:
    """The call's script: the text read twice, in the recipient's language."""
    voice = VOICE_LANG.get(lang, "en-US")
    line = f'<Say language="{voice}">{escape(say)}</Say>'
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{line}<Pause length="1"/>{line}</Response>'


class TwilioProvider:
    """Twilio's ``Messages.json`` and ``Calls.json`` with the account's basic auth."""

    def __init__(self, *, api_url: str, account_sid: str, auth_token: str, sender: str,
                 timeout: float = 10.0) -> None:
        self.base = f"{api_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}"
        self.sender = sender
        self.client = httpx.Client(timeout=timeout, auth=(account_sid, auth_token),
                                   headers={"User-Agent": USER_AGENT}, follow_redirects=False)

    def _post(self, what: str, form: dict[str, str], key: str) -> str:
        try:
            resp = self.client.post(f"{self.base}/{what}.json", data=form,
                                    headers={"I-Twilio-Idempotency-Token": key[:64]})
        except httpx.HTTPError as exc:
            raise DeliveryError(f"telephony: {type(exc).__name__}: {exc}") from None
        if resp.is_success:
            return str(resp.json().get("sid", ""))
        try:
            problem = resp.json()
            detail = f"{problem.get('code', '')} {problem.get('message', '')}".strip()
        except ValueError:
            detail = resp.text[:300]
        # 4xx: the number or the request is wrong (21211 invalid number…), retrying won't help; 429 will.
        permanent = 400 <= resp.status_code < 500 and resp.status_code != 429
        raise DeliveryError(f"telephony: HTTP {resp.status_code}: {detail}", permanent=permanent)

    def text(self, *, to: str, body: str, key: str) -> str:
        return self._post("Messages", {"To": to, "From": self.sender, "Body": body[:SMS_LIMIT]}, key)

    def ring(self, *, to: str, say: str, lang: str, key: str) -> str:
        return self._post("Calls", {"To": to, "From": self.sender, "Twiml": twiml(say, lang)}, key)


def provider() -> Provider:
    s = get_settings()
    if not s.twilio_account_sid:
        raise DeliveryError("SMS and voice are not configured (RAPIDRESPONSE_TWILIO_ACCOUNT_SID)", permanent=True)
    return TwilioProvider(api_url=s.twilio_api_url, account_sid=s.twilio_account_sid, auth_token=s.twilio_auth_token,
                          sender=s.twilio_from)


class SmsChannel:
    name = "sms"

    def __init__(self, using: Provider | None = None) -> None:
        self.using = using

    def send(self, msg: Envelope) -> None:
        if not msg.recipient:
            raise DeliveryError("an SMS without a number", permanent=True)
        text = str(msg.payload.get("short") or f"{msg.subject}\n{msg.body}")
        (self.using or provider()).text(to=msg.recipient, body=text, key=msg.idempotency_key)


class VoiceChannel:
    name = "voice"

    def __init__(self, using: Provider | None = None) -> None:
        self.using = using

    def send(self, msg: Envelope) -> None:
        if not msg.recipient:
            raise DeliveryError("a call without a number", permanent=True)
        say = str(msg.payload.get("say") or msg.subject)
        (self.using or provider()).ring(to=msg.recipient, say=say, lang=str(msg.payload.get("lang") or "en"),
                                        key=msg.idempotency_key)
