"""How translation holds other domains' work: a stakeholder update or a reply letter written in
another language than the one legal reads is submitted for legal's approval only with an approved
translation of its exact text (an update another role approves, such as a commander approving a
leadership update, needs none); editing or redrafting the text voids its translations."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import approvals, events, playbooks, requests
from ..auth import SYSTEM
from .service import approved_for, void_source
from .vocab import GATED, WORKING_LANGUAGE


@approvals.request_check
def translation_before_approval(session: Session, sub: approvals.Submission) -> list[str]:
    kind = GATED.get(sub.subject_type)
    lang = (sub.language or "").split("-")[0].lower()
    if kind is None or sub.required_role != "legal" or not lang or lang == WORKING_LANGUAGE:
        return []
    if approved_for(session, source_kind=kind, source_id=sub.subject_id, text=sub.text) is not None:
        return []
    return [f"this text is in {lang}: approval can be requested once a translation of its exact text into "
            f"{WORKING_LANGUAGE} is approved (request one from the translation queue)"]


@events.subscribe(playbooks.UpdateEdited)
def on_update_edited(session: Session, event: playbooks.UpdateEdited, ev: events.Event) -> None:
    void_source(session, SYSTEM, source_kind="stakeholder_update", source_id=str(event.update_id),
                reason="the update was edited")


@events.subscribe(requests.ReplyEdited)
def on_reply_edited(session: Session, event: requests.ReplyEdited, ev: events.Event) -> None:
    void_source(session, SYSTEM, source_kind="reply_letter", source_id=str(event.request_id),
                reason="the reply letter was edited")


@events.subscribe(requests.ReplyDrafted)
def on_reply_drafted(session: Session, event: requests.ReplyDrafted, ev: events.Event) -> None:
    void_source(session, SYSTEM, source_kind="reply_letter", source_id=str(event.request_id),
                reason="the reply letter was drafted again")
