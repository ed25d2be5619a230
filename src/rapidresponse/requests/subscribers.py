"""How regulator requests react to other domains' events: legal's decision on a reply letter."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import approvals, events
from ..clock import now
from . import service as requests
from .events import ReplyRejected, ReplySent
from .models import RegulatorRequest
from .replies import SUBJECT, sha256


@events.subscribe(approvals.Decided)
def on_approval_decided(session: Session, event: approvals.Decided, ev: events.Event) -> None:
    """Legal approved (the exact text is logged as sent, the clock stops) or rejected (back to draft)."""
    if event.about_type != SUBJECT:
        return
    req = session.get(RegulatorRequest, int(event.about_id))
    letter = requests.reply(session, req) if req is not None else None
    if req is None or letter is None or letter.approval_id != event.approval_id or letter.status != "submitted":
        return  # an approval of a text that was edited or redrafted since: it sends nothing
    at = now()
    if event.decision != "approved":
        letter.status, letter.approval_id, letter.updated_at = "draft", None, at
        requests.record(session, None, req, ReplyRejected, approval_id=event.approval_id,
                        decided_by=ev.actor, comment=event.comment)
        return
    text = approvals.approved_text(session, SUBJECT, req.id)
    if text is None or sha256(text) != event.text_sha256:
        return
    letter.body, letter.status, letter.sent_sha256 = text, "sent", sha256(text)
    letter.sent_at = letter.updated_at = at
    req.status, req.answered_at, req.updated_at = "answered", at, at
    requests.record(session, None, req, ReplySent, approval_id=event.approval_id, approved_by=ev.actor,
                    sha256=letter.sent_sha256, languages=letter.languages, text=text)
