"""Action items: what a review asks to change, owned, due, reminded, and proven done; playbook
changes carried by an item; and recurrence, when a reviewed harm comes back to a country."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, notify, playbooks
from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..incidents import IncidentSummary
from .events import ActionItemAdded, ActionItemOverdue, ActionItemUpdated, RecurrenceLinked
from .models import ActionItem, Recurrence, Review
from .schemas import ActionItemFilter, ActionItemIn, ActionItemOut, ActionItemUpdate, RecurrenceOut
from .vocab import ITEM_OPEN

TRANSITIONS = {"open": {"in_progress", "done", "cancelled"}, "in_progress": {"open", "done", "cancelled"},
               "done": {"open"}, "cancelled": {"open"}}


def _out(item: ActionItem, inc: IncidentSummary, owners: dict[int, auth.Person], at: datetime) -> ActionItemOut:
    return ActionItemOut(
        id=item.id, incident=inc.ref, review_id=item.review_id, title=item.title, description=item.description,
        kind=item.kind, priority=item.priority, owner=owners[item.owner_id].username if item.owner_id in owners
        else None, due_at=item.due_at, status=item.status, evidence=item.evidence,
        overdue=item.status in ITEM_OPEN and item.due_at is not None and item.due_at < at,
        proposed_playbook=bool(item.proposed_playbook), playbook_version=item.playbook_version,
        created_at=item.created_at, done_at=item.done_at)


def _outs(session: Session, actor: Actor, items: list[ActionItem]) -> list[ActionItemOut]:
    owners = auth.people(session, {i.owner_id for i in items})
    refs = {iid: incidents.get_by_id(session, actor, iid) for iid in {i.incident_id for i in items}}
    at = now()
    return [_out(i, refs[i.incident_id], owners, at) for i in items]


def _owner_id(session: Session, username: str | None) -> int | None:
    return auth.find_person(session, username).id if username else None


def add(session: Session, actor: Actor, ref: str, data: ActionItemIn) -> ActionItemOut:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = incidents.get(session, actor, ref)
    review = session.execute(select(Review).where(Review.incident_id == inc.id)).scalar_one_or_none()
    if review is None:
        raise NotFound(f"{inc.ref} has no review yet: draft one first")
    if data.proposed_playbook and data.kind != "playbook":
        raise ValidationFailed("only an action item of kind playbook carries a proposed playbook",
                               field="proposed_playbook")
    if data.proposed_playbook:
        # refuse a proposal that could never be saved
        playbooks.parse_playbook(data.proposed_playbook, source="proposed_playbook")
    item = ActionItem(review_id=review.id, incident_id=inc.id, title=data.title, description=data.description,
                      kind=data.kind, priority=data.priority, owner_id=_owner_id(session, data.owner),
                      due_at=data.due_at, status="open", proposed_playbook=data.proposed_playbook, created_at=now())
    session.add(item)
    session.flush()
    events.record(session, actor, ActionItemAdded(subject_id=inc.id, ref=inc.ref, review_id=review.id,
                                                  item_id=item.id, title=item.title, kind=item.kind,
                                                  owner=data.owner))
    return _outs(session, actor, [item])[0]


def _item(session: Session, actor: Actor, item_id: int) -> tuple[ActionItem, IncidentSummary]:
    actor.require(Perm.INCIDENTS_READ)
    item = session.get(ActionItem, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        raise NotFound(f"no action item {item_id}")
    try:
        inc = incidents.get_by_id(session, actor, item.incident_id)
    except NotFound:
        raise NotFound(f"no action item {item_id}") from None
    return item, inc


def get(session: Session, actor: Actor, item_id: int) -> ActionItemOut:
    item, _inc = _item(session, actor, item_id)
    return _outs(session, actor, [item])[0]


def update(session: Session, actor: Actor, item_id: int, data: ActionItemUpdate) -> ActionItemOut:
    actor.require(Perm.INCIDENTS_UPDATE)
    item, inc = _item(session, actor, item_id)
    changes = data.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    reason = changes.pop("reason", None)
    if not changes and status is None:
        raise ValidationFailed("nothing to change")
    done: dict[str, str] = {}
    if status is not None and status != item.status:
        if status not in TRANSITIONS[item.status]:
            raise InvalidTransition(f"an action item goes from {item.status} to "
                                    f"{', '.join(sorted(TRANSITIONS[item.status]))}, not {status}")
        evidence = changes.get("evidence", item.evidence)
        if status == "done" and not (evidence or "").strip():
            raise ValidationFailed("say what shows the item is done (a link, a version, a decision)",
                                   field="evidence")
        if status == "cancelled" and not reason:
            raise ValidationFailed("cancelling an action item needs a reason", field="reason")
        item.status = status
        item.done_at = now() if status == "done" else None
        done["status"] = status
    if "owner" in changes:
        item.owner_id = _owner_id(session, changes.pop("owner"))
        done["owner"] = data.owner or ""
    for key in ("title", "description", "priority", "due_at", "evidence"):
        if key in changes and changes[key] is not None and getattr(item, key) != changes[key]:
            setattr(item, key, changes[key])
            done[key] = str(changes[key])[:200]
    if "due_at" in done:
        item.reminded_at = item.escalated_at = None
    if reason:
        done["reason"] = reason
    if done:
        events.record(session, actor, ActionItemUpdated(subject_id=inc.id, ref=inc.ref, review_id=item.review_id,
                                                        item_id=item.id, title=item.title, changes=done))
    return _outs(session, actor, [item])[0]


def accept_playbook(session: Session, actor: Actor, item_id: int) -> ActionItemOut:
    """Save the item's proposed playbook as a new version; the item is done, its evidence the version."""
    actor.require(Perm.PLAYBOOKS_MANAGE)
    item, inc = _item(session, actor, item_id)
    if not item.proposed_playbook:
        raise ValidationFailed("this action item carries no proposed playbook")
    if item.status not in ITEM_OPEN:
        raise InvalidTransition(f"the action item is {item.status}")
    saved = playbooks.save_playbook(session, actor, item.proposed_playbook)
    item.playbook_version = f"{saved.playbook_id} {saved.version}"
    item.status, item.done_at = "done", now()
    item.evidence = f"saved playbook {item.playbook_version}"
    events.record(session, actor, ActionItemUpdated(subject_id=inc.id, ref=inc.ref, review_id=item.review_id,
                                                    item_id=item.id, title=item.title,
                                                    changes={"status": "done", "evidence": item.evidence}))
    return _outs(session, actor, [item])[0]


