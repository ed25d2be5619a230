"""The outbox: transactional enqueue, idempotency, backoff with full jitter, dead letters, manual retry,
lease expiry, bad input — on a real database with real receivers and an injectable clock and RNG."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from rapidresponse import events
from rapidresponse.auth import SYSTEM
from rapidresponse.config import OutboxConfig
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, DomainError, NotFound, ValidationFailed
from rapidresponse.notify import delivery, service
from rapidresponse.notify.channels import Channel
from rapidresponse.notify.models import OutboxMessage
from receivers import HttpReceiver, SmtpServer, free_port


def _webhook(endpoint_id: int, **kw: Any) -> int:
    with unit_of_work() as s:
        msg, _ = service.enqueue(s, kind="test", channel="webhook", endpoint_id=endpoint_id,
                                 subject="Тест · тексеру", body="Жағдай бақылауда", **kw)
        return msg.id


def _get(mid: int) -> OutboxMessage:
    with unit_of_work(read_only=True) as s:
        msg = s.get(OutboxMessage, mid)
        assert msg is not None
        return msg


def _outbox_size() -> int:
    with unit_of_work(read_only=True) as s:
        return s.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()


def test_a_rolled_back_change_sends_nothing(engine: Engine, receiver: HttpReceiver, channels: dict[str, Channel],
                                            make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint(receiver.url)
    with pytest.raises(RuntimeError), unit_of_work() as s:
        service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject="s", body="b")
        raise RuntimeError("the caller's change failed")
    assert _outbox_size() == 0
    assert delivery.drain(using=channels).claimed == 0 and receiver.requests == []


def test_the_same_idempotency_key_is_queued_once(engine: Engine, make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint("http://127.0.0.1:9/x")
    with unit_of_work() as s:
        first, new1 = service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject="a", body="b",
                                      idempotency_key="incident.declared:5:u1:email")
        again, new2 = service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject="a", body="b",
                                      idempotency_key="incident.declared:5:u1:email")
    assert new1 and not new2 and first.id == again.id and _outbox_size() == 1
    with unit_of_work(read_only=True) as s:
        assert [e.type for e in events.for_subject(s, "notification", first.id)] == ["notification.queued"]


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    settings = OutboxConfig(backoff_base_seconds=10, backoff_cap_seconds=300)
    rng = random.Random(1)
    for attempt in range(1, 12):
        ceiling = min(300, 10 * 2 ** (attempt - 1))
        delays = [delivery.backoff(attempt, rng, settings) for _ in range(300)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > 0.8 * ceiling and min(delays) < 0.2 * ceiling  # spread over the whole range
    a, b = random.Random(42), random.Random(42)
    assert delivery.backoff(3, a, settings) == delivery.backoff(3, b, settings)  # injectable, reproducible


def test_http_500_retries_with_backoff_then_dead_then_manual_retry_delivers(
        engine: Engine, fake_clock: Any, receiver: HttpReceiver, channels: dict[str, Channel],
        make_endpoint: Callable[..., Any]) -> None:
    receiver.status = 500
    ep = make_endpoint(receiver.url)
    mid = _webhook(ep.id, max_attempts=3)
    rng, expected = random.Random(7), random.Random(7)
    settings = OutboxConfig()
    for attempt in (1, 2):
        start = fake_clock.now
        r = delivery.process_batch(rng=rng, using=channels)
        assert (r.claimed, r.failed) == (1, 1)
        msg = _get(mid)
        assert msg.status == "failed" and msg.attempts == attempt and "HTTP 500" in (msg.last_error or "")
        wait = (msg.next_attempt_at - start).total_seconds()
        assert wait == pytest.approx(delivery.backoff(attempt, expected, settings), abs=1e-3)
        assert delivery.process_batch(rng=rng, using=channels).claimed == 0  # not due yet
        fake_clock.now = msg.next_attempt_at + timedelta(milliseconds=1)
    r = delivery.process_batch(rng=rng, using=channels)
    assert r.dead == 1
    msg = _get(mid)
    assert msg.status == "dead" and msg.attempts == 3 and "HTTP 500" in (msg.last_error or "")
    assert len(receiver.requests) == 3
    with unit_of_work(read_only=True) as s:
        dead_events = [e for e in events.for_subject(s, "notification", mid) if e.type == "notification.dead"]
        assert dead_events and "HTTP 500" in dead_events[0].payload["error"]
    receiver.status = 200
    with unit_of_work() as s:
        assert service.retry(s, SYSTEM, mid).status == "pending"
    assert delivery.drain(using=channels).delivered == 1
    msg = _get(mid)
    assert msg.status == "delivered" and msg.attempts == 1 and msg.delivered_at == fake_clock.now
    assert len(receiver.unique()) == 1 and len(receiver.requests) == 4


def test_retry_only_dead_messages(engine: Engine, make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint("http://127.0.0.1:9/x")
    mid = _webhook(ep.id)
    with pytest.raises(Conflict, match="only dead"), unit_of_work() as s:
        service.retry(s, SYSTEM, mid)
    with pytest.raises(NotFound), unit_of_work() as s:
        service.retry(s, SYSTEM, mid + 999)


def test_connection_refused_goes_dead_with_the_error(engine: Engine, fake_clock: Any, channels: dict[str, Channel],
                                                     make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint(f"http://127.0.0.1:{free_port()}/nobody-listens")
    mid = _webhook(ep.id, max_attempts=2)
    delivery.process_batch(rng=random.Random(1), using=channels)
    fake_clock.advance(hours=1)
    assert delivery.process_batch(rng=random.Random(1), using=channels).dead == 1
    msg = _get(mid)
    assert msg.status == "dead" and "ConnectError" in (msg.last_error or "")


def test_smtp_5xx_retries_then_dead(engine: Engine, fake_clock: Any, smtp: SmtpServer,
                                    channels: dict[str, Channel]) -> None:
    smtp.inbox.fail_code = 554
    with unit_of_work() as s:
        msg, _ = service.enqueue(s, kind="test", channel="email", recipient="legal@rapidresponse.example",
                                 subject="Требование регулятора", body="Срок: 24 часа", max_attempts=2)
    assert delivery.process_batch(using=channels).failed == 1
    assert _get(msg.id).status == "failed"
    fake_clock.advance(hours=1)
    assert delivery.process_batch(using=channels).dead == 1
    dead = _get(msg.id)
    assert dead.status == "dead" and "SMTP 554" in (dead.last_error or "")
    smtp.inbox.fail_code = None
    with unit_of_work() as s:
        service.retry(s, SYSTEM, msg.id)
    assert delivery.drain(using=channels).delivered == 1
    assert smtp.inbox.messages[0].message["Subject"] == "Требование регулятора"


def test_an_expired_lease_makes_a_message_claimable_again_and_the_stale_outcome_is_ignored(
        engine: Engine, fake_clock: Any, make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint("http://127.0.0.1:9/x")
    mid = _webhook(ep.id)
    with unit_of_work() as s:
        first = delivery.claim(s, lease_seconds=60)
    assert [m.id for m in first.messages] == [mid] and _get(mid).status == "sending"
    with unit_of_work() as s:  # the lease holds: nobody else takes it
        assert delivery.claim(s).messages == []
    fake_clock.advance(seconds=61)  # the first worker died mid-delivery
    with unit_of_work() as s:
        second = delivery.claim(s, lease_seconds=60)
    assert [m.id for m in second.messages] == [mid] and second.messages[0].attempt == 2
    # the first worker wakes up and reports: its claim is gone, so its outcome changes nothing
    with unit_of_work() as s:
        stale = delivery.record_outcomes(s, first, [delivery.Outcome(first.messages[0], "timeout")])
    assert stale.stale == 1 and _get(mid).status == "sending"
    with unit_of_work() as s:
        ok = delivery.record_outcomes(s, second, [delivery.Outcome(second.messages[0])])
    assert ok.delivered == 1 and _get(mid).status == "delivered"


def test_a_message_that_kills_its_worker_every_time_ends_dead(engine: Engine, fake_clock: Any,
                                                              make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint("http://127.0.0.1:9/x")
    mid = _webhook(ep.id, max_attempts=2)
    for _ in range(2):
        with unit_of_work() as s:
            assert delivery.claim(s, lease_seconds=10).messages
        fake_clock.advance(seconds=11)
    with unit_of_work() as s:
        assert delivery.claim(s).messages == []
    assert _get(mid).status == "dead" and "stopped" in (_get(mid).last_error or "")


def test_claims_do_not_overlap(engine: Engine, make_endpoint: Callable[..., Any]) -> None:
    ep = make_endpoint("http://127.0.0.1:9/x")
    ids = {_webhook(ep.id) for _ in range(10)}
    with unit_of_work() as s:
        a = delivery.claim(s, limit=4)
    with unit_of_work() as s:
        b = delivery.claim(s, limit=100)
    got_a, got_b = {m.id for m in a.messages}, {m.id for m in b.messages}
    assert len(got_a) == 4 and not got_a & got_b and got_a | got_b == ids


def test_a_deleted_endpoint_kills_its_queued_messages(engine: Engine, make_endpoint: Callable[..., Any]) -> None:
    from rapidresponse.notify import endpoints

    ep = make_endpoint("http://127.0.0.1:9/x")
    mid = _webhook(ep.id)
    with unit_of_work() as s:
        endpoints.delete_endpoint(s, SYSTEM, ep.id)
    msg = _get(mid)
    assert msg.status == "dead" and msg.endpoint_id is None and "deleted" in (msg.last_error or "")
    with pytest.raises(Conflict, match="deleted"), unit_of_work() as s:
        service.retry(s, SYSTEM, mid)


HOSTILE = [
    dict(channel="sms", recipient="a@b.kz"),
    dict(channel="email", recipient="not-an-address"),
    dict(channel="email", recipient="a@b.kz\r\nBcc: everyone@example.org"),
    dict(channel="email", recipient="a@b.kz", subject="Тема\r\nBcc: everyone@example.org"),
    dict(channel="email", recipient="a@b.kz", subject="NUL \x00 inside"),
    dict(channel="email", recipient="a@b.kz", subject=""),
    dict(channel="email", recipient="a@b.kz", subject="Ж" * 301),
    dict(channel="email", recipient="a@b.kz", body="x" * 100_001),
    dict(channel="email", recipient="a@b.kz", body="escape \x1b[31m"),
    dict(channel="email", recipient="a@b.kz", idempotency_key="key with spaces\r\n"),
    dict(channel="email", recipient="a@b.kz", kind="Incident Declared!"),
    dict(channel="email", recipient="a@b.kz", payload={"x": "\x00"}),
    dict(channel="webhook", endpoint_id=None),
    dict(channel="webhook", endpoint_id=424242),
]


@pytest.mark.parametrize("bad", HOSTILE, ids=[str(i) for i in range(len(HOSTILE))])
def test_bad_input_is_refused_clearly_and_changes_nothing(engine: Engine, bad: dict[str, Any]) -> None:
    args: dict[str, Any] = {"kind": "test", "subject": "Тест", "body": "Тело", **bad}
    with unit_of_work(read_only=True) as s:
        before = s.execute(select(func.max(events.Event.id))).scalar_one()
    with pytest.raises(DomainError) as exc, unit_of_work() as s:
        service.enqueue(s, **args)
    assert exc.value.detail and "\n" not in exc.value.detail
    assert isinstance(exc.value, ValidationFailed | NotFound)
    assert _outbox_size() == 0
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(func.max(events.Event.id))).scalar_one() == before
