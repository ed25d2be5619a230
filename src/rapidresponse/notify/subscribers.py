"""Incident events that send notifications, registered here: the reacting domain subscribes
(``events.subscribe`` to ``incidents.Declared`` and ``incidents.MemberAdded``), the incidents domain
knows nothing of notifications.

Recipients get the channels of their preferences; endpoints that subscribe to a kind get it too
(not for restricted incidents: their existence stays inside the platform). Idempotency keys derive
from the event, so re-running a subscriber never queues a message twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, incidents
from ..auth import SYSTEM, Person
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


@events.subscribe(incidents.Declared)
def on_incident_declared(session: Session, event: incidents.Declared, ev: events.Event) -> None:
    """Tell the declarer, who becomes the incident's commander (or first participant), and the team
    channels subscribed to declarations."""
    facts = {"ref": event.ref, "title": event.title, "type": event.incident_type, "severity": event.severity,
             "actor": ev.actor}
    if ev.actor_id is not None:
        user = auth.person(session, ev.actor_id)
        if user is not None and user.is_active:
            notify_user(session, user, kind="incident.declared", ev=ev, facts=facts, restricted=event.restricted)
    if not event.restricted:
        broadcast(session, kind="incident.declared", ev=ev, facts=facts)


@events.subscribe(incidents.MemberAdded)
def on_member_added(session: Session, event: incidents.MemberAdded, ev: events.Event) -> None:
    """Tell a person someone else put on an incident (not the one who added themselves)."""
    if event.username == ev.actor:
        return
    try:
        user = auth.find_person(session, event.username)
    except NotFound:
        return
    if not user.is_active:
        return
    try:
        inc = incidents.get_by_id(session, SYSTEM, int(event.subject_id))
    except NotFound:
        return
    facts = {"ref": event.ref, "title": inc.title or event.ref, "role": event.role, "actor": ev.actor,
             "severity": None, "type": ""}
    notify_user(session, user, kind="incident.member_added", ev=ev, facts=facts, restricted=inc.restricted)