def list_items(session: Session, actor: Actor, flt: ActionItemFilter) -> tuple[list[ActionItemOut], int]:
    actor.require(Perm.INCIDENTS_READ)
    conds: list[ColumnElement[bool]] = []
    if flt.status == "unfinished":
        conds.append(ActionItem.status.in_(ITEM_OPEN))
    elif flt.status != "any":
        conds.append(ActionItem.status == flt.status)
    if flt.kind:
        conds.append(ActionItem.kind == flt.kind)
    if flt.owner:
        conds.append(ActionItem.owner_id == auth.find_person(session, flt.owner).id)
    if flt.overdue is not None:
        late = (ActionItem.status.in_(ITEM_OPEN)) & (ActionItem.due_at < now())
        conds.append(late if flt.overdue else ~late | ActionItem.due_at.is_(None))
    if flt.incident:
        conds.append(ActionItem.incident_id == incidents.get(session, actor, flt.incident).id)
    rows = list(session.execute(select(ActionItem).where(*conds)
                                .order_by(ActionItem.due_at.is_(None), ActionItem.due_at, ActionItem.id)).scalars())
    visible = incidents.visible_ids(session, actor, {r.incident_id for r in rows})
    rows = [r for r in rows if r.incident_id in visible]
    return _outs(session, actor, rows[flt.offset:flt.offset + flt.limit]), len(rows)


