"""Incident events that page on-call teams, registered here: the incidents domain knows nothing of
on-call. A declared incident at or above a team's routing severity pages that team's policy; someone
who takes an incident role while a page's step pages that role is paged too; an incident that ends
resolves its open pages. A Telegram chat that follows an incident (a war room, opened with
``/warroom``) receives its notes, status, severity and commander changes."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .. import events, incidents, notify
from ..auth import SYSTEM
from ..config import get_settings
from ..errors import NotFound
from ..i18n import english
from . import paging, policies
from .models import WarRoom

ENDED = ("resolved", "closed", "cancelled", "merged")


@events.subscribe(incidents.Declared)
def page_on_declare(session: Session, event: incidents.Declared, ev: events.Event) -> None:
    routes = policies.pick(session, type=event.incident_type, severity=event.severity,
                           countries=list(event.countries), languages=list(event.languages))
    incident = {"id": int(event.subject_id), "ref": event.ref, "severity": event.severity,
                "restricted": event.restricted}
    for route in routes:
        paging.page_route(session, route, summary=event.title[:300], incident=incident,
                          dedup_key=f"incident:{event.subject_id}:team:{route.team_id}")


@events.subscribe(incidents.MemberAdded)
def page_new_role_holder(session: Session, event: incidents.MemberAdded, ev: events.Event) -> None:
    paging.role_filled(session, incident_id=int(event.subject_id), username=event.username, role=event.role)


@events.subscribe(incidents.StatusChanged)
def resolve_on_end(session: Session, event: incidents.StatusChanged, ev: events.Event) -> None:
    if event.to in ENDED:
        paging.resolve_for_incident(session, int(event.subject_id), reason=f"incident {event.to}")


@events.subscribe(incidents.Merged)
def resolve_on_merge(session: Session, event: incidents.Merged, ev: events.Event) -> None:
    paging.resolve_for_incident(session, int(event.subject_id), reason="incident merged")


# --- war rooms: Telegram chats that follow an incident --------------------------------------------

# Built once: every note and status change of every incident asks it.
_ROOMS = select(WarRoom.chat_id).where(WarRoom.incident_id == bindparam("incident_id"))


def _post_to_war_rooms(session: Session, event: incidents.IncidentEvent, ev: events.Event,
                       text: str | Callable[[], str]) -> None:
    """Post ``text`` (or what ``text()`` returns, read only when the incident has a war room) to its rooms."""
    rooms = session.execute(_ROOMS, {"incident_id": int(event.subject_id)}).scalars().all()
    if not rooms:
        return
    try:
        inc = incidents.get_by_id(session, SYSTEM, int(event.subject_id))
    except NotFound:
        return
    if inc.restricted:  # made restricted after the room was opened: nothing more leaves the platform
        return
    url = f"{get_settings().base_url.rstrip('/')}/incidents/{inc.ref}"
    if callable(text):
        text = text()
    for chat in rooms:
        notify.enqueue(session, kind="incident.war_room", channel="telegram", recipient=chat,
                       subject=f"{inc.ref} · {ev.actor or 'rapidresponse'}", body=f"{text}\n{url}",
                       idempotency_key=f"warroom:{ev.id}:{chat}", incident_id=inc.id, event_id=ev.id)


@events.subscribe(incidents.NoteAdded)
def post_note(session: Session, event: incidents.NoteAdded, ev: events.Event) -> None:
    def text() -> str:  # the whole timeline is read only for an incident that has a war room
        entries = incidents.timeline(session, SYSTEM, event.ref, kinds=["notes"])
        note = next((e.note for e in entries if e.id == ev.id and e.note is not None), None)
        return note.body[:3500] if note else event.describe(english)

    _post_to_war_rooms(session, event, ev, text)


@events.subscribe(incidents.StatusChanged)
def post_status(session: Session, event: incidents.StatusChanged, ev: events.Event) -> None:
    _post_to_war_rooms(session, event, ev, event.describe(english))


@events.subscribe(incidents.SeverityOverridden)
def post_severity(session: Session, event: incidents.SeverityOverridden, ev: events.Event) -> None:
    _post_to_war_rooms(session, event, ev, event.describe(english))


@events.subscribe(incidents.CommandHandedOver)
def post_commander(session: Session, event: incidents.CommandHandedOver, ev: events.Event) -> None:
    _post_to_war_rooms(session, event, ev, event.describe(english))
