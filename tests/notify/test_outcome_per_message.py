"""Each delivery's outcome is committed as its message is sent: a worker stopped in the middle of a
batch sends again only the message it was sending, never the batch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from rapidresponse.db import unit_of_work
from rapidresponse.notify import delivery, service
from rapidresponse.notify.channels import Channel, Envelope
from rapidresponse.notify.models import OutboxMessage
from receivers import SmtpServer

N = 40  # more than one batch of the default 32


class Stopped(BaseException):
    """The worker stops here (as if killed): nothing after it in the process runs."""


class StopsAfter:
    """The real email channel, which stops the worker right after its ``k``-th message is accepted."""

    name = "email"

    def __init__(self, real: Channel, k: int) -> None:
        self.real, self.k, self.sent = real, k, 0

    def send(self, msg: Envelope) -> None:
        self.real.send(msg)
        self.sent += 1
        if self.sent == self.k:
            raise Stopped


def _enqueue(n: int) -> None:
    with unit_of_work() as s:
        for i in range(n):
            service.enqueue(s, kind="test", channel="email", recipient=f"duty{i}@rapidresponse.example",
                            subject=f"Инцидент {i}", body="Проверка доставки", idempotency_key=f"msg-{i}")


def _statuses() -> dict[str, int]:
    with unit_of_work(read_only=True) as s:
        return dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


def test_every_enqueued_email_is_received(engine: Engine, smtp: SmtpServer, channels: dict[str, Channel]) -> None:
    _enqueue(N)
    got = delivery.drain(using=channels)
    assert (got.claimed, got.delivered, got.failed) == (N, N, 0)
    assert len(smtp.inbox.messages) == N and _statuses() == {"delivered": N}
    assert sorted(m.message["Subject"] for m in smtp.inbox.messages) == sorted(f"Инцидент {i}" for i in range(N))


def test_a_worker_stopped_mid_batch_has_recorded_each_message_it_sent(
        engine: Engine, smtp: SmtpServer, channels: dict[str, Channel], fake_clock: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPIDRESPONSE_NOTIFY_CONCURRENCY", "1")
    delivery.reset()
    _enqueue(N)
    k = 7
    with pytest.raises(Stopped):
        delivery.process_batch(using={**channels, "email": StopsAfter(channels["email"], k)})
    assert len(smtp.inbox.messages) == k
    # the k-1 outcomes before the stop are stored; the k-th was sent but its worker stopped before recording it
    assert _statuses() == {"delivered": k - 1, "sending": 32 - (k - 1), "pending": N - 32}
    fake_clock.advance(hours=1)  # the stopped worker's lease expires
    again = delivery.drain(using=channels)
    assert again.delivered == N - (k - 1) and _statuses() == {"delivered": N}
    assert len(smtp.inbox.messages) == N + 1  # only the message in flight at the stop was sent twice
