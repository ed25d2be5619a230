"""Incident rules: declare, read (with the restricted-incident rule), update, lifecycle, severity,
roles, links and merges. Notes, timeline and tasks live in :mod:`.work`.

Every function returns schemas (:class:`IncidentSummary`, :class:`Member`); the tables stay inside
the domain (:func:`load` is the domain's own way to them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..db import insert_ignore, plain, read_rows
from ..errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from . import lifecycle
from .events import (
    CommandHandedOver,
    Declared,
    IncidentEvent,
    Linked,
    MemberAdded,
    MemberRemoved,
    Merged,
    MergedFrom,
    RoleReassigned,
    SeverityOverridden,
    SeverityOverrideCleared,
    StatusChanged,
    Updated,
    Viewed,
)
from .models import Incident, IncidentCounter, IncidentLink, IncidentMember
from .schemas import (
    IncidentCreate,
    IncidentDetail,
    IncidentFilter,
    IncidentOut,
    IncidentSummary,
    IncidentUpdate,
    LinkRequest,
    Member,
    MemberOut,
    MergeRequest,
    RoleAssign,
    SeverityOverride,
    StatusChange,
)
from .severity import SeverityInput, assess
from .vocab import MULTI_HOLDER_ROLES, OPEN_STATUSES, RESTRICTED_BY_DEFAULT, Role, Status


def _record(session: Session, actor: Actor, event: IncidentEvent) -> events.Event:
    return events.record(session, actor, event)


_OUT_FIELDS = tuple(f for f in IncidentOut.model_fields if f != "merged_into")
_JSON_FIELDS = ("harm_categories", "countries", "languages", "severity_inputs")
_TIME_FIELDS = tuple(f for f in IncidentOut.model_fields if f.endswith("_at"))
_PLAIN = frozenset(_JSON_FIELDS + _TIME_FIELDS)


def summary(session: Session, actor: Actor, inc: Incident) -> IncidentSummary:
    """The schema of a loaded incident (the ref it was merged into only when the actor may know it)."""
    data = {f: getattr(inc, f) for f in _OUT_FIELDS}
    return IncidentSummary(**data, id=inc.id, merged_into=merged_into(session, actor, inc))


def _search_text(inc: Incident) -> str:
    """Folded words for search, and exact ``c:<country>`` / ``l:<language>`` tokens for filters."""
    tokens = [f"c:{c}" for c in inc.countries] + [f"l:{lang}" for lang in inc.languages]
    words = [inc.ref, inc.title, inc.summary, inc.type, *inc.harm_categories, *tokens]
    return f" {' '.join(words).casefold()} "


def _next_ref(session: Session, year: int) -> str:
    insert_ignore(session, IncidentCounter, {"year": year, "last": 0}, "year")
    counter = session.execute(
        select(IncidentCounter).where(IncidentCounter.year == year).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last += 1
    return f"INC-{year}-{counter.last:04d}"


def visible(actor: Actor, table: Any = Incident) -> ColumnElement[bool]:
    """Restricted incidents exist only for their members and for those allowed to see all (``table``: the
    incidents table or an alias of it)."""
    if actor.can(Perm.INCIDENTS_RESTRICTED):
        return true()
    mine = select(IncidentMember.incident_id).where(IncidentMember.user_id == actor.user_id)
    # "IS NOT true" rather than "IS false" (the same for a column that is never NULL): SQLite then walks the
    # list's ordering index and stops at the page's end, instead of reading every incident through both
    # indexes of the OR and sorting them (4x slower for a page of 50 of 300).
    return or_(table.restricted.is_not(True), table.id.in_(mine))


def load(session: Session, actor: Actor, ref: str, *, log_view: bool = False) -> Incident:
    """The incident's row, or NotFound, the same for a missing one and one the actor may not know of."""
    actor.require(Perm.INCIDENTS_READ)
    inc = session.execute(_by_ref(actor.can(Perm.INCIDENTS_RESTRICTED)),
                          {"ref": ref.strip().upper(), "viewer": actor.user_id}).scalar_one_or_none()
    if inc is None:
        raise NotFound(f"no incident {ref!r}")
    if log_view and inc.restricted:
        _record(session, actor, Viewed(subject_id=inc.id, ref=inc.ref))
    return inc


