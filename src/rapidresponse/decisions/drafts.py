"""Decisions drafted from regulator requests.

Recording an item's outcome on a request (removed globally, restricted in the country) drafts the
content decision that belongs to it: the item, the action, the territorial scope, the legal ground
and the authority that asked are copied from the request, so that its statement of reasons is
completed (the harm, the content's date) rather than typed again. An outcome changed before the
decision is recorded changes the draft; ``no_action`` withdraws it (refusing an order restricts
nothing, so there is no statement of reasons to give). A draft becomes a decision when one is
recorded with ``draft`` set to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import incidents, requests
from ..auth import SYSTEM, Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound
from .models import DecisionDraft
from .schemas import Action, DraftOut

ACTIONS = {requests.Outcome.REMOVED_GLOBALLY.value: Action.REMOVE,
           requests.Outcome.RESTRICTED_IN_COUNTRY.value: Action.GEO_RESTRICT}


def _fields(req: requests.RequestOut, item: requests.ItemOut, action: Action) -> dict[str, Any]:
    sender = f"{req.regulator_name} ({req.country})" + (f", {req.reference}" if req.reference else "")
    done = "removed worldwide" if action == Action.REMOVE else f"restricted in {req.country}"
    reason = f" {item.reason}" if item.reason else ""
    return {
        "puid": item.target[:500], "content_url": item.target if item.target.startswith(("http://", "https://"))
        else "", "action": action.value, "ground": "law", "legal_ground": req.legal_basis[:2000],
        "territorial_scope": [req.country] if action == Action.GEO_RESTRICT else [],
        "source_type": "authority", "source_identity": sender[:500], "content_language": req.language,
        "explanation": (f"{req.regulator_name} ordered it under {req.legal_basis} ({req.ref}); the item was "
                        f"{done}.{reason}")[:5000],
        "facts": (f"Named as item {item.position} of the request {req.ref} from {sender}, received "
                  f"{req.received_at:%Y-%m-%d}.")[:5000],
        "incident": req.incident_ref,
    }


def draft_from_outcome(session: Session, event: requests.OutcomeRecorded) -> DecisionDraft | None:
    """Draft (or redraft, or withdraw) the decision for the item whose outcome ``event`` records."""
    draft = session.execute(select(DecisionDraft).where(DecisionDraft.item_id == event.item_id)
                            ).scalar_one_or_none()
    if draft is not None and draft.decision_id is not None:
        return draft  # already a decision: it is appealed, not redrafted
    action = ACTIONS.get(event.outcome)
    if action is None:
        if draft is not None:
            session.delete(draft)
        return None
    req = requests.get(session, SYSTEM, event.request_id)
    item = next(i for i in req.items if i.id == event.item_id)
    at = now()
    if draft is None:
        draft = DecisionDraft(request_id=req.id, request_ref=req.ref, item_id=item.id, created_at=at)
        session.add(draft)
    draft.outcome, draft.fields, draft.updated_at = event.outcome, _fields(req, item, action), at
    draft.incident_id = incidents.get(session, SYSTEM, req.incident_ref).id if req.incident_ref else None
    session.flush()
    return draft


def _visible(session: Session, actor: Actor, rows: list[DecisionDraft]) -> list[DecisionDraft]:
    seen = incidents.visible_ids(session, actor, {d.incident_id for d in rows if d.incident_id is not None})
    return [d for d in rows if d.incident_id is None or d.incident_id in seen]


def open_drafts(session: Session, actor: Actor) -> list[DraftOut]:
    """The drafts waiting to be recorded that the actor may know of, oldest first."""
    if not actor.can(Perm.POLICY_READ):
        return []
    rows = list(session.execute(select(DecisionDraft).where(DecisionDraft.decision_id.is_(None))
                                .order_by(DecisionDraft.id)).scalars())
    return [_out(d) for d in _visible(session, actor, rows)]


def load(session: Session, actor: Actor, draft_id: int) -> DecisionDraft:
    """A draft still waiting, or NotFound alike for a missing, a recorded and an invisible one."""
    actor.require(Perm.POLICY_READ)
    draft = session.get(DecisionDraft, draft_id) if 0 < draft_id < 2**31 else None
    if draft is None or not _visible(session, actor, [draft]):
        raise NotFound(f"no decision draft {draft_id}")
    if draft.decision_id is not None:
        raise Conflict(f"draft {draft_id} is already recorded as decision {draft.decision_id}")
    return draft


def get(session: Session, actor: Actor, draft_id: int) -> DraftOut:
    return _out(load(session, actor, draft_id))


def _out(d: DecisionDraft) -> DraftOut:
    return DraftOut(id=d.id, request_id=d.request_id, request_ref=d.request_ref, item_id=d.item_id,
                    outcome=d.outcome, fields=d.fields, created_at=d.created_at)