def remind(session: Session) -> int:
    """Remind the owners of overdue items once, and after the grace period tell the commander once;
    returns how many notifications were queued."""
    at = now()
    grace = timedelta(days=get_settings().action_item_grace_days)
    queued = 0
    overdue = session.execute(select(ActionItem).where(ActionItem.status.in_(ITEM_OPEN),
                                                       ActionItem.due_at < at)).scalars().all()
    for item in overdue:
        assert item.due_at is not None
        inc = incidents.get_by_id(session, auth.SYSTEM, item.incident_id)
        if item.reminded_at is None:
            item.reminded_at = at
            people = list(auth.people(session, {item.owner_id}).values()) or \
                incidents.holders(session, inc.id, "commander")
            escalated = False
        elif item.escalated_at is None and at >= item.due_at + grace:
            item.escalated_at = at
            people = incidents.holders(session, inc.id, "commander")
            escalated = True
        else:
            continue
        ev = events.record(session, None, ActionItemOverdue(subject_id=inc.id, ref=inc.ref, review_id=item.review_id,
                                                            item_id=item.id, title=item.title, escalated=escalated))
        owner = auth.people(session, {item.owner_id}).get(item.owner_id or 0)
        facts = {"ref": inc.ref, "title": inc.title, "severity": inc.severity, "item": item.title,
                 "due": f"{item.due_at:%Y-%m-%d %H:%M} UTC", "status": item.status,
                 "owner": owner.username if owner else "—"}
        for person in people:
            queued += notify.notify_user(session, person, kind="action_item.overdue", ev=ev, facts=facts,
                                         restricted=inc.restricted)
    return queued


def link_recurrences(session: Session, inc: IncidentSummary) -> list[Recurrence]:
    """Link ``inc`` to the reviewed incidents of one of its harms and countries declared within the
    recurrence window before it."""
    if not inc.harm_categories or not inc.countries:
        return []
    since = inc.declared_at - timedelta(days=get_settings().recurrence_days)
    candidates = session.execute(select(Review.incident_id).where(Review.incident_id != inc.id)).scalars().all()
    linked = []
    for earlier_id in candidates:
        earlier = incidents.get_by_id(session, auth.SYSTEM, earlier_id)
        if not since <= earlier.declared_at <= inc.declared_at:
            continue
        harm = next((h for h in inc.harm_categories if h in earlier.harm_categories), None)
        country = next((c for c in inc.countries if c in earlier.countries), None)
        if harm is None or country is None:
            continue
        row = Recurrence(incident_id=inc.id, earlier_id=earlier.id, harm=harm, country=country, linked_at=now())
        session.add(row)
        linked.append(row)
        events.record(session, None, RecurrenceLinked(subject_id=inc.id, ref=inc.ref, other=earlier.ref, harm=harm,
                                                      country=country))
    session.flush()
    return linked


def recurrences(session: Session, actor: Actor, ref: str) -> list[RecurrenceOut]:
    """The earlier reviewed incidents this one recurs, with their unfinished action items."""
    inc = incidents.get(session, actor, ref)
    rows = session.execute(select(Recurrence).where(Recurrence.incident_id == inc.id)
                           .order_by(Recurrence.id)).scalars().all()
    visible = incidents.visible_ids(session, actor, {r.earlier_id for r in rows})
    out = []
    for r in rows:
        if r.earlier_id not in visible:
            continue
        earlier = incidents.get_by_id(session, actor, r.earlier_id)
        items = session.execute(select(ActionItem).where(ActionItem.incident_id == r.earlier_id,
                                                         ActionItem.status.in_(ITEM_OPEN))
                                .order_by(ActionItem.id)).scalars().all()
        out.append(RecurrenceOut(incident=inc.ref, earlier=earlier.ref, earlier_title=earlier.title, harm=r.harm,
                                 country=r.country, linked_at=r.linked_at,
                                 open_items=_outs(session, actor, list(items))))
    return out


def for_review(session: Session, actor: Actor, review_id: int) -> list[ActionItemOut]:
    """A review's action items, in the order they were added (the caller holds the incident)."""
    return _outs(session, actor, list(session.execute(select(ActionItem).where(ActionItem.review_id == review_id)
                                                      .order_by(ActionItem.id)).scalars()))


def open_item_count(session: Session, review_ids: list[int]) -> dict[int, int]:
    if not review_ids:
        return {}
    return dict(session.execute(select(ActionItem.review_id, func.count())
                                .where(ActionItem.review_id.in_(review_ids), ActionItem.status.in_(ITEM_OPEN))
                                .group_by(ActionItem.review_id)).tuples().all())
