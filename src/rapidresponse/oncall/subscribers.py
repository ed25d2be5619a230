"""Incident events that page on-call teams, registered here: the incidents domain knows nothing of
on-call. A declared incident at or above a team's routing severity pages that team's policy; someone
who takes an incident role while a page's step pages that role is paged too; an incident that ends
resolves its open pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import events, incidents
from . import paging, policies

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
