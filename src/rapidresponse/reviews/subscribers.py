"""How reviews react to other domains: a newly declared incident is linked to earlier reviewed
incidents of the same harm and country (recurrence)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import auth, events, incidents
from . import actions


@events.subscribe(incidents.Declared)
def on_declared(session: Session, event: incidents.Declared, _ev: events.Event) -> None:
    actions.link_recurrences(session, incidents.get_by_id(session, auth.SYSTEM, int(event.subject_id)))
