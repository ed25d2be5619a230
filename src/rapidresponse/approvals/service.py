"""Approval gates: an external statement, a law-enforcement referral or a reply to a regulator goes
out only once the required role has approved that exact text.

The approver confirms the SHA-256 of the text they read, so a text changed between reading and
approving is refused, and a text edited after approval needs a new approval. A person never
approves their own request. Requests, decisions and supersessions are events (and, for an
incident's approvals, timeline entries).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, incidents
from ..auth import SYSTEM, Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from .events import ON_INCIDENT, ApprovalEvent, Decided, Requested, Superseded
from .models import Approval
from .schemas import ApprovalOut

KINDS = ("external_statement", "law_enforcement_referral", "regulator_reply", "leadership_update")
ROLES = ("legal", "policy", "comms", "commander", "admin")
DECISIONS = ("approved", "rejected")
# The incident role that may approve in place of the account role (legal on the incident, say).
INCIDENT_ROLE = {"legal": "legal", "policy": "policy_lead", "comms": "comms_lead", "commander": "commander"}
MAX_TEXT = 50_000


@dataclass(frozen=True)
class Submission:
    """A text about to be submitted for approval, as request checks see it."""

    kind: str
    subject_type: str
    subject_id: str
    text: str
    language: str | None  # the language the text is written in, when its author says
    incident_id: int | None
    required_role: str = "legal"  # who is asked to approve it


RequestCheck = Callable[[Session, Submission], list[str]]
_request_checks: list[RequestCheck] = []


def request_check(check: RequestCheck) -> RequestCheck:
    """Register ``check(session, submission)``, which says what must happen before the text can be
    submitted for approval (nothing: an empty list). Domains above approvals hold a submission to
    their own conditions (an approved translation of a text in another language) this way."""
    _request_checks.append(check)
    return check


def _out(a: Approval) -> ApprovalOut:
    return ApprovalOut.model_validate(a)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(session: Session, actor: Actor, a: Approval, event: type[ApprovalEvent], **details: Any) -> None:
    """Record ``event`` on the approval's stream and, for an incident's text, on the incident's timeline."""
    facts = {"approval_id": a.id, "kind": a.kind, "about_type": a.subject_type, "about_id": a.subject_id,
             "title": a.title, "required_role": a.required_role, **details}
    events.record(session, actor, event(subject_id=a.id, **facts))
    if a.incident_id is not None:
        ref = incidents.get_by_id(session, SYSTEM, a.incident_id).ref
        events.record(session, actor, ON_INCIDENT[event](subject_id=a.incident_id, ref=ref, **facts))


def request(session: Session, actor: Actor, *, kind: str, subject_type: str, subject_id: int | str, title: str,
            text: str, required_role: str = "legal", incident_id: int | None = None,
            language: str | None = None, ask: str | None = None) -> ApprovalOut:
    """Ask ``required_role`` to approve ``text`` (written in ``language``); a pending request for the
    same subject is superseded. A registered :func:`request_check` that names something missing refuses.
    ``ask`` (a username) routes it to one person who may decide it: only they are told of it."""
    if actor.user_id is None:
        raise ValidationFailed("an approval is requested by a person")
    if kind not in KINDS:
        raise ValidationFailed(f"unknown approval kind {kind[:40]!r}; one of {', '.join(KINDS)}", field="kind")
    if required_role not in ROLES:
        raise ValidationFailed(f"unknown role {required_role[:40]!r}; one of {', '.join(ROLES)}",
                               field="required_role")
    if not text.strip():
        raise ValidationFailed("there is no text to approve", field="text")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(f"the text is longer than {MAX_TEXT} characters", field="text")
    submission = Submission(kind, subject_type, str(subject_id), text, language, incident_id, required_role)
    missing = [m for check in _request_checks for m in check(session, submission)]
    if missing:
        raise Conflict("; ".join(missing))
    asked = _asked(session, actor, ask, required_role=required_role, incident_id=incident_id)
    supersede(session, actor, subject_type=subject_type, subject_id=subject_id, reason="a new text was submitted")
    a = Approval(kind=kind, subject_type=subject_type, subject_id=str(subject_id), incident_id=incident_id,
                 title=title.strip()[:300] or kind, text=text, text_sha256=text_sha256(text),
                 required_role=required_role, status="pending", requested_by_id=actor.user_id, requested_at=now())
    session.add(a)
    session.flush()
    _record(session, actor, a, Requested, text_sha256=a.text_sha256, asked=asked.username if asked else "",
            asked_name=(asked.display_name or asked.username) if asked else "")
    return _out(a)