@functools.cache
def _by_ref(sees_all: bool) -> Select[Incident]:
    """An incident by its ref (the ``ref`` parameter) if the ``viewer`` may know of it; built once, as every
    request on an incident reads it."""
    return select(Incident).where(Incident.ref == bindparam("ref"),
                                  true() if sees_all else _visible_to_viewer(Incident))


def get(session: Session, actor: Actor, ref: str, *, log_view: bool = False) -> IncidentSummary:
    """The incident ``ref``; NotFound alike for a missing one and one the actor may not know of.
    ``log_view`` records the read of a restricted incident."""
    return summary(session, actor, load(session, actor, ref, log_view=log_view))


def get_by_id(session: Session, actor: Actor, incident_id: int) -> IncidentSummary:
    """The incident with this id, under the same rule as :func:`get` (for domains that keep the id)."""
    actor.require(Perm.INCIDENTS_READ)
    inc = session.execute(select(Incident).where(Incident.id == incident_id, visible(actor))).scalar_one_or_none()
    if inc is None:
        raise NotFound(f"no incident {incident_id}")
    return summary(session, actor, inc)


def visible_ids(session: Session, actor: Actor, ids: set[int]) -> set[int]:
    """Which of these incident ids the actor may know of."""
    if not ids or not actor.can(Perm.INCIDENTS_READ):
        return set()
    return set(session.execute(select(Incident.id).where(Incident.id.in_(ids), visible(actor))).scalars())


def declare(session: Session, actor: Actor, data: IncidentCreate, *, take_command: bool = False) -> IncidentSummary:
    """Declare an incident; the declarer joins as its commander when they may command, else as a participant.
    ``take_command`` makes them its commander regardless (a triager escalating a case leads until the
    on-call commander takes over: an incident is never without one)."""
    actor.require(Perm.INCIDENTS_DECLARE)
    at = now()
    if data.detected_at and data.detected_at > at:
        raise ValidationFailed("detected_at is in the future", field="detected_at")
    sev_in = data.severity or SeverityInput.default_for(data.type)
    assessment = assess(sev_in)
    restricted = data.restricted if data.restricted is not None else data.type in RESTRICTED_BY_DEFAULT
    inc = Incident(
        ref=_next_ref(session, at.year), title=data.title, summary=data.summary, type=data.type.value,
        harm_categories=data.harm_categories, countries=data.countries, languages=data.languages,
        source_description=data.source_description, status=Status.TRIAGE.value,
        severity=assessment.level, severity_computed=assessment.level,
        severity_inputs=sev_in.model_dump(), restricted=restricted, created_by_id=actor.user_id,
        detected_at=data.detected_at or at, declared_at=at, updated_at=at,
    )
    inc.search_text = _search_text(inc)
    session.add(inc)
    session.flush()
    _record(session, actor, Declared(subject_id=inc.id, ref=inc.ref, title=inc.title, incident_type=inc.type,
                                     severity=inc.severity, restricted=restricted, countries=inc.countries,
                                     languages=inc.languages))
    if actor.user_id is not None:
        role = Role.COMMANDER if take_command or actor.can(Perm.INCIDENTS_COMMAND) else Role.PARTICIPANT
        _add_member(session, actor, inc, actor.user_id, actor.username, role)
    return summary(session, actor, inc)


def list_incidents(session: Session, actor: Actor, flt: IncidentFilter) -> tuple[list[IncidentSummary], int]:
    rows, total = list_rows(session, actor, flt)
    return [IncidentSummary.model_construct(**row) for row in rows], total


def list_rows(session: Session, actor: Actor, flt: IncidentFilter) -> tuple[list[dict[str, Any]], int]:
    """A page of the incidents the actor may see as plain dicts with :class:`IncidentSummary`'s fields in
    :class:`IncidentOut`'s order (``id`` last), and how many match in all: the API's list, read on every
    request, serialises them as they are."""
    actor.require(Perm.INCIDENTS_READ)
    count, page = _list_statements(actor.can(Perm.INCIDENTS_RESTRICTED), _filter_key(flt))
    params = {"viewer": actor.user_id, "limit": flt.limit, "offset": flt.offset}
    total = session.execute(count, params).scalar_one()
    return read_rows(session, page, params, json=_JSON_FIELDS, times=_TIME_FIELDS), total


