"""How decisions react to other domains' events: a regulator request's item outcome drafts its decision."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import events, requests
from . import drafts


@events.subscribe(requests.OutcomeRecorded)
def on_outcome(session: Session, event: requests.OutcomeRecorded, ev: events.Event) -> None:
    """Removed or restricted: the content decision that belongs to the item is drafted (see :mod:`.drafts`)."""
    drafts.draft_from_outcome(session, event)
