"""Pages: triggered → acknowledged → resolved, escalated step by step by the worker.

A page notifies the targets of its policy's current step (a schedule's on-call, a person, or the
holders of an incident role) and waits that step's delay; without an acknowledgement the worker
moves it to the next step, and after the last step starts again, up to ``repeat`` more rounds.
An acknowledgement stops the escalation and keeps the time to acknowledge on the page.

Each change is an event: on the incident's timeline (``incident.page_*``) when the page is about an
incident, else on the page's own stream (``oncall.page_*``). A page about a restricted incident is
visible only to the people it reached and to those who may see every incident.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from .. import auth, events, incidents, wellness
from ..auth import SYSTEM, Actor, Perm, Person
from ..clock import now
from ..db import paged
from ..errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from ..incidents import OPEN_STATUSES, Role, RoleAssign
from ..notify import RESTRICTED_TITLE
from . import notices, tokens
from .events import PAGE_EVENTS
from .models import Page, PageTarget, Policy, Route, Team
from .schemas import PageIn, PageOut
from .service import get_team, on_call_user_ids, users_by_id

STATUSES = ("triggered", "acknowledged", "resolved")
BATCH = 100


def _event(session: Session, page: Page, what: str, actor: events.Acting | None = None, **facts: Any) -> None:
    """Record what happened to the page (``triggered``, ``escalated``…) on its incident's timeline, or on
    the page's own stream when it is about no incident."""
    team = session.get(Team, page.team_id)
    facts = {"page_id": page.id, "team_id": page.team_id, "team": team.name if team else "", **facts}
    on_page, on_incident = PAGE_EVENTS[what]
    if page.incident_id is not None:
        events.record(session, actor, on_incident(subject_id=page.incident_id, ref=page.incident_ref or "", **facts))
    else:
        events.record(session, actor, on_page(subject_id=page.id, **facts))


def visible(actor: Actor) -> ColumnElement[bool]:
    if actor.can(Perm.INCIDENTS_RESTRICTED):
        return true()
    reached = select(PageTarget.page_id).where(PageTarget.user_id == actor.user_id)
    return or_(Page.restricted.is_(False), Page.id.in_(reached))


# --- who a step reaches --------------------------------------------------------------------------

def _step_users(session: Session, page: Page, step: dict[str, Any], at: datetime) -> list[Person]:
    kind, target = step["kind"], str(step["target"])
    ids: list[int] = []
    if kind == "schedule" and target.isdigit():
        ids = on_call_user_ids(session, int(target), at)
    elif kind == "user":
        user = auth.person_named(session, target)
        ids = [user.id] if user else []
    elif kind == "role" and page.incident_ref:
        try:
            inc = incidents.get(session, SYSTEM, page.incident_ref)
        except NotFound:
            return []
        ids = [m.user_id for m in incidents.members(session, inc.id) if m.role == target]
    users = users_by_id(session, ids)
    reached = [users[i] for i in dict.fromkeys(ids) if i in users and users[i].is_active]
    return _with_room(session, page, reached)


def _with_room(session: Session, page: Page, people: list[Person]) -> list[Person]:
    """A step that reaches several people about an incident of high-intensity harm pages those with
    room left in their exposure budget, or everyone when nobody has room (a page always goes out)."""
    if len(people) < 2 or not page.incident_ref:
        return people
    try:
        harm = incidents.get(session, SYSTEM, page.incident_ref).type
    except NotFound:
        return people
    left = wellness.room(session, [p.id for p in people], harm)
    return [p for p in people if left[p.id] > 0] or people


def _reach(session: Session, page: Page, team: Team, user: Person, *, steps: int, at: datetime) -> bool:
    """Page one person; False when no contact method of theirs works (recorded on the page's target)."""
    reached = notices.reach_person(session, page, team, user, steps=steps)
    exists = session.execute(select(PageTarget).where(
        PageTarget.page_id == page.id, PageTarget.user_id == user.id, PageTarget.step == page.step,
        PageTarget.cycle == page.cycle)).scalar_one_or_none()
    if exists is None:
        session.add(PageTarget(page_id=page.id, user_id=user.id, step=page.step, cycle=page.cycle, notified_at=at,
                               reached=reached))
    else:
        exists.reached = reached
    return reached