FilterKey = tuple[Any, ...]


def _filter_key(flt: IncidentFilter) -> FilterKey:
    """What shapes the list's statements: every filter but the page (limit and offset)."""
    return (tuple(s.value for s in flt.status or ()), flt.open, tuple(flt.severity or ()),
            tuple(t.value for t in flt.type or ()), flt.country, flt.language,
            tuple((flt.q or "").casefold().split()[:8]), flt.sort)


def _visible_to_viewer(table: Any) -> ColumnElement[bool]:
    """:func:`visible` for an actor who may not see every restricted incident, the actor's id left as the
    ``viewer`` parameter."""
    mine = select(IncidentMember.incident_id).where(IncidentMember.user_id == bindparam("viewer"))
    return or_(table.restricted.is_not(True), table.id.in_(mine))


@functools.lru_cache(maxsize=256)
def _list_statements(sees_all: bool, key: FilterKey) -> tuple[Select[Any], Select[Any]]:
    """The count and the page of a list, built once per visibility and filter (the viewer, limit and offset
    are parameters): building a statement and its cache key costs more than SQLite takes to run it."""
    status, opened, severity, types, country, language, words, sort = key
    conds: list[ColumnElement[bool]] = [true() if sees_all else _visible_to_viewer(Incident)]
    if status:
        conds.append(Incident.status.in_(status))
    if opened is not None:
        is_open = Incident.status.in_([s.value for s in OPEN_STATUSES])
        conds.append(is_open if opened else ~is_open)
    if severity:
        conds.append(Incident.severity.in_(severity))
    if types:
        conds.append(Incident.type.in_(types))
    if country:
        conds.append(Incident.search_text.contains(f" c:{country.casefold()} ", autoescape=True))
    if language:
        conds.append(Incident.search_text.contains(f" l:{language.casefold()} ", autoescape=True))
    for word in words:
        conds.append(Incident.search_text.contains(word, autoescape=True))
    count = select(func.count()).select_from(Incident).where(*conds)
    orders: dict[str, list[Any]] = {
        "-declared_at": [Incident.declared_at.desc()], "declared_at": [Incident.declared_at],
        "severity": [Incident.severity, Incident.declared_at.desc()], "-updated_at": [Incident.updated_at.desc()],
    }
    into, query = _list_select()
    into_visible = true() if sees_all else _visible_to_viewer(into)
    page = (query.outerjoin(into, and_(into.id == Incident.merged_into_id, into_visible))
            .where(*conds).order_by(*orders[sort], Incident.id.desc())
            .limit(bindparam("limit")).offset(bindparam("offset")))
    return count, page


@functools.cache
def _list_select() -> tuple[Any, Select[Any]]:
    """The list's columns, built once (an alias's columns cost more to build than the query to run)."""
    into = aliased(Incident, name="merged_into_incident")  # whose ref is merged_into, when the actor may know it
    columns = [into.ref.label(f) if f == "merged_into" else plain(getattr(Incident, f)) if f in _PLAIN
               else getattr(Incident, f) for f in (*IncidentOut.model_fields, "id")]
    return into, select(*columns).select_from(Incident)


def member_of(session: Session, actor: Actor, *, resolved_since: datetime) -> list[IncidentSummary]:
    """The incidents the actor has a role on that were resolved since ``resolved_since`` (newest first)."""
    if actor.user_id is None or not actor.can(Perm.INCIDENTS_READ):
        return []
    rows = session.execute(
        select(Incident).join(IncidentMember, IncidentMember.incident_id == Incident.id)
        .where(IncidentMember.user_id == actor.user_id, Incident.resolved_at >= resolved_since, visible(actor))
        .order_by(Incident.resolved_at.desc()).limit(50)).scalars().unique().all()
    return [summary(session, actor, i) for i in rows]


def open_by_severity(session: Session, actor: Actor) -> dict[int, int]:
    actor.require(Perm.INCIDENTS_READ)
    rows = session.execute(
        select(Incident.severity, func.count()).where(
            visible(actor), Incident.status.in_([s.value for s in OPEN_STATUSES])
        ).group_by(Incident.severity)
    ).all()
    counts = {level: 0 for level in (1, 2, 3, 4)}
    counts.update({sev: n for sev, n in rows})
    return counts


