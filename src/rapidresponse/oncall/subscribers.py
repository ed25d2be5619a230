"""Incident events that page on-call teams, registered here: the incidents domain knows nothing of
on-call. A declared incident at or above a team's routing severity pages that team's policy; someone
who takes an incident role while a page's step pages that role is paged too; an incident that ends
resolves its open pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import events
from . import paging, policies
from .models import Policy, Team

ENDED = ("resolved", "closed", "cancelled", "merged")


@events.subscribe_legacy("incident.declared")
def page_on_declare(session: Session, ev: events.Event) -> None:
    p = ev.payload
    severity = int(p.get("severity") or 4)
    routes = policies.pick(session, type=str(p.get("type", "")), severity=severity,
                           countries=list(p.get("countries") or []), languages=list(p.get("languages") or []))
    for route in routes:
        team, policy = session.get(Team, route.team_id), session.get(Policy, route.policy_id)
        if team is None or policy is None:
            continue
        incident = {"id": int(ev.subject_id), "ref": p.get("ref"), "severity": severity,
                    "restricted": bool(p.get("restricted"))}
        paging.trigger(session, team=team, policy=policy, summary=str(p.get("title", ""))[:300], incident=incident,
                       dedup_key=f"incident:{ev.subject_id}:team:{team.id}")


@events.subscribe_legacy("incident.member_added")
def page_new_role_holder(session: Session, ev: events.Event) -> None:
    paging.role_filled(session, incident_id=int(ev.subject_id), username=str(ev.payload.get("username", "")),
                       role=str(ev.payload.get("role", "")))


@events.subscribe_legacy("incident.status_changed")
def resolve_on_end(session: Session, ev: events.Event) -> None:
    if ev.payload.get("to") in ENDED:
        paging.resolve_for_incident(session, int(ev.subject_id), reason=f"incident {ev.payload.get('to')}")


@events.subscribe_legacy("incident.merged")
def resolve_on_merge(session: Session, ev: events.Event) -> None:
    paging.resolve_for_incident(session, int(ev.subject_id), reason="incident merged")