def _notify_step(session: Session, page: Page, policy: Policy, team: Team,
                 at: datetime) -> tuple[list[str], list[str]]:
    """Page the step's people; returns who was reached and who could not be. When the step reached
    someone but nobody could be reached, the page goes on to the next step at once (no silent wait)."""
    step = policy.steps[page.step]
    page.next_escalation_at = at + timedelta(minutes=int(step["delay_minutes"]))
    users = _step_users(session, page, step, at)
    reached = {u.username: _reach(session, page, team, u, steps=len(policy.steps), at=at) for u in users}
    names = [name for name, ok in reached.items() if ok]
    unreachable = [name for name, ok in reached.items() if not ok]
    if unreachable and not names:
        page.next_escalation_at = at
    notices.to_team_channels(session, page, team, steps=len(policy.steps), usernames=names)
    session.flush()
    return names, unreachable


# --- triggering ----------------------------------------------------------------------------------

def _trigger(session: Session, *, team: Team, policy: Policy, summary: str, actor: Actor,
             incident: dict[str, Any] | None, dedup_key: str | None) -> Page | None:
    if policy.team_id != team.id:
        raise ValidationFailed(f"policy {policy.id} belongs to another team", field="policy_id")
    if dedup_key and session.execute(select(Page.id).where(Page.dedup_key == dedup_key)).first():
        return None
    at = now()
    incident = incident or {}
    restricted = bool(incident.get("restricted"))
    page = Page(team_id=team.id, policy_id=policy.id, incident_id=incident.get("id"),
                incident_ref=incident.get("ref"), restricted=restricted,
                summary=(RESTRICTED_TITLE["en"] if restricted else summary)[:300], severity=incident.get("severity"),
                dedup_key=dedup_key, status="triggered", step=0, cycle=0, triggered_at=at,
                created_by_id=actor.user_id)
    session.add(page)
    session.flush()
    names, unreachable = _notify_step(session, page, policy, team, at)
    _event(session, page, "triggered", actor, policy=policy.name, notified=names, step=0, unreachable=unreachable)
    return page


def trigger(session: Session, *, team_id: int, policy_id: int, summary: str, actor: Actor = SYSTEM,
            incident: dict[str, Any] | None = None, dedup_key: str | None = None) -> PageOut | None:
    """Open a page through the team's policy and notify its first step; None when ``dedup_key`` already
    paged. ``incident`` (``id``, ``ref``, ``severity``, ``restricted``) is what the page is about."""
    team, policy = session.get(Team, team_id), session.get(Policy, policy_id)
    if team is None:
        raise NotFound(f"no on-call team {team_id}")
    if policy is None:
        raise NotFound(f"no escalation policy {policy_id}")
    page = _trigger(session, team=team, policy=policy, summary=summary, actor=actor, incident=incident,
                    dedup_key=dedup_key)
    return pages_out(session, [page])[0] if page is not None else None


def page_route(session: Session, route: Route, *, summary: str, incident: dict[str, Any],
               dedup_key: str) -> Page | None:
    """Page the team of a routing rule through the rule's policy (nothing when either is gone, or when
    ``dedup_key`` already paged)."""
    team, policy = session.get(Team, route.team_id), session.get(Policy, route.policy_id)
    if team is None or policy is None:
        return None
    return _trigger(session, team=team, policy=policy, summary=summary, actor=SYSTEM, incident=incident,
                    dedup_key=dedup_key)


