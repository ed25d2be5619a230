"""Channels against real receivers: Cyrillic/Kazakh email over SMTP, signed JSON and chat webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.notify import delivery, service
from rapidresponse.notify.channels import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    Envelope,
    chat_body,
    message_id,
    verify_signature,
)
from receivers import HttpReceiver, SmtpServer, validate_chat

SUBJECT = "[SEV2] INC-2026-0001 объявлен: «Собачий кайф» — қауіпті челлендж (ә ғ қ ң ө ұ ү һ і)"
BODY = ("Инцидент объявлен.\n\nБалалар арасында қауіпті челлендж тарап жатыр: ә ғ қ ң ө ұ ү һ і.\n\n"
        "Грузинский: ქართული, армянский: Հայերեն, <script>alert(1)</script> & co.")


def _queue_email(to: str = "aigerim@rapidresponse.example", **kw: Any) -> int:
    with unit_of_work() as s:
        msg, _ = service.enqueue(s, kind="test", channel="email", recipient=to, subject=SUBJECT, body=BODY, **kw)
        return msg.id


def test_email_arrives_with_cyrillic_and_kazakh_intact(engine: Engine, smtp: SmtpServer,
                                                       channels: dict[str, Channel]) -> None:
    _queue_email(idempotency_key="incident.declared:1:u7:email")
    result = delivery.drain(using=channels)
    assert result.delivered == 1 and not result.errors
    [got] = smtp.inbox.messages
    assert got.rcpt_tos == ["aigerim@rapidresponse.example"]
    head = got.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head.lower()  # RFC 2047 encoded-words, not raw 8-bit
    msg = got.message
    assert msg["Subject"] == SUBJECT
    assert msg["X-Idempotency-Key"] == "incident.declared:1:u7:email"
    assert msg["Message-ID"] == message_id("incident.declared:1:u7:email", "rapidresponse.example")
    assert msg["From"].addresses[0].addr_spec == "alerts@rapidresponse.example"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n").rstrip("\n") == BODY
    assert "ә ғ қ ң ө ұ ү һ і" in html.get_content()
    assert "&lt;script&gt;" in html.get_content() and "<script>" not in html.get_content()


def test_a_retried_email_carries_the_same_message_id(engine: Engine, smtp: SmtpServer,
                                                     channels: dict[str, Channel]) -> None:
    env = Envelope(id=1, idempotency_key="k:1", kind="test", channel="email", subject=SUBJECT, body=BODY,
                   recipient="x@example.org")
    channels["email"].send(env)
    channels["email"].send(env)
    first, second = (m.message for m in smtp.inbox.messages)
    assert first["Message-ID"] == second["Message-ID"]  # so a receiver can drop the duplicate


def test_webhook_is_signed_and_carries_its_idempotency_key(engine: Engine, receiver: HttpReceiver,
                                                           channels: dict[str, Channel],
                                                           make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint(receiver.url + "/hooks/rr")
    with unit_of_work() as s:
        service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject=SUBJECT, body=BODY,
                        payload={"incident": "INC-2026-0001", "страна": "KZ"}, idempotency_key="wh:1")
    assert delivery.drain(using=channels).delivered == 1
    [req] = receiver.requests
    assert req.path == "/hooks/rr"
    assert req.headers["idempotency-key"] == "wh:1"
    assert req.headers["content-type"].startswith("application/json")
    ts, sig = req.headers[TIMESTAMP_HEADER.lower()], req.headers[SIGNATURE_HEADER.lower()]
    assert sig.startswith("sha256=")
    assert verify_signature(ep.secret, timestamp=ts, body=req.body, signature=sig)
    assert not verify_signature("wrong-secret", timestamp=ts, body=req.body, signature=sig)
    assert not verify_signature(ep.secret, timestamp=ts, body=req.body + b" ", signature=sig)
    # a replay of the same request ten minutes later is refused by its timestamp
    assert not verify_signature(ep.secret, timestamp=ts, body=req.body, signature=sig, at=int(ts) + 600)
    body = json.loads(req.body.decode("utf-8"))
    assert body["subject"] == SUBJECT and body["text"] == BODY and body["id"] == "wh:1"
    assert body["data"] == {"incident": "INC-2026-0001", "страна": "KZ"}


def test_chat_webhook_gets_the_incoming_webhook_format(engine: Engine, receiver: HttpReceiver,
                                                       channels: dict[str, Channel],
                                                       make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint(receiver.url + "/services/T0/B0/x", format="chat")
    hostile = "<!channel> <@U123> & " + "қ" * 250
    with unit_of_work() as s:
        service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject=hostile,
                        body=BODY + "\n" + "ө" * 5000)
    assert delivery.drain(using=channels).delivered == 1
    body = receiver.requests[0].json
    validate_chat(body)
    assert "<!channel>" not in body["text"] and "&lt;!channel&gt;" in body["text"]  # no @channel ping
    assert "ә ғ қ ң ө ұ ү һ і" in body["text"]


def test_chat_body_within_block_limits() -> None:
    env = Envelope(id=1, idempotency_key="k", kind="test", channel="chat", subject="Ж" * 400, body="ү" * 10_000)
    validate_chat(chat_body(env))


def test_send_test_queues_a_trilingual_message(engine: Engine, smtp: SmtpServer,
                                               channels: dict[str, Channel]) -> None:
    with unit_of_work() as s:
        service.send_test(s, SYSTEM, email="ops@rapidresponse.example")
    assert delivery.drain(using=channels).delivered == 1
    msg = smtp.inbox.messages[0].message
    assert msg["Subject"] == service.TEST_SUBJECT
    assert "ә ғ қ ң ө ұ ү һ і" in msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
