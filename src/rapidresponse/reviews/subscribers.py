"""How reviews take part in other domains: a newly declared incident is linked to earlier reviewed
incidents of the same harm and country (recurrence), closing an incident waits for its review, and
a review can be sent for translation by its incident's ref."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import auth, events, incidents, translation
from ..auth import Actor
from . import actions, service
from .service import closing_requirements
from .vocab import SECTIONS

incidents.closing_check(closing_requirements)


@translation.source_reader("review")
def review_text(session: Session, actor: Actor, ref: str) -> translation.Source:
    """The review's written sections in their order, then its five whys."""
    review = service.get(session, actor, ref)
    parts = [review.sections[key].strip() for key in SECTIONS if review.sections.get(key, "").strip()]
    parts += [why.strip() for why in review.whys if why.strip()]
    return translation.Source(text="\n\n".join(parts), incident=review.incident, source_id=review.incident)


@events.subscribe(incidents.Declared)
def on_declared(session: Session, event: incidents.Declared, _ev: events.Event) -> None:
    actions.link_recurrences(session, incidents.get_by_id(session, auth.SYSTEM, int(event.subject_id)))