def page_team(session: Session, actor: Actor, data: PageIn) -> PageOut:
    """Page a team by hand (through the given policy, or its first one), about an incident the actor
    can see when ``incident_ref`` names one ("Page the on-call" on the incident)."""
    actor.require(Perm.ONCALL_READ)
    team = get_team(session, actor, data.team_id)
    incident: dict[str, Any] | None = None
    summary = data.summary
    if data.incident_ref:
        inc = incidents.get(session, actor, data.incident_ref)
        incident = {"id": inc.id, "ref": inc.ref, "severity": inc.severity, "restricted": inc.restricted}
        summary = summary or inc.title
    if not summary:
        raise ValidationFailed("say what the page is about", field="summary")
    query = select(Policy).where(Policy.team_id == team.id).order_by(Policy.id)
    if data.policy_id is not None:
        query = query.where(Policy.id == data.policy_id)
    policy = session.execute(query).scalars().first()
    if policy is None:
        raise ValidationFailed(f"{team.name} has no such escalation policy", field="policy_id")
    page = _trigger(session, team=team, policy=policy, summary=summary, actor=actor, incident=incident,
                    dedup_key=None)
    assert page is not None
    return pages_out(session, [page])[0]


def role_filled(session: Session, *, incident_id: int, username: str, role: str) -> int:
    """Someone took an incident role while a page's current step pages that role (the commander of a
    just-declared incident, or one assigned mid-escalation): page them too. Returns how many pages."""
    pages = session.execute(select(Page).where(Page.incident_id == incident_id, Page.status == "triggered")
                            ).scalars().all()
    user = auth.person_named(session, username)
    reached = 0
    for page in pages:
        policy = session.get(Policy, page.policy_id) if page.policy_id else None
        team = session.get(Team, page.team_id)
        if user is None or not user.is_active or policy is None or team is None or page.step >= len(policy.steps):
            continue
        step = policy.steps[page.step]
        if step["kind"] != "role" or step["target"] != role or page.next_escalation_at is None:
            continue
        ok = _reach(session, page, team, user, steps=len(policy.steps), at=now())
        _event(session, page, "escalated", step=page.step, cycle=page.cycle, notified=[user.username] if ok else [],
               unreachable=[] if ok else [user.username], exhausted=False, role_filled=role)
        reached += 1
    return reached


# --- escalation (the worker) ---------------------------------------------------------------------

def escalate_due(session: Session, at: datetime | None = None) -> int:
    """Move every page whose step timed out to its next step; returns how many moved.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never take the
    same page (SQLite has one writer at a time).
    """
    at = at or now()
    pages = session.execute(
        select(Page).where(Page.status == "triggered", Page.next_escalation_at <= at)
        .order_by(Page.next_escalation_at, Page.id).limit(BATCH).with_for_update(skip_locked=True)
    ).scalars().all()
    for page in pages:
        _advance(session, page, at)
    return len(pages)


def _advance(session: Session, page: Page, at: datetime, actor: Actor | None = None) -> None:
    policy = session.get(Policy, page.policy_id) if page.policy_id else None
    team = session.get(Team, page.team_id)
    assert team is not None
    if policy is None or not policy.steps:
        page.next_escalation_at = None
        _event(session, page, "escalated", exhausted=True, reason="the escalation policy was deleted")
        return
    step, cycle = page.step + 1, page.cycle
    if step >= len(policy.steps):
        if cycle >= policy.repeat:
            page.next_escalation_at = None
            _event(session, page, "escalated", exhausted=True, step=page.step, cycle=page.cycle)
            return
        step, cycle = 0, cycle + 1
    page.step, page.cycle = step, cycle
    names, unreachable = _notify_step(session, page, policy, team, at)
    _event(session, page, "escalated", actor, step=step, cycle=cycle, notified=names, exhausted=False,
           unreachable=unreachable)


# --- acknowledging and resolving ------------------------------------------------------------------

def get_page(session: Session, actor: Actor, page_id: int) -> Page:
    actor.require(Perm.ONCALL_READ)
    page = session.execute(select(Page).where(Page.id == page_id, visible(actor))).scalar_one_or_none()
    if page is None:
        raise NotFound(f"no page {page_id}")
    return page


def _join_incident(session: Session, page: Page, user: Person) -> None:
    """Whoever acknowledges a page joins its incident (restricted ones too), so they can work it."""
    if not page.incident_ref:
        return
    try:
        inc = incidents.get(session, SYSTEM, page.incident_ref)
    except NotFound:
        return
    if inc.status not in {s.value for s in OPEN_STATUSES}:
        return
    if any(m.user_id == user.id for m in incidents.members(session, inc.id)):
        return
    incidents.assign_role(session, SYSTEM, inc.ref, RoleAssign(role=Role.PARTICIPANT, username=user.username))


