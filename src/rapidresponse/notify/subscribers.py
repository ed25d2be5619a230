"""Incident events that send notifications, registered here: the reacting domain subscribes
(``events.subscribe``), the incidents domain knows nothing of notifications.

Recipients get the channels of their preferences; endpoints that subscribe to a kind get it too
(not for restricted incidents: their existence stays inside the platform). Idempotency keys derive
from the event, so re-running a subscriber never queues a message twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Person
from ..errors import NotFound
from . import service
from .endpoints import preferences_for
from .messages import render
from .models import WebhookEndpoint


def notify_user(session: Session, user: Person, *, kind: str, ev: events.Event, facts: dict[str, Any],
                restricted: bool, incident_id: int | None = None) -> int:
    """Queue ``kind`` to ``user`` on each channel they chose; returns how many were queued.

    The message is about ``incident_id``, or about the event's subject when that is an incident."""
    subject, body = render(kind, user.locale, restricted=restricted, **facts)
    if incident_id is None and ev.subject_type == "incident":
        incident_id = int(ev.subject_id)
    queued = 0
    for channel in preferences_for(session, user.id).get(kind, []):
        key = f"{kind}:{ev.id}:u{user.id}:{channel}"
        common = dict(kind=kind, subject=subject, body=body, user_id=user.id, idempotency_key=key,
                      incident_id=incident_id, event_id=ev.id, restricted=restricted,
                      payload={"incident": facts.get("ref"), "event": ev.type})
        if channel == "email":
            if not user.email:
                continue
            service.enqueue(session, channel="email", recipient=user.email, **common)  # type: ignore[arg-type]
        elif channel.startswith("webhook:"):
            ep = session.get(WebhookEndpoint, int(channel.split(":", 1)[1]))
            if ep is None or not ep.enabled:
                continue
            service.enqueue(session, channel="webhook", endpoint_id=ep.id, **common)  # type: ignore[arg-type]
        queued += 1
    return queued


def broadcast(session: Session, *, kind: str, ev: events.Event, facts: dict[str, Any]) -> int:
    endpoints = session.execute(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))
                                .order_by(WebhookEndpoint.id)).scalars()
    queued = 0
    for ep in endpoints:
        if kind not in ep.kinds:
            continue
        subject, body = render(kind, "en", restricted=False, **facts)
        service.enqueue(session, kind=kind, channel="webhook", endpoint_id=ep.id, subject=subject, body=body,
                        idempotency_key=f"{kind}:{ev.id}:ep{ep.id}", incident_id=int(ev.subject_id),
                        event_id=ev.id, payload={"incident": facts.get("ref"), "event": ev.type,
                                                 "severity": facts.get("severity"), "type": facts.get("type")})
        queued += 1
    return queued


@events.subscribe_legacy("incident.declared")
def on_incident_declared(session: Session, ev: events.Event) -> None:
    """Tell the declarer, who becomes the incident's commander (or first participant), and the team
    channels subscribed to declarations."""
    p = ev.payload
    restricted = bool(p.get("restricted"))
    facts = {"ref": p.get("ref", ""), "title": p.get("title", ""), "type": p.get("type", ""),
             "severity": p.get("severity"), "actor": ev.actor}
    if ev.actor_id is not None:
        user = auth.person(session, ev.actor_id)
        if user is not None and user.is_active:
            notify_user(session, user, kind="incident.declared", ev=ev, facts=facts, restricted=restricted)
    if not restricted:
        broadcast(session, kind="incident.declared", ev=ev, facts=facts)


@events.subscribe_legacy("incident.member_added")
def on_member_added(session: Session, ev: events.Event) -> None:
    """Tell a person someone else put on an incident (not the one who added themselves)."""
    p = ev.payload
    if p.get("username") == ev.actor:
        return
    try:
        user = auth.find_person(session, str(p.get("username", "")))
    except NotFound:
        return
    if not user.is_active:
        return
    title = _incident_title(session, ev)
    facts = {"ref": p.get("ref", ""), "title": title or p.get("ref", ""), "role": p.get("role", ""),
             "actor": ev.actor, "severity": None, "type": ""}
    notify_user(session, user, kind="incident.member_added", ev=ev, facts=facts,
                restricted=_is_restricted(session, ev))


def _declaration(session: Session, ev: events.Event) -> dict[str, Any]:
    """The incident's facts as its own ``incident.declared`` event told them (its events are the
    interface between domains, not its tables)."""
    first = session.execute(select(events.Event.payload).where(
        events.Event.stream == ev.stream, events.Event.type == "incident.declared")).scalar_one_or_none()
    return dict(first or {})


def _incident_title(session: Session, ev: events.Event) -> str:
    return str(_declaration(session, ev).get("title", ""))


def _is_restricted(session: Session, ev: events.Event) -> bool:
    return bool(_declaration(session, ev).get("restricted", True))