def _asked(session: Session, actor: Actor, ask: str | None, *, required_role: str,
           incident_id: int | None) -> auth.Person | None:
    if not ask:
        return None
    person = auth.person_named(session, ask.strip().lower()[:64])
    able = approvers(session, required_role=required_role, incident_id=incident_id, requested_by_id=actor.user_id)
    if person is None or person.id not in {p.id for p in able}:
        raise ValidationFailed(f"{ask[:64]!r} may not approve this: it needs {required_role} (on the account or on "
                               "the incident) or an admin, other than whoever asks", field="approver")
    return person


def approvers(session: Session, *, required_role: str, incident_id: int | None,
              requested_by_id: int | None) -> list[auth.Person]:
    """The active people who could decide an approval for ``required_role`` asked by ``requested_by_id``
    (in their role on the account or on the incident, or admins), in the order :func:`auth.active_people`
    gives them."""
    probe = _Pending(required_role=required_role, incident_id=incident_id, requested_by_id=requested_by_id)
    return [p for p in auth.active_people(session) if may_decide(session, auth.to_actor(p), probe)]


@dataclass(frozen=True)
class _Pending:
    """What :func:`may_decide` reads of an approval, before there is one."""

    required_role: str
    incident_id: int | None
    requested_by_id: int | None


def supersede(session: Session, actor: Actor, *, subject_type: str, subject_id: int | str, reason: str) -> int:
    """Void the subject's pending or approved approval (its text is being changed); returns how many."""
    rows = session.execute(select(Approval).where(
        Approval.subject_type == subject_type, Approval.subject_id == str(subject_id),
        Approval.status.in_(("pending", "approved")))).scalars().all()
    for a in rows:
        previous, a.status = a.status, "superseded"
        _record(session, actor, a, Superseded, previous=previous, reason=reason)
    return len(rows)


def may_decide(session: Session, actor: Actor, a: Approval | ApprovalOut | _Pending) -> bool:
    """Whether ``actor`` may approve or reject ``a``: another person in its role, on the account or on
    the incident (or an admin)."""
    if actor.user_id is None or actor.user_id == a.requested_by_id:
        return False
    if actor.role in (a.required_role, "admin"):
        return True
    if a.incident_id is None or a.required_role not in INCIDENT_ROLE:
        return False
    try:
        inc = incidents.get_by_id(session, actor, a.incident_id)
    except NotFound:
        return False
    return any(m.user_id == actor.user_id and m.role == INCIDENT_ROLE[a.required_role]
               for m in incidents.members(session, inc.id))


def _visible(session: Session, actor: Actor, a: Approval | ApprovalOut) -> bool:
    if a.incident_id is None:
        return actor.can(Perm.INCIDENTS_READ)
    return a.incident_id in incidents.visible_ids(session, actor, {a.incident_id})


def get(session: Session, actor: Actor, approval_id: int) -> ApprovalOut:
    actor.require(Perm.INCIDENTS_READ)
    a = session.get(Approval, approval_id)
    if a is None or not _visible(session, actor, a):
        raise NotFound(f"no approval {approval_id}")
    return _out(a)


