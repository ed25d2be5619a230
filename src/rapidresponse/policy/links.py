"""Policy records linked to incidents, through the incidents service only.

A decision or request linked to a restricted incident exists only for those who may see that
incident: for anyone else it is answered exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from .. import incidents
from ..auth import SYSTEM, Actor
from ..errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class IncidentFacts:
    id: int
    ref: str
    title: str
    restricted: bool
    countries: tuple[str, ...]
    harms: tuple[str, ...]


def link(session: Session, actor: Actor, ref: str) -> IncidentFacts:
    """The incident ``ref`` as the actor may see it (NotFound otherwise)."""
    inc = incidents.get(session, actor, ref)
    return IncidentFacts(inc.id, inc.ref, inc.title, inc.restricted, tuple(inc.countries),
                         tuple(inc.harm_categories))


def facts(session: Session, ref: str) -> IncidentFacts | None:
    """The incident as the system sees it (for jobs), or None when it is gone."""
    try:
        return link(session, SYSTEM, ref)
    except NotFound:
        return None


class Visibility:
    """Caches, per call, which linked incidents the actor may see."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self._seen: dict[str, bool] = {}

    def can_see(self, ref: str | None) -> bool:
        if not ref:
            return True
        if ref not in self._seen:
            try:
                incidents.get(self.session, self.actor, ref)
                self._seen[ref] = True
            except (NotFound, PermissionDenied):
                self._seen[ref] = False
        return self._seen[ref]


def record_on_incident(session: Session, actor: Actor | None, ref: str, kind: str, **payload: Any) -> None:
    """Put an event on the incident's timeline (its visibility was checked when the link was made)."""
    inc = incidents.get(session, SYSTEM, ref)
    incidents.record_event(session, actor or SYSTEM, inc, kind, **payload)


def legal_members(session: Session, ref: str) -> list[int]:
    """User ids of the people in the legal role on the incident."""
    inc = incidents.get(session, SYSTEM, ref)
    return [p.id for p in incidents.holders(session, inc.id, "legal") if p.is_active]