def update(session: Session, actor: Actor, ref: str, data: IncidentUpdate) -> IncidentSummary:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    _require_open(inc)
    changes: dict[str, Any] = {}
    for name in ("title", "summary", "type", "harm_categories", "countries", "languages",
                 "source_description"):
        value = getattr(data, name)
        if value is not None and value != getattr(inc, name):
            changes[name] = value
            setattr(inc, name, value)
    if data.restricted is not None and data.restricted != inc.restricted:
        actor.require(Perm.INCIDENTS_COMMAND)
        inc.restricted = changes["restricted"] = data.restricted
    if data.severity is not None and data.severity.model_dump() != inc.severity_inputs:
        _set_severity_inputs(inc, data.severity, changes)
    if not changes:
        return summary(session, actor, inc)
    inc.search_text = _search_text(inc)
    inc.updated_at = now()
    _record(session, actor, Updated(subject_id=inc.id, ref=inc.ref, changes=changes))
    return summary(session, actor, inc)


def _set_severity_inputs(inc: Incident, inputs: SeverityInput, changes: dict[str, Any]) -> None:
    assessment = assess(inputs)
    inc.severity_inputs = changes["severity_inputs"] = inputs.model_dump()
    inc.severity_computed = assessment.level
    if inc.severity_override_reason is None and inc.severity != assessment.level:
        inc.severity = changes["severity"] = assessment.level


def detail(session: Session, actor: Actor, inc: IncidentSummary) -> IncidentDetail:
    """The incident with its severity assessment, people and links (the API's and the CLI's view)."""
    people = [MemberOut.model_validate(m.model_dump()) for m in members(session, inc.id)]
    return IncidentDetail(**IncidentOut.model_validate(inc.model_dump()).model_dump(),
                          severity_assessment=assessment(inc), members=people, links=links(session, actor, inc))


def assessment(inc: IncidentSummary) -> dict[str, Any]:
    return assess(SeverityInput(**inc.severity_inputs)).as_dict()


def override_severity(session: Session, actor: Actor, ref: str, data: SeverityOverride) -> IncidentSummary:
    actor.require(Perm.INCIDENTS_COMMAND)
    inc = load(session, actor, ref)
    _require_open(inc)
    if data.level is None:
        if inc.severity_override_reason is None:
            raise Conflict("the severity is not overridden")
        previous, inc.severity, inc.severity_override_reason = inc.severity, inc.severity_computed, None
        _record(session, actor, SeverityOverrideCleared(subject_id=inc.id, ref=inc.ref, previous=previous,
                                                        severity=inc.severity))
    else:
        if not data.reason:
            raise ValidationFailed("overriding the computed severity needs a reason", field="reason")
        previous, inc.severity, inc.severity_override_reason = inc.severity, data.level, data.reason
        _record(session, actor, SeverityOverridden(subject_id=inc.id, ref=inc.ref, previous=previous,
                                                   severity=data.level, computed=inc.severity_computed,
                                                   reason=data.reason))
    inc.updated_at = now()
    return summary(session, actor, inc)


ClosingCheck = Callable[[Session, IncidentSummary], list[str]]
_closing_checks: list[ClosingCheck] = []


def closing_check(check: ClosingCheck) -> ClosingCheck:
    """Register ``check(session, incident)``, which says what still stands between the incident and
    closing (nothing: an empty list). Domains above incidents hold closing to their own conditions
    (a published review, exit criteria met) this way, without incidents knowing of them."""
    _closing_checks.append(check)
    return check


def change_status(session: Session, actor: Actor, ref: str, data: StatusChange) -> IncidentSummary:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    target = lifecycle.check(inc.status, data.status.value)
    if target in (Status.CANCELLED, Status.CLOSED):
        actor.require(Perm.INCIDENTS_COMMAND)
    if target == Status.CANCELLED and not data.reason:
        raise ValidationFailed("cancelling an incident needs a reason", field="reason")
    if target == Status.CLOSED:
        current = summary(session, actor, inc)
        missing = [item for check in _closing_checks for item in check(session, current)]
        if missing:
            raise InvalidTransition(f"{inc.ref} cannot close yet: {'; '.join(missing)}", missing=missing)
    previous, at = inc.status, now()
    lifecycle.apply(inc, target, at)
    inc.updated_at = at
    _record(session, actor, StatusChanged(subject_id=inc.id, ref=inc.ref, previous=previous, to=target.value,
                                          reason=data.reason))
    return summary(session, actor, inc)


