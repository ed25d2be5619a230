"""The outbox: enqueue in the caller's transaction, read, and retry dead messages.

``enqueue`` only adds a row (and its event) to the caller's unit of work: if that transaction rolls
back, nothing is sent. The worker (:mod:`.delivery`) delivers after commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..db import get_or_404, paged
from ..errors import Conflict, NotFound, ValidationFailed
from . import validation as check
from .events import Queued, Retried
from .models import OutboxMessage, WebhookEndpoint
from .schemas import NotificationDetail, NotificationOut

CHANNELS = ("email", "webhook", "telegram", "sms", "voice")
STATUSES = ("pending", "sending", "delivered", "failed", "dead", "cancelled")


def detail(msg: OutboxMessage) -> NotificationDetail:
    return NotificationDetail.model_validate(msg)


def enqueue(session: Session, *, kind: str, channel: str, subject: str, body: str,
            recipient: str | None = None, endpoint_id: int | None = None, user_id: int | None = None,
            payload: dict[str, Any] | None = None, idempotency_key: str | None = None,
            incident_id: int | None = None, event_id: int | None = None,
            max_attempts: int | None = None, restricted: bool = False,
            not_before: datetime | None = None) -> tuple[NotificationDetail, bool]:
    """Queue one message in the caller's transaction; returns it and whether it is new.

    ``channel`` is ``email`` (with ``recipient``) or ``webhook`` (with ``endpoint_id``; the endpoint's
    format makes it a signed JSON or a chat message, or with ``recipient``: a person's own URL), or
    ``telegram``, ``sms`` or ``voice`` with ``recipient`` (a chat id, a phone number). A message whose
    idempotency key is already queued is not queued twice: the existing one is returned. ``not_before``
    holds it back until then (a page's later contact rules); :func:`cancel` drops it before.
    """
    settings = get_settings().outbox
    if channel not in CHANNELS:
        raise ValidationFailed(f"unknown channel {channel[:40]!r}; one of {', '.join(CHANNELS)}", field="channel")
    stored_channel = channel
    if channel == "email":
        if recipient is None:
            raise ValidationFailed("an email needs a recipient address", field="recipient")
        recipient, endpoint_id = check.email(recipient), None
    elif channel != "webhook" or (endpoint_id is None and recipient is not None):
        if not recipient:
            raise ValidationFailed(f"a {channel} message needs a recipient", field="recipient")
        recipient, endpoint_id = check.recipient(channel, recipient), None
    else:
        if endpoint_id is None:
            raise ValidationFailed("a webhook needs an endpoint", field="endpoint_id")
        endpoint = get_or_404(session, WebhookEndpoint, endpoint_id, "webhook endpoint")
        if not endpoint.enabled:
            raise Conflict(f"webhook endpoint {endpoint.name!r} is disabled")
        stored_channel, recipient = ("chat" if endpoint.format == "chat" else "webhook"), None
    key = check.idempotency_key(idempotency_key) if idempotency_key else f"msg:{uuid.uuid4().hex}"
    at = now()
    values = dict(
        idempotency_key=key, kind=check.kind(kind), channel=stored_channel, recipient=recipient,
        endpoint_id=endpoint_id, user_id=user_id, subject=check.subject(subject),
        body=check.body(body, settings.max_body_chars), payload=check.payload(payload), status="pending",
        attempts=0, max_attempts=max(1, min(max_attempts or settings.max_attempts, 50)),
        next_attempt_at=max(at, not_before) if not_before else at,
        incident_id=incident_id, event_id=event_id, restricted=restricted, created_at=at, updated_at=at)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    new_id = session.execute(insert(OutboxMessage).values(**values)
                             .on_conflict_do_nothing(index_elements=["idempotency_key"])
                             .returning(OutboxMessage.id)).scalar_one_or_none()
    msg = session.execute(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).scalar_one()
    if new_id is not None:
        events.record(session, None, Queued(subject_id=msg.id, kind=msg.kind, channel=msg.channel,
                                            endpoint_id=msg.endpoint_id, user_id=msg.user_id,
                                            incident_id=incident_id))
    return detail(msg), new_id is not None


def list_outbox(session: Session, actor: Actor, *, status: list[str] | None = None, channel: str | None = None,
                kind: str | None = None, incident_id: int | None = None, limit: int = 50,
                offset: int = 0) -> tuple[list[NotificationOut], int]:
    """Outbox messages, newest first, filtered by status, channel, kind or incident."""
    actor.require(Perm.NOTIFY_READ)
    for st in status or ():
        if st not in STATUSES:
            raise ValidationFailed(f"unknown status {st[:40]!r}: {'|'.join(STATUSES)}", field="status")
    query = select(OutboxMessage).where(_visible(actor))
    if status:
        query = query.where(OutboxMessage.status.in_(status))
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if incident_id is not None:
        query = query.where(OutboxMessage.incident_id == incident_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(paged(query.order_by(OutboxMessage.id.desc()), limit, offset, most=500)).scalars().all()
    return [NotificationOut.model_validate(m) for m in rows], total


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Messages about restricted incidents exist only for their recipient and for those who may see
    every incident (the same answer for a missing message and a hidden one)."""
    if actor.can(Perm.INCIDENTS_RESTRICTED):
        return true()
    return or_(OutboxMessage.restricted.is_(False), OutboxMessage.user_id == actor.user_id)


def get(session: Session, actor: Actor, message_id: int) -> NotificationDetail:
    actor.require(Perm.NOTIFY_READ)
    msg = session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id, _visible(actor))
                          ).scalar_one_or_none()
    if msg is None:
        raise NotFound(f"no notification {message_id}")
    return detail(msg)