def _acknowledge(session: Session, page: Page, user: Person, *, via: str) -> Page:
    if page.status != "triggered":
        raise InvalidTransition(f"page {page.id} is {page.status}; only a triggered page can be acknowledged",
                                current=page.status)
    at = now()
    page.status, page.acknowledged_at, page.acknowledged_by_id = "acknowledged", at, user.id
    page.seconds_to_ack = max(0, int((at - page.triggered_at).total_seconds()))
    page.next_escalation_at = None
    notices.cancel_pending(session, page)
    _event(session, page, "acknowledged", auth.to_actor(user), via=via, seconds_to_ack=page.seconds_to_ack,
           step=page.step)
    _join_incident(session, page, user)
    return page


def escalate_now(session: Session, actor: Actor, page_id: int) -> PageOut:
    """Send a triggered page on to its next step now (a person it reached cannot take it)."""
    page = get_page(session, actor, page_id)
    if page.status != "triggered":
        raise InvalidTransition(f"page {page.id} is {page.status}; only a triggered page can be escalated",
                                current=page.status)
    if page.next_escalation_at is None:
        raise Conflict(f"page {page.id} went through every step already")
    notices.cancel_pending(session, page)
    _advance(session, page, now(), actor)
    return pages_out(session, [page])[0]


def acknowledge(session: Session, actor: Actor, page_id: int, *, via: str = "api") -> PageOut:
    page = get_page(session, actor, page_id)
    if actor.user_id is None:
        raise ValidationFailed("only a person can acknowledge a page")
    return pages_out(session, [_acknowledge(session, page, auth.find_person(session, actor.username), via=via)])[0]


def from_token(session: Session, token: str) -> tuple[Page, Person]:
    """The page and person an acknowledgement link names; NotFound for a bad or stale link."""
    ids = tokens.verify("page-ack", token, 2)
    page = session.get(Page, ids[0]) if ids else None
    user = auth.person(session, ids[1]) if ids else None
    if page is None or user is None or not user.is_active:
        raise NotFound("this acknowledgement link is not valid")
    return page, user


def acknowledge_with_token(session: Session, token: str) -> Page:
    """Acknowledge as the person the signed link was sent to: the token authorises only this."""
    page, user = from_token(session, token)
    return _acknowledge(session, page, user, via="link")


def _resolve(session: Session, page: Page, actor: Actor | None, *, reason: str) -> Page:
    if page.status == "resolved":
        raise Conflict(f"page {page.id} is already resolved")
    page.status, page.resolved_at, page.next_escalation_at = "resolved", now(), None
    page.resolved_by_id = actor.user_id if actor else None
    notices.cancel_pending(session, page)
    _event(session, page, "resolved", actor, reason=reason)
    return page


def resolve(session: Session, actor: Actor, page_id: int) -> PageOut:
    page = get_page(session, actor, page_id)
    return pages_out(session, [_resolve(session, page, actor, reason="by hand")])[0]


def resolve_for_incident(session: Session, incident_id: int, reason: str) -> int:
    pages = session.execute(select(Page).where(Page.incident_id == incident_id, Page.status != "resolved")
                            .with_for_update()).scalars().all()
    for page in pages:
        _resolve(session, page, None, reason=reason)
    return len(pages)


# --- reading -------------------------------------------------------------------------------------

def pages_about(session: Session, actor: Actor, incident_id: int, limit: int = 20) -> list[Page]:
    """An incident's pages the actor may see, newest first."""
    actor.require(Perm.ONCALL_READ)
    return list(session.execute(select(Page).where(Page.incident_id == incident_id, visible(actor))
                                .order_by(Page.id.desc()).limit(limit)).scalars())


