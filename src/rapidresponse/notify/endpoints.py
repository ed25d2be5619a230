"""Webhook endpoints (managed with ``notify:manage``) and each user's notification preferences."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404
from ..errors import Conflict, ValidationFailed
from . import validation as check
from .events import PreferencesChanged, WebhookCreated, WebhookDeleted, WebhookUpdated
from .models import NotificationPreference, OutboxMessage, WebhookEndpoint
from .schemas import WebhookOut, WebhookWithSecret

FORMATS = ("json", "chat")
# Kinds of message a person can choose channels for, and what they mean.
KINDS: dict[str, str] = {
    "incident.declared": "an incident you command or take part in is declared",
    "incident.member_added": "someone puts you on an incident",
    "task.due_soon": "a playbook task you own is nearly due",
    "task.overdue": "a playbook task on an incident you command is overdue",
    "update.due": "a stakeholder update you are responsible for is due",
    "update.overdue": "a stakeholder update on an incident you command is overdue",
    "playbook.escalation": "a playbook condition asks you to pull someone in",
    "approval.requested": "a text waits for your approval",
    "approval.decided": "your text was approved or rejected",
    "stakeholder.update": "a stakeholder update sent to an audience you are in",
    "request.deadline_warning": "a regulator request you own has used 50%, 75% or 90% of its legal clock",
    "request.breached": "a regulator request's legal deadline passed without a reply (owner and legal)",
    "review.feedback": "the review of an incident you took part in asks for your feedback",
    "action_item.overdue": "a review's action item you own is overdue (its commander, after a grace period)",
}
DEFAULT_CHANNELS = ["email"]


def _kinds(values: list[str]) -> list[str]:
    unknown = [k for k in values if k not in KINDS]
    if unknown:
        raise ValidationFailed(f"unknown message kind {unknown[0][:80]!r}; one of {', '.join(KINDS)}",
                               field="kinds")
    return sorted(set(values))


def _format(value: str) -> str:
    if value not in FORMATS:
        raise ValidationFailed(f"unknown format {value[:40]!r}; one of {', '.join(FORMATS)}", field="format")
    return value


def webhook_out(ep: WebhookEndpoint, *, secret: bool = False) -> WebhookOut:
    """The endpoint as the interfaces show it; with its signing secret only when just made or rotated."""
    return (WebhookWithSecret if secret else WebhookOut).model_validate(ep)


def list_endpoints(session: Session, actor: Actor) -> list[WebhookOut]:
    actor.require(Perm.NOTIFY_MANAGE)
    return [webhook_out(ep) for ep in session.execute(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).scalars()]


def _endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    actor.require(Perm.NOTIFY_MANAGE)
    ep = get_or_404(session, WebhookEndpoint, endpoint_id, "webhook endpoint")
    return ep


def get_endpoint(session: Session, actor: Actor, endpoint_id: int) -> WebhookOut:
    return webhook_out(_endpoint(session, actor, endpoint_id))


def _unique_name(session: Session, name: str, exclude: int | None = None) -> None:
    found = session.execute(select(WebhookEndpoint.id).where(WebhookEndpoint.name == name)).scalar_one_or_none()
    if found is not None and found != exclude:
        raise Conflict(f"a webhook endpoint named {name!r} exists")


def create_endpoint(session: Session, actor: Actor, *, name: str, url: str, format: str = "json",
                    kinds: list[str] | None = None, enabled: bool = True) -> WebhookWithSecret:
    """Add an endpoint with a new signing secret (in the answer, this once)."""
    actor.require(Perm.NOTIFY_MANAGE)
    name = check.name(name)
    _unique_name(session, name)
    at = now()
    ep = WebhookEndpoint(name=name, url=check.url(url), format=_format(format), kinds=_kinds(kinds or []),
                         enabled=enabled, secret=secrets.token_urlsafe(32), created_by_id=actor.user_id,
                         created_at=at, updated_at=at)
    session.add(ep)
    session.flush()
    events.record(session, actor, WebhookCreated(subject_id=ep.id, name=ep.name, url=ep.url, format=ep.format,
                                                 kinds=ep.kinds))
    return WebhookWithSecret.model_validate(ep)


def update_endpoint(session: Session, actor: Actor, endpoint_id: int, *, name: str | None = None,
                    url: str | None = None, format: str | None = None, kinds: list[str] | None = None,
                    enabled: bool | None = None, rotate_secret: bool = False) -> WebhookOut:
    """Change an endpoint; the answer carries the new secret when it was rotated."""
    ep = _endpoint(session, actor, endpoint_id)
    changes: dict[str, Any] = {}
    if name is not None and check.name(name) != ep.name:
        _unique_name(session, check.name(name), exclude=ep.id)
        changes["name"] = check.name(name)
    if url is not None:
        changes["url"] = check.url(url)
    if format is not None:
        changes["format"] = _format(format)
    if kinds is not None:
        changes["kinds"] = _kinds(kinds)
    if enabled is not None:
        changes["enabled"] = enabled
    for key, value in changes.items():
        setattr(ep, key, value)
    if rotate_secret:
        ep.secret = secrets.token_urlsafe(32)
    ep.updated_at = now()
    events.record(session, actor, WebhookUpdated(subject_id=ep.id, name=ep.name, changed=sorted(changes),
                                                 secret_rotated=rotate_secret))
    return webhook_out(ep, secret=rotate_secret)


def delete_endpoint(session: Session, actor: Actor, endpoint_id: int) -> None:
    """Delete an endpoint; its undelivered messages go dead (they have nowhere to go)."""
    ep = _endpoint(session, actor, endpoint_id)
    session.execute(update(OutboxMessage).where(OutboxMessage.endpoint_id == ep.id,
                                                OutboxMessage.status.in_(("pending", "failed")))
                    .values(status="dead", last_error="the webhook endpoint was deleted", updated_at=now()))
    events.record(session, actor, WebhookDeleted(subject_id=ep.id, name=ep.name))
    session.delete(ep)
    session.flush()


# --- preferences ------------------------------------------------------------------------------------

def channel_options(session: Session) -> list[str]:
    """What a person can pick: email, or an enabled webhook endpoint (``webhook:<id>``)."""
    ids = session.execute(select(WebhookEndpoint.id).where(WebhookEndpoint.enabled.is_(True))
                          .order_by(WebhookEndpoint.id)).scalars()
    return ["email", *(f"webhook:{i}" for i in ids)]


def preferences_for(session: Session, user_id: int) -> dict[str, list[str]]:
    rows = session.execute(select(NotificationPreference).where(NotificationPreference.user_id == user_id)).scalars()
    chosen = {row.kind: list(row.channels) for row in rows}
    return {kind: chosen.get(kind, list(DEFAULT_CHANNELS)) for kind in KINDS}


def get_preferences(session: Session, actor: Actor) -> dict[str, list[str]]:
    if actor.user_id is None:
        raise ValidationFailed("only a person has notification preferences")
    return preferences_for(session, actor.user_id)


def set_preferences(session: Session, actor: Actor, prefs: dict[str, list[str]]) -> dict[str, list[str]]:
    """Choose channels per kind of message (an empty list: none). Kinds not given keep their choice."""
    if actor.user_id is None:
        raise ValidationFailed("only a person has notification preferences")
    _kinds(list(prefs))
    options = channel_options(session)
    user = auth.person(session, actor.user_id)
    for kind, channels in prefs.items():
        for ch in channels:
            if ch not in options:
                raise ValidationFailed(f"{kind}: unknown or disabled channel {ch[:60]!r}; one of {', '.join(options)}",
                                       field=kind)
            if ch == "email" and not (user and user.email):
                raise ValidationFailed("your account has no email address; ask an admin to set one", field=kind)
    at = now()
    for kind, channels in prefs.items():
        row = session.execute(select(NotificationPreference).where(
            NotificationPreference.user_id == actor.user_id, NotificationPreference.kind == kind)).scalar_one_or_none()
        if row is None:
            session.add(NotificationPreference(user_id=actor.user_id, kind=kind, channels=sorted(set(channels)),
                                               updated_at=at))
        else:
            row.channels, row.updated_at = sorted(set(channels)), at
    session.flush()
    events.record(session, actor, PreferencesChanged(subject_id=actor.user_id, preferences=prefs))
    return preferences_for(session, actor.user_id)