def counts(session: Session, actor: Actor) -> dict[str, int]:
    actor.require(Perm.NOTIFY_READ)
    rows = session.execute(select(OutboxMessage.status, func.count()).where(_visible(actor))
                           .group_by(OutboxMessage.status)).all()
    return {st: 0 for st in STATUSES} | {st: n for st, n in rows}


def retry(session: Session, actor: Actor, message_id: int) -> NotificationDetail:
    """Give a dead message a fresh set of attempts, due now."""
    actor.require(Perm.NOTIFY_MANAGE)
    msg = session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id, _visible(actor))
                          .with_for_update()).scalar_one_or_none()
    if msg is None:
        raise NotFound(f"no notification {message_id}")
    if msg.status != "dead":
        raise Conflict(f"notification {message_id} is {msg.status}; only dead messages can be retried",
                       current=msg.status)
    if msg.channel in ("webhook", "chat") and msg.endpoint_id is None and not msg.recipient:
        raise Conflict(f"notification {message_id} has no webhook endpoint any more (it was deleted)")
    at = now()
    msg.status, msg.attempts, msg.next_attempt_at, msg.updated_at = "pending", 0, at, at
    msg.locked_until = msg.lock_token = None
    events.record(session, actor, Retried(subject_id=msg.id, previous_error=(msg.last_error or "")[:500]))
    return detail(msg)


def cancel(session: Session, key_prefix: str) -> int:
    """Drop the messages whose idempotency key starts with ``key_prefix`` and that are held back for
    later (a page's later contact rules once it is acknowledged); returns how many."""
    m, at = OutboxMessage, now()
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = session.execute(
        update(m).where(m.idempotency_key.like(f"{escaped}%", escape="\\"), m.status.in_(("pending", "failed")),
                        m.next_attempt_at > at)
        .values(status="cancelled", updated_at=at, last_error="no longer needed")
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


TEST_SUBJECT = "rapidresponse: проверка уведомлений · хабарландыру тексерісі · notification test"
TEST_BODY = ("Это проверочное сообщение rapidresponse. Если вы его видите, канал работает.\n\n"
             "Бұл rapidresponse тексеру хабарламасы: ә ғ қ ң ө ұ ү һ і.\n\n"
             "This is a rapidresponse test message: the channel works.")


def send_test(session: Session, actor: Actor, *, email: str | None = None,
              endpoint_id: int | None = None) -> NotificationDetail:
    """Queue a bilingual test message to an address or a webhook endpoint."""
    actor.require(Perm.NOTIFY_MANAGE)
    if (email is None) == (endpoint_id is None):
        raise ValidationFailed("give either an email address or a webhook endpoint")
    channel = "email" if email is not None else "webhook"
    msg, _ = enqueue(session, kind="test", channel=channel, subject=TEST_SUBJECT, body=TEST_BODY,
                     recipient=email, endpoint_id=endpoint_id, user_id=actor.user_id,
                     payload={"requested_by": actor.username})
    return msg