def _require_open(inc: Incident) -> None:
    if inc.status in (Status.CLOSED, Status.CANCELLED, Status.MERGED):
        raise InvalidTransition(f"{inc.ref} is {inc.status}; it can no longer be changed")


# --- people -------------------------------------------------------------------------------------

def _members(session: Session, incident_id: int) -> list[tuple[IncidentMember, auth.Person]]:
    rows = session.execute(select(IncidentMember).where(IncidentMember.incident_id == incident_id)
                           .order_by(IncidentMember.id)).scalars().all()
    people = auth.people(session, {m.user_id for m in rows})
    return [(m, people[m.user_id]) for m in rows if m.user_id in people]


def members(session: Session, incident_id: int) -> list[Member]:
    """The people in roles on the incident, in the order they joined (no permission: callers hold
    an incident they may see)."""
    return [Member(user_id=p.id, username=p.username, display_name=p.name, role=m.role, added_at=m.added_at)
            for m, p in _members(session, incident_id)]


def holders(session: Session, incident_id: int, role: str) -> list[auth.Person]:
    """The people holding ``role`` on the incident."""
    return [p for m, p in _members(session, incident_id) if m.role == role]


def _add_member(session: Session, actor: Actor, inc: Incident, user_id: int, username: str,
                role: Role) -> None:
    session.add(IncidentMember(incident_id=inc.id, user_id=user_id, role=role.value, added_at=now()))
    if role == Role.COMMANDER and inc.acknowledged_at is None:
        inc.acknowledged_at = now()
    _record(session, actor, MemberAdded(subject_id=inc.id, ref=inc.ref, username=username, role=role.value))


