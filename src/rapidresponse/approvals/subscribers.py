"""Tell the people who may decide that a text waits for them, and tell its author the decision."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .. import auth, events, incidents, notify
from ..auth import SYSTEM
from ..config import get_settings
from ..errors import NotFound
from .events import Decided, Requested
from .models import Approval
from .service import may_decide


def _facts(session: Session, a: Approval, ev: events.Event, decision: str = "") -> tuple[dict[str, Any], bool]:
    restricted, on_ref = False, ""
    if a.incident_id is not None:
        try:
            inc = incidents.get_by_id(session, SYSTEM, a.incident_id)
        except NotFound:
            inc = None
        if inc is not None:
            restricted, on_ref = inc.restricted, f" ({inc.ref})"
    title = a.title if not restricted else f"{a.kind.replace('_', ' ')}{on_ref}"
    facts = {"approval_title": title, "approval_kind": a.kind.replace("_", " "), "required_role": a.required_role,
             "actor": ev.actor, "on_ref": on_ref, "comment": a.comment or "", "ref": on_ref.strip(" ()"),
             "approvals_url": f"{get_settings().base_url.rstrip('/')}/approvals/{a.id}",
             "decision_en": decision.capitalize(), "decision_en_lower": decision,
             "decision_ru": "Согласовано" if decision == "approved" else "Отклонено",
             "decision_ru_lower": "согласовано" if decision == "approved" else "отклонено"}
    return facts, restricted


@events.subscribe(Requested)
def on_requested(session: Session, event: Requested, ev: events.Event) -> None:
    a = session.get(Approval, event.approval_id)
    if a is None:
        return
    facts, restricted = _facts(session, a, ev)
    for user in auth.active_people(session):
        if event.asked and user.username != event.asked:
            continue  # routed to one person: only they are told
        if may_decide(session, auth.to_actor(user), a):
            notify.notify_user(session, user, kind="approval.requested", ev=ev, facts=facts, restricted=restricted)


@events.subscribe(Decided)
def on_decided(session: Session, event: Decided, ev: events.Event) -> None:
    a = session.get(Approval, event.approval_id)
    if a is None or a.requested_by_id is None:
        return
    user = auth.person(session, a.requested_by_id)
    if user is not None and user.is_active:
        facts, restricted = _facts(session, a, ev, event.decision)
        notify.notify_user(session, user, kind="approval.decided", ev=ev, facts=facts, restricted=restricted)
