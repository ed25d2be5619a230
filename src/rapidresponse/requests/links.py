"""Requests linked to incidents, through the incidents' public surface only.

A request linked to a restricted incident exists only for those who may see that incident: for
anyone else it is answered exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from .. import incidents
from ..auth import SYSTEM, Actor, Person
from ..errors import NotFound


def link(session: Session, actor: Actor, ref: str) -> incidents.IncidentSummary:
    """The incident ``ref`` as the actor may see it (NotFound otherwise)."""
    return incidents.get(session, actor, ref)


def facts(session: Session, incident_id: int) -> incidents.IncidentSummary | None:
    """The incident as the system sees it (for jobs), or None when it is gone."""
    try:
        return incidents.get_by_id(session, SYSTEM, incident_id)
    except NotFound:
        return None


def visible(session: Session, actor: Actor, incident_ids: Iterable[int | None]) -> set[int | None]:
    """Which of these incident ids (None: no incident) the actor may know of; None always."""
    ids = {i for i in incident_ids if i is not None}
    return {None, *incidents.visible_ids(session, actor, ids)}


def legal_members(session: Session, incident_id: int) -> list[Person]:
    """The active people in the legal role on the incident."""
    return [p for p in incidents.holders(session, incident_id, "legal") if p.is_active]
