"""How reviews take part in other domains: a newly declared incident is linked to earlier reviewed
incidents of the same harm and country (recurrence), and closing an incident waits for its review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import auth, events, incidents
from . import actions
from .service import closing_requirements

incidents.closing_check(closing_requirements)


@events.subscribe(incidents.Declared)
def on_declared(session: Session, event: incidents.Declared, _ev: events.Event) -> None:
    actions.link_recurrences(session, incidents.get_by_id(session, auth.SYSTEM, int(event.subject_id)))