def decide(session: Session, actor: Actor, approval_id: int, *, decision: str, text_sha256: str,
           comment: str = "") -> ApprovalOut:
    """Approve or reject the exact text whose SHA-256 the approver confirms."""
    if decision not in DECISIONS:
        raise ValidationFailed(f"decision is one of {', '.join(DECISIONS)}", field="decision")
    a = session.execute(select(Approval).where(Approval.id == approval_id).with_for_update()).scalar_one_or_none()
    if a is None or not _visible(session, actor, a):
        raise NotFound(f"no approval {approval_id}")
    if a.status != "pending":
        raise Conflict(f"approval {a.id} is {a.status}; only a pending one can be decided", current=a.status)
    if actor.user_id is not None and actor.user_id == a.requested_by_id:
        raise PermissionDenied("you cannot approve your own request: another person in the role must")
    if not may_decide(session, actor, a):
        raise PermissionDenied(f"this needs the {a.required_role} role (on your account or on the incident)")
    if text_sha256.strip().lower() != a.text_sha256:
        raise Conflict("the text changed since you read it: read it again before deciding",
                       current=a.text_sha256)
    if decision == "rejected" and not comment.strip():
        raise ValidationFailed("say why the text is rejected, so its author can fix it", field="comment")
    a.status, a.decided_by_id, a.decided_at, a.comment = decision, actor.user_id, now(), comment.strip()[:4000]
    _record(session, actor, a, Decided, decision=decision, text_sha256=a.text_sha256, comment=a.comment)
    return _out(a)


def latest(session: Session, subject_type: str, subject_id: int | str) -> ApprovalOut | None:
    """The newest approval of a subject (whatever its status), or None."""
    a = session.execute(select(Approval).where(Approval.subject_type == subject_type,
                                               Approval.subject_id == str(subject_id))
                        .order_by(Approval.id.desc()).limit(1)).scalar_one_or_none()
    return _out(a) if a is not None else None


def approved_text(session: Session, subject_type: str, subject_id: int | str) -> str | None:
    a = latest(session, subject_type, subject_id)
    return a.text if a is not None and a.status == "approved" else None


def inbox(session: Session, actor: Actor, *, status: str = "pending", limit: int = 100) -> list[ApprovalOut]:
    """Approvals the actor may decide (``pending``), or has decided (``decided``), or asked for (``mine``)."""
    actor.require(Perm.INCIDENTS_READ)
    query = select(Approval).order_by(Approval.id.desc()).limit(max(1, min(limit, 500)) * 4)
    if status == "pending":
        query = query.where(Approval.status == "pending")
    elif status == "decided":
        query = query.where(Approval.decided_by_id == actor.user_id)
    elif status == "mine":
        query = query.where(Approval.requested_by_id == actor.user_id)
    else:
        raise ValidationFailed("status is one of pending, decided, mine", field="status")
    rows = list(session.execute(query).scalars())
    ids = incidents.visible_ids(session, actor, {a.incident_id for a in rows if a.incident_id is not None})
    rows = [a for a in rows if a.incident_id is None or a.incident_id in ids]
    if status == "pending":
        rows = [a for a in rows if may_decide(session, actor, a)]
    return [_out(a) for a in rows[:limit]]


def pending_count(session: Session, actor: Actor) -> int:
    return len(inbox(session, actor)) if actor.can(Perm.INCIDENTS_READ) else 0


def people_of(session: Session, rows: list[ApprovalOut]) -> dict[int, str]:
    """The names of who asked for and who decided these approvals, by user id."""
    ids = {i for a in rows for i in (a.requested_by_id, a.decided_by_id) if i is not None}
    return {i: (p.display_name or p.username) for i, p in auth.people(session, ids).items()}


def incident_refs(session: Session, actor: Actor, rows: list[ApprovalOut]) -> dict[int, str]:
    """The refs of these approvals' incidents that ``actor`` may know of, by incident id."""
    out: dict[int, str] = {}
    for a in rows:
        if a.incident_id is not None and a.incident_id not in out:
            try:
                out[a.incident_id] = incidents.get_by_id(session, actor, a.incident_id).ref
            except NotFound:
                continue
    return out