def assign_role(session: Session, actor: Actor, ref: str, data: RoleAssign) -> IncidentSummary:
    """Put a person in a role. Assigning the commander role when it is held hands over command."""
    actor.require(Perm.INCIDENTS_COMMAND if data.role in (Role.COMMANDER, Role.DEPUTY)
                  else Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    _require_open(inc)
    user = auth.find_person(session, data.username)
    if not user.is_active:
        raise ValidationFailed(f"user {user.username!r} is disabled", field="username")
    held = [(m, u) for m, u in _members(session, inc.id) if m.role == data.role.value]
    if any(u.id == user.id for _, u in held):
        raise Conflict(f"{user.username} is already {data.role.value} on {inc.ref}")
    if data.role not in MULTI_HOLDER_ROLES and held:
        previous_member, previous_user = held[0]
        session.delete(previous_member)
        session.flush()
        kind = CommandHandedOver if data.role == Role.COMMANDER else RoleReassigned
        _record(session, actor, kind(subject_id=inc.id, ref=inc.ref, role=data.role.value,
                                     previous=previous_user.username, to=user.username))
    _add_member(session, actor, inc, user.id, user.username, data.role)
    inc.updated_at = now()
    return summary(session, actor, inc)


def remove_member(session: Session, actor: Actor, ref: str, *, username: str, role: Role,
                  handover_to: str | None = None) -> IncidentSummary:
    """Take a person out of a role. Command is never left empty: the commander leaves only by handing
    over to ``handover_to`` (who becomes commander), the same rule as assigning a new commander."""
    actor.require(Perm.INCIDENTS_COMMAND if role in (Role.COMMANDER, Role.DEPUTY) else Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    _require_open(inc)
    user = auth.find_person(session, username)
    member = session.execute(select(IncidentMember).where(
        IncidentMember.incident_id == inc.id, IncidentMember.user_id == user.id,
        IncidentMember.role == role.value)).scalar_one_or_none()
    if member is None:
        raise NotFound(f"{username} is not {role.value} on {inc.ref}")
    if role == Role.COMMANDER:
        if not handover_to:
            raise Conflict("command is handed over, not removed: name the new commander", field="handover_to")
        if auth.find_person(session, handover_to).id == user.id:
            raise ValidationFailed("hand command over to someone else", field="handover_to")
        return assign_role(session, actor, ref, RoleAssign(role=Role.COMMANDER, username=handover_to))
    if handover_to:
        raise ValidationFailed("only the commander's role is handed over on removal", field="handover_to")
    session.delete(member)
    inc.updated_at = now()
    _record(session, actor, MemberRemoved(subject_id=inc.id, ref=inc.ref, username=user.username, role=role.value))
    return summary(session, actor, inc)


# --- links and merges -----------------------------------------------------------------------

def link(session: Session, actor: Actor, ref: str, data: LinkRequest) -> IncidentSummary:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc, other = load(session, actor, ref), load(session, actor, data.ref)
    if inc.id == other.id:
        raise ValidationFailed("an incident cannot be linked to itself", field="ref")
    exists = session.execute(select(IncidentLink.id).where(
        or_((IncidentLink.from_id == inc.id) & (IncidentLink.to_id == other.id),
            (IncidentLink.from_id == other.id) & (IncidentLink.to_id == inc.id)))).first()
    if exists:
        raise Conflict(f"{inc.ref} and {other.ref} are already linked")
    session.add(IncidentLink(from_id=inc.id, to_id=other.id, kind=data.kind, created_at=now()))
    _record(session, actor, Linked(subject_id=inc.id, ref=inc.ref, other=other.ref, kind=data.kind))
    _record(session, actor, Linked(subject_id=other.id, ref=other.ref, other=inc.ref, kind=data.kind))
    return summary(session, actor, inc)


def links(session: Session, actor: Actor, inc: IncidentSummary) -> list[dict[str, str]]:
    """Linked incidents the actor may see, from either side."""
    rows = session.execute(select(IncidentLink).where(
        or_(IncidentLink.from_id == inc.id, IncidentLink.to_id == inc.id))).scalars().all()
    ids = {r.to_id if r.from_id == inc.id else r.from_id: r.kind for r in rows}
    merged_into_id = session.execute(select(Incident.merged_into_id).where(Incident.id == inc.id)).scalar_one()
    if merged_into_id:
        ids.setdefault(merged_into_id, "merged_into")
    if not ids:
        return []
    found = session.execute(select(Incident).where(Incident.id.in_(ids), visible(actor))).scalars()
    return [{"ref": o.ref, "title": o.title, "status": o.status, "kind": ids[o.id]} for o in found]


def merged_into(session: Session, actor: Actor, inc: Incident) -> str | None:
    """The ref of the incident this one was merged into, when the actor may know of it."""
    if inc.merged_into_id is None:
        return None
    return session.execute(select(Incident.ref).where(Incident.id == inc.merged_into_id, visible(actor))
                           ).scalar_one_or_none()


def merge(session: Session, actor: Actor, ref: str, data: MergeRequest) -> IncidentSummary:
    """Mark ``ref`` a duplicate of ``data.into``: its members join the target and it is final."""
    actor.require(Perm.INCIDENTS_COMMAND)
    dup, target = load(session, actor, ref), load(session, actor, data.into)
    if dup.id == target.id:
        raise ValidationFailed("an incident cannot be merged into itself", field="into")
    if dup.status not in lifecycle.MERGEABLE:
        raise InvalidTransition(f"{dup.ref} is {dup.status}; only open incidents can be merged")
    if target.status not in lifecycle.MERGEABLE:
        raise InvalidTransition(f"{target.ref} is {target.status}; merge into an open incident")
    if dup.restricted and not target.restricted:
        raise ValidationFailed("a restricted incident can only be merged into a restricted one", field="into")
    present = {m.user_id for m, _ in _members(session, target.id)}
    for _, user in _members(session, dup.id):
        if user.id not in present:
            _add_member(session, actor, target, user.id, user.username, Role.PARTICIPANT)
            present.add(user.id)
    previous, at = dup.status, now()
    dup.status, dup.merged_into_id, dup.updated_at, target.updated_at = Status.MERGED.value, target.id, at, at
    _record(session, actor, Merged(subject_id=dup.id, ref=dup.ref, into=target.ref, reason=data.reason,
                                   previous=previous))
    _record(session, actor, MergedFrom(subject_id=target.id, ref=target.ref, other=dup.ref, reason=data.reason))
    return summary(session, actor, dup)
