"""Outbox delivery: claim due messages with a lease, deliver after the claim commits, record each
outcome (in its own transaction) as soon as its message is sent.

A message goes ``pending → sending → delivered``; a failed attempt makes it ``failed`` with
``next_attempt_at`` set by exponential backoff with full jitter; after ``max_attempts`` it is ``dead``
(visible, with its last error, retryable by hand).

Claiming is the same two statements on both backends, in one transaction::

    SELECT id FROM notify_outbox WHERE <due> ORDER BY next_attempt_at LIMIT n FOR UPDATE SKIP LOCKED
    UPDATE notify_outbox SET status='sending', lock_token=:t, locked_until=now+lease, attempts=attempts+1
     WHERE id IN (:ids) AND <due>

On PostgreSQL ``SKIP LOCKED`` lets concurrent workers take disjoint batches without waiting; SQLite
has one writer at a time (``BEGIN IMMEDIATE``, and no ``FOR UPDATE``), so the conditional UPDATE, in
the same write transaction, is the claim. A message is
due when it is pending or failed and its time has come, or when it is ``sending`` and its lease has
expired: a worker killed mid-delivery loses nothing, its claims are taken again (at least once), and
receivers drop duplicates by the idempotency key the message carries. Each outcome commits on its own
as its send returns, so a worker killed in the middle of a batch sends again only the messages it was
sending at that moment (at most one per sender thread), not the batch. Outcomes are written only by the
holder of the claim's token, so a slow worker whose lease expired cannot overwrite a newer attempt.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from prometheus_client import Counter
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from .. import events
from ..clock import now
from ..config import OutboxConfig, get_settings
from ..db import unit_of_work
from . import contacts
from .channels import Channel, DeliveryError, Endpoint, Envelope, default_channels
from .events import Dead, Delivered
from .models import OutboxMessage, WebhookEndpoint

log = structlog.get_logger("rapidresponse.notify")
OUTCOMES = Counter("rapidresponse_notify_deliveries_total", "Notification delivery attempts", ["channel", "outcome"])
MAX_ERROR = 1000


@dataclass(frozen=True)
class Claim:
    token: str
    messages: list[Envelope]
    max_attempts: dict[int, int]


@dataclass
class Outcome:
    envelope: Envelope
    error: str | None = None
    permanent: bool = False


@dataclass
class BatchResult:
    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    stale: int = 0
    errors: dict[int, str] = field(default_factory=dict)

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
        self.stale += other.stale
        self.errors.update(other.errors)


def backoff(attempt: int, rng: random.Random, settings: OutboxConfig) -> float:
    """Seconds before the next attempt: full jitter, uniform in [0, min(cap, base·2^(attempt-1))]."""
    ceiling = min(settings.backoff_cap_seconds, settings.backoff_base_seconds * 2 ** max(0, attempt - 1))
    return rng.uniform(0, ceiling)


def _due(at: datetime):  # type: ignore[no-untyped-def]
    m = OutboxMessage
    return or_(and_(m.status.in_(("pending", "failed")), m.next_attempt_at <= at),
               and_(m.status == "sending", m.locked_until <= at))


def _bury_poison(session: Session, at: datetime) -> None:
    """A message whose lease expired on its last attempt killed or hung its worker every time: dead."""
    m = OutboxMessage
    dead = session.execute(
        update(m).where(m.status == "sending", m.locked_until <= at, m.attempts >= m.max_attempts)
        .values(status="dead", lock_token=None, locked_until=None, updated_at=at,
                last_error="the worker delivering it stopped before finishing, on every attempt")
        .returning(m.id)).scalars().all()
    for mid in dead:
        events.record(session, None, Dead(subject_id=mid, error="lease expired on the last attempt"))


def claim(session: Session, *, limit: int | None = None, lease_seconds: float | None = None) -> Claim:
    """Mark up to ``limit`` due messages as ``sending`` under a new lease; deliver them after commit."""
    settings = get_settings().outbox
    at = now()
    limit = limit or settings.batch_size
    _bury_poison(session, at)
    token = uuid.uuid4().hex
    m = OutboxMessage
    # Two statements, not ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)``: PostgreSQL
    # may re-run such a subquery per row and update more than ``n``. The locks hold to commit.
    ids = session.execute(select(m.id).where(_due(at)).order_by(m.next_attempt_at, m.id).limit(limit)
                          .with_for_update(skip_locked=True)).scalars().all()
    if not ids:
        return Claim(token, [], {})
    session.execute(
        update(m).where(m.id.in_(ids), _due(at))
        .values(status="sending", lock_token=token, attempts=m.attempts + 1, updated_at=at,
                locked_until=at + timedelta(seconds=lease_seconds or settings.lease_seconds))
        .execution_options(synchronize_session=False))
    rows = session.execute(select(m, WebhookEndpoint).outerjoin(WebhookEndpoint, WebhookEndpoint.id == m.endpoint_id)
                           .where(m.lock_token == token).order_by(m.id)).all()
    envelopes, limits = [], {}
    for msg, ep in rows:
        endpoint = Endpoint(ep.id, ep.name, ep.url, ep.format, ep.secret) if ep is not None and ep.enabled else None
        envelopes.append(Envelope(id=msg.id, idempotency_key=msg.idempotency_key, kind=msg.kind,
                                  channel=msg.channel, subject=msg.subject, body=msg.body,
                                  recipient=msg.recipient, endpoint=endpoint, payload=dict(msg.payload),
                                  attempt=msg.attempts))
        limits[msg.id] = msg.max_attempts
    return Claim(token, envelopes, limits)


def send_one(envelope: Envelope, channels: dict[str, Channel]) -> Outcome:
    channel = channels.get(envelope.channel)
    if channel is None:
        return Outcome(envelope, f"no channel {envelope.channel!r} is configured", permanent=True)
    try:
        channel.send(envelope)
    except DeliveryError as exc:
        return Outcome(envelope, str(exc)[:MAX_ERROR], exc.permanent)
    except Exception as exc:  # a bug in a channel must not stop the batch; the message retries
        log.exception("channel failed", channel=envelope.channel, message=envelope.id)
        return Outcome(envelope, f"{type(exc).__name__}: {exc}"[:MAX_ERROR])
    return Outcome(envelope)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _senders() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, get_settings().outbox.concurrency),
                                       thread_name_prefix="rr-notify-send")
        return _pool


def deliver(claimed: Claim, channels: dict[str, Channel], rng: random.Random | None = None) -> BatchResult:
    """Send the claimed messages concurrently; each outcome is committed as soon as its send returns."""

    def one(envelope: Envelope) -> BatchResult:
        outcome = send_one(envelope, channels)
        with unit_of_work() as s:
            return record_outcomes(s, claimed, [outcome], rng)

    result = BatchResult(claimed=len(claimed.messages))
    alone = len(claimed.messages) == 1 or get_settings().outbox.concurrency <= 1
    done = (one(e) for e in claimed.messages) if alone else _senders().map(one, claimed.messages)
    for r in done:
        result.add(r)
    result.claimed = len(claimed.messages)
    return result


def record_outcomes(session: Session, claim: Claim, outcomes: Iterable[Outcome],
                    rng: random.Random | None = None) -> BatchResult:
    """Write what happened, only for messages this claim still holds."""
    settings, at, rng = get_settings().outbox, now(), rng or _rng
    result = BatchResult(claimed=len(claim.messages))
    m = OutboxMessage
    held = m.lock_token == claim.token
    outcomes = list(outcomes)
    ok_ids = [o.envelope.id for o in outcomes if o.error is None]
    delivered: list[int] = []
    if ok_ids:
        delivered = list(session.execute(
            update(m).where(m.id.in_(ok_ids), held)
            .values(status="delivered", delivered_at=at, updated_at=at, lock_token=None, locked_until=None,
                    last_error=None).returning(m.id)).scalars())
    for o in outcomes:
        contact = o.envelope.payload.get("contact")
        if isinstance(contact, int) and (o.error is None or o.permanent or o.envelope.attempt >=
                                         claim.max_attempts.get(o.envelope.id, settings.max_attempts)):
            contacts.record_delivery(session, contact, o.error)
        if o.error is None:
            OUTCOMES.labels(o.envelope.channel, "delivered").inc()
            continue
        dead = o.permanent or o.envelope.attempt >= claim.max_attempts.get(o.envelope.id, settings.max_attempts)
        values = {"status": "dead" if dead else "failed", "last_error": o.error, "updated_at": at,
                  "lock_token": None, "locked_until": None}
        if not dead:
            values["next_attempt_at"] = at + timedelta(seconds=backoff(o.envelope.attempt, rng, settings))
        changed = session.execute(update(m).where(m.id == o.envelope.id, held).values(**values)
                                  .returning(m.id)).scalar_one_or_none()
        if changed is None:
            result.stale += 1
            continue
        OUTCOMES.labels(o.envelope.channel, "dead" if dead else "failed").inc()
        result.errors[o.envelope.id] = o.error
        if dead:
            result.dead += 1
            events.record(session, None, Dead(subject_id=o.envelope.id, error=o.error, attempts=o.envelope.attempt,
                                              channel=o.envelope.channel))
        else:
            result.failed += 1
    result.delivered = len(delivered)
    result.stale += len(ok_ids) - len(delivered)
    if delivered:
        events.record(session, None, Delivered(subject_id="deliveries", ids=sorted(delivered), count=len(delivered)))
    return result


_rng = random.Random()
_channels: dict[str, Channel] | None = None


def channels() -> dict[str, Channel]:
    global _channels
    if _channels is None:
        _channels = default_channels()
    return _channels


def reset() -> None:
    """Forget cached settings and channels (after the SMTP or outbox settings changed)."""
    global _channels, _pool
    get_settings.cache_clear()
    _channels = None
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
        _pool = None


def process_batch(*, limit: int | None = None, rng: random.Random | None = None,
                  using: dict[str, Channel] | None = None) -> BatchResult:
    """Claim (and commit), then deliver and record message by message: one round of the worker."""
    with unit_of_work() as s:
        claimed = claim(s, limit=limit)
    if not claimed.messages:
        return BatchResult()
    return deliver(claimed, using or channels(), rng)


def drain(*, max_batches: int = 1000, rng: random.Random | None = None,
          using: dict[str, Channel] | None = None) -> BatchResult:
    """Deliver until nothing is due (tests, the CLI, benchmarks)."""
    total = BatchResult()
    for _ in range(max_batches):
        r = process_batch(rng=rng, using=using)
        if not r.claimed:
            break
        total.add(r)
    return total