def list_pages(session: Session, actor: Actor, *, status: list[str] | None = None, team_id: int | None = None,
               mine: bool = False, limit: int = 50, offset: int = 0) -> tuple[list[Page], int]:
    actor.require(Perm.ONCALL_READ)
    for st in status or ():
        if st not in STATUSES:
            raise ValidationFailed(f"unknown status {st[:40]!r}; one of {', '.join(STATUSES)}", field="status")
    query = select(Page).where(visible(actor))
    if status:
        query = query.where(Page.status.in_(status))
    if team_id is not None:
        query = query.where(Page.team_id == team_id)
    if mine:
        query = query.where(Page.id.in_(select(PageTarget.page_id).where(PageTarget.user_id == actor.user_id)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(paged(query.order_by(Page.triggered_at.desc(), Page.id.desc()), limit, offset,
                                 most=500)).scalars().all()
    return list(rows), total


def waiting_pages(session: Session, actor: Actor, limit: int = 10) -> list[PageOut]:
    """Pages nobody has acknowledged yet, oldest first (for the board; none for those who may not read
    on-call)."""
    if not actor.can(Perm.ONCALL_READ):
        return []
    rows = session.execute(select(Page).where(visible(actor), Page.status == "triggered")
                           .order_by(Page.triggered_at, Page.id).limit(limit)).scalars().all()
    return pages_out(session, list(rows))


def pages_out(session: Session, pages: list[Page]) -> list[PageOut]:
    ids = [p.id for p in pages]
    targets = session.execute(select(PageTarget).where(PageTarget.page_id.in_(ids)).order_by(PageTarget.id)
                              ).scalars().all() if ids else []
    teams = {t.id: t.name for t in session.execute(select(Team)).scalars()}
    users = users_by_id(session, [t.user_id for t in targets] + [p.acknowledged_by_id or 0 for p in pages])
    out = []
    for p in pages:
        notified = list(dict.fromkeys(users[t.user_id].username for t in targets
                                      if t.page_id == p.id and t.user_id in users))
        unreachable = list(dict.fromkeys(users[t.user_id].username for t in targets
                                         if t.page_id == p.id and t.user_id in users and not t.reached))
        acker = users.get(p.acknowledged_by_id or 0)
        out.append(PageOut(id=p.id, team=teams.get(p.team_id, ""), status=p.status, summary=p.summary,
                           incident_ref=p.incident_ref, severity=p.severity, step=p.step, cycle=p.cycle,
                           triggered_at=p.triggered_at, next_escalation_at=p.next_escalation_at,
                           acknowledged_at=p.acknowledged_at, acknowledged_by=acker.username if acker else None,
                           seconds_to_ack=p.seconds_to_ack, resolved_at=p.resolved_at, notified=notified,
                           unreachable=unreachable))
    return out


def pages_received(session: Session, actor: Actor, start: datetime, end: datetime) -> dict[int, int]:
    """How many pages the actor may see reached each person in ``[start, end)`` (once per person)."""
    seen = select(Page.id).where(visible(actor))
    rows = session.execute(select(PageTarget.user_id, func.count(func.distinct(PageTarget.page_id)))
                           .where(PageTarget.notified_at >= start, PageTarget.notified_at < end,
                                  PageTarget.page_id.in_(seen))
                           .group_by(PageTarget.user_id)).all()
    return {user_id: n for user_id, n in rows}


def incidents_paged(session: Session, actor: Actor, start: datetime, end: datetime) -> dict[int, set[int]]:
    """For each person, the incidents of the pages the actor may see that reached them in ``[start, end)``."""
    seen = select(Page.id).where(visible(actor))
    rows = session.execute(select(PageTarget.user_id, Page.incident_id).join(Page, Page.id == PageTarget.page_id)
                           .where(PageTarget.notified_at >= start, PageTarget.notified_at < end,
                                  PageTarget.page_id.in_(seen), Page.incident_id.is_not(None))
                           .distinct()).all()
    out: dict[int, set[int]] = defaultdict(set)
    for user_id, incident_id in rows:
        if incident_id is not None:  # excluded in SQL; narrows the type
            out[user_id].add(incident_id)
    return dict(out)
