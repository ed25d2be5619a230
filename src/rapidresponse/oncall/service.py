"""On-call rules: teams, schedules, layers and overrides, and the final schedule built from them.

Reads need ``oncall:read``; changes need ``oncall:manage``. The schedule maths is in :mod:`.engine`;
this module only loads rows into it and names the people in its answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm, Person
from ..clock import now
from ..db import get_or_404
from ..errors import Conflict, NotFound, ValidationFailed
from . import engine
from .events import (
    LayerAdded,
    LayerChanged,
    LayerRemoved,
    OverrideAdded,
    OverrideRemoved,
    ScheduleCreated,
    TeamCreated,
    TeamUpdated,
)
from .models import Layer, Override, Schedule, Team
from .schemas import (
    WEEKDAYS,
    ConflictOut,
    FinalOut,
    GapOut,
    LayerIn,
    LayerOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    Restriction,
    ScheduleIn,
    ScheduleOut,
    ShiftOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
)

MAX_RANGE = timedelta(days=400)


# --- teams ---------------------------------------------------------------------------------------

def list_teams(session: Session, actor: Actor) -> list[Team]:
    actor.require(Perm.ONCALL_READ)
    return list(session.execute(select(Team).order_by(Team.name)).scalars())


def get_team(session: Session, actor: Actor, team_id: int) -> Team:
    actor.require(Perm.ONCALL_READ)
    team = get_or_404(session, Team, team_id, "on-call team")
    return team


def find_team(session: Session, actor: Actor, name_or_id: str) -> Team:
    """A team by id or by name (case-insensitive)."""
    actor.require(Perm.ONCALL_READ)
    if name_or_id.isdigit() and len(name_or_id) < 10:
        return get_team(session, actor, int(name_or_id))
    for team in list_teams(session, actor):
        if team.name.casefold() == name_or_id.strip().casefold():
            return team
    raise NotFound(f"no on-call team {name_or_id[:120]!r}")


def _unique_team_name(session: Session, name: str, exclude: int | None = None) -> None:
    found = session.execute(select(Team.id).where(Team.name == name)).scalar_one_or_none()
    if found is not None and found != exclude:
        raise Conflict(f"a team named {name!r} exists")


def create_team(session: Session, actor: Actor, data: TeamIn) -> TeamOut:
    actor.require(Perm.ONCALL_MANAGE)
    _unique_team_name(session, data.name)
    at = now()
    team = Team(name=data.name, description=data.description, timezone=data.timezone,
                webhook_endpoint_ids=sorted(set(data.webhook_endpoint_ids)), created_at=at, updated_at=at)
    session.add(team)
    session.flush()
    events.record(session, actor, TeamCreated(subject_id=team.id, name=team.name))
    return team_out(team)


def update_team(session: Session, actor: Actor, team_id: int, data: TeamUpdate) -> TeamOut:
    actor.require(Perm.ONCALL_MANAGE)
    team = get_team(session, actor, team_id)
    changes = data.model_dump(exclude_none=True)
    if "name" in changes:
        _unique_team_name(session, changes["name"], exclude=team.id)
    if "webhook_endpoint_ids" in changes:
        changes["webhook_endpoint_ids"] = sorted(set(changes["webhook_endpoint_ids"]))
    for key, value in changes.items():
        setattr(team, key, value)
    team.updated_at = now()
    events.record(session, actor, TeamUpdated(subject_id=team.id, changed=sorted(changes)))
    return team_out(team)


def team_out(team: Team) -> TeamOut:
    return TeamOut(id=team.id, name=team.name, description=team.description, timezone=team.timezone,
                   webhook_endpoint_ids=list(team.webhook_endpoint_ids))


# --- schedules and layers ----------------------------------------------------------------------

def list_schedules(session: Session, actor: Actor, team_id: int | None = None) -> list[Schedule]:
    actor.require(Perm.ONCALL_READ)
    query = select(Schedule).order_by(Schedule.team_id, Schedule.name)
    if team_id is not None:
        query = query.where(Schedule.team_id == team_id)
    return list(session.execute(query).scalars())


def get_schedule(session: Session, actor: Actor, schedule_id: int) -> Schedule:
    actor.require(Perm.ONCALL_READ)
    sched = get_or_404(session, Schedule, schedule_id, "schedule")
    return sched


def create_schedule(session: Session, actor: Actor, team_id: int, data: ScheduleIn) -> ScheduleOut:
    actor.require(Perm.ONCALL_MANAGE)
    team = get_team(session, actor, team_id)
    taken = session.execute(select(Schedule.id).where(Schedule.team_id == team.id, Schedule.name == data.name)).first()
    if taken:
        raise Conflict(f"{team.name} already has a schedule named {data.name!r}")
    at = now()
    sched = Schedule(team_id=team.id, name=data.name, description=data.description, timezone=data.timezone,
                     country=data.country, created_at=at, updated_at=at)
    session.add(sched)
    session.flush()
    events.record(session, actor, ScheduleCreated(subject_id=sched.id, name=sched.name, team=team.name))
    return schedule_out(session, sched)


def layers_of(session: Session, schedule_id: int) -> list[Layer]:
    return list(session.execute(select(Layer).where(Layer.schedule_id == schedule_id).order_by(Layer.level))
                .scalars())


def _user_ids(session: Session, usernames: Iterable[str]) -> list[int]:
    ids = []
    for name in usernames:
        user = auth.find_person(session, name)
        if not user.is_active:
            raise ValidationFailed(f"user {user.username!r} is disabled", field="users")
        ids.append(user.id)
    return ids


def add_layer(session: Session, actor: Actor, schedule_id: int, data: LayerIn) -> LayerOut:
    actor.require(Perm.ONCALL_MANAGE)
    sched = get_schedule(session, actor, schedule_id)
    if any(la.level == data.level for la in layers_of(session, sched.id)):
        raise Conflict(f"schedule {sched.name!r} already has a layer at level {data.level}")
    layer = Layer(schedule_id=sched.id, level=data.level, name=data.name, user_ids=_user_ids(session, data.users),
                  timezone=data.timezone, start_date=data.start_date, handoff_time=data.handoff_time,
                  shift_length=data.shift_length, shift_unit=data.shift_unit,
                  restrictions=[r.model_dump() for r in data.restrictions], country=data.country, created_at=now())
    session.add(layer)
    session.flush()
    sched.updated_at = now()
    events.record(session, actor, LayerAdded(subject_id=sched.id, layer_id=layer.id, name=layer.name,
                                             level=layer.level, users=list(data.users)))
    return layer_out(layer, auth.people(session, layer.user_ids))


def replace_layer(session: Session, actor: Actor, schedule_id: int, layer_id: int, data: LayerIn) -> LayerOut:
    actor.require(Perm.ONCALL_MANAGE)
    sched = get_schedule(session, actor, schedule_id)
    layer = session.get(Layer, layer_id)
    if layer is None or layer.schedule_id != sched.id:
        raise NotFound(f"no layer {layer_id} in schedule {sched.id}")
    if any(la.level == data.level and la.id != layer.id for la in layers_of(session, sched.id)):
        raise Conflict(f"schedule {sched.name!r} already has a layer at level {data.level}")
    layer.level, layer.name, layer.user_ids = data.level, data.name, _user_ids(session, data.users)
    layer.timezone, layer.start_date, layer.handoff_time = data.timezone, data.start_date, data.handoff_time
    layer.shift_length, layer.shift_unit, layer.country = data.shift_length, data.shift_unit, data.country
    layer.restrictions = [r.model_dump() for r in data.restrictions]
    sched.updated_at = now()
    events.record(session, actor, LayerChanged(subject_id=sched.id, layer_id=layer.id, name=layer.name,
                                               level=layer.level, users=list(data.users)))
    return layer_out(layer, auth.people(session, layer.user_ids))


def remove_layer(session: Session, actor: Actor, schedule_id: int, layer_id: int) -> None:
    actor.require(Perm.ONCALL_MANAGE)
    sched = get_schedule(session, actor, schedule_id)
    layer = session.get(Layer, layer_id)
    if layer is None or layer.schedule_id != sched.id:
        raise NotFound(f"no layer {layer_id} in schedule {sched.id}")
    session.delete(layer)
    session.flush()
    events.record(session, actor, LayerRemoved(subject_id=sched.id, layer_id=layer_id, name=layer.name))


# --- overrides -----------------------------------------------------------------------------------

def add_override(session: Session, actor: Actor, schedule_id: int, data: OverrideIn, *, swap_id: int | None = None,
                 ) -> OverrideOut:
    if swap_id is None:
        actor.require(Perm.ONCALL_MANAGE)
    sched = get_schedule(session, actor, schedule_id)
    user_id = _user_ids(session, [data.username])[0]
    ov = Override(schedule_id=sched.id, user_id=user_id, starts_at=data.starts_at, ends_at=data.ends_at,
                  reason=data.reason, created_by_id=actor.user_id, created_at=now())
    session.add(ov)
    session.flush()
    events.record(session, actor, OverrideAdded(subject_id=sched.id, override_id=ov.id, username=data.username,
                                                starts_at=ov.starts_at, ends_at=ov.ends_at, swap_id=swap_id))
    return override_out(session, ov)


def remove_override(session: Session, actor: Actor, schedule_id: int, override_id: int) -> None:
    actor.require(Perm.ONCALL_MANAGE)
    sched = get_schedule(session, actor, schedule_id)
    ov = session.get(Override, override_id)
    if ov is None or ov.schedule_id != sched.id:
        raise NotFound(f"no override {override_id} in schedule {sched.id}")
    session.delete(ov)
    session.flush()
    events.record(session, actor, OverrideRemoved(subject_id=sched.id, override_id=override_id))


def overrides_of(session: Session, schedule_id: int, start: datetime, end: datetime) -> list[Override]:
    return list(session.execute(select(Override).where(
        Override.schedule_id == schedule_id, Override.ends_at > start, Override.starts_at < end)
        .order_by(Override.starts_at, Override.id)).scalars())


# --- the final schedule --------------------------------------------------------------------------

def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def to_engine_layer(layer: Layer) -> engine.Layer:
    windows = tuple(engine.Window(frozenset(WEEKDAYS.index(d) for d in r["days"]), _hhmm(r["start"]),
                                  _hhmm(r["end"])) for r in layer.restrictions)
    return engine.Layer(id=layer.id, level=layer.level, users=tuple(layer.user_ids), timezone=layer.timezone,
                        start=layer.start_date, handoff=_hhmm(layer.handoff_time), length=layer.shift_length,
                        unit=layer.shift_unit, restrictions=windows, name=layer.name, country=layer.country)


def check_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationFailed("the end of the range must be after its start", field="end")
    if end - start > MAX_RANGE:
        raise ValidationFailed(f"at most {MAX_RANGE.days} days at once", field="end")


def compute(session: Session, actor: Actor, schedule_id: int, start: datetime, end: datetime) -> engine.Final:
    """The schedule's final shifts, gaps and conflicts over ``[start, end)``."""
    sched = get_schedule(session, actor, schedule_id)
    check_range(start, end)
    layers = [to_engine_layer(la) for la in layers_of(session, sched.id)]
    ovs = [engine.Override(o.id, o.user_id, o.starts_at, o.ends_at)
           for o in overrides_of(session, sched.id, start, end)]
    return engine.compute(layers, ovs, start, end)


def users_by_id(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    return auth.people(session, ids)


def shift_out(sh: engine.Shift, users: dict[int, Person]) -> ShiftOut:
    user = users.get(sh.user)
    name = user.username if user else f"#{sh.user}"
    return ShiftOut(username=name, display_name=(user.display_name or name) if user else name, start=sh.start,
                    end=sh.end, source=sh.source, source_id=sh.source_id, level=sh.level,
                    timezone=user.timezone if user else "")


def final_out(session: Session, schedule_id: int, final: engine.Final) -> FinalOut:
    users = users_by_id(session, [s.user for s in final.shifts] + [u for c in final.conflicts for u in c.users])
    return FinalOut(
        schedule_id=schedule_id, start=final.start, end=final.end,
        shifts=[shift_out(s, users) for s in final.shifts],
        gaps=[GapOut(start=a, end=b) for a, b in final.gaps],
        conflicts=[ConflictOut(start=c.start, end=c.end, override_ids=list(c.override_ids),
                               usernames=[users[u].username if u in users else f"#{u}" for u in c.users])
                   for c in final.conflicts])


def layer_out(la: Layer, users: dict[int, Person]) -> LayerOut:
    return LayerOut(id=la.id, name=la.name, level=la.level,
                    users=[users[u].username if u in users else f"#{u}" for u in la.user_ids],
                    timezone=la.timezone, start_date=la.start_date, handoff_time=la.handoff_time,
                    shift_length=la.shift_length, shift_unit=la.shift_unit,
                    restrictions=[Restriction(**r) for r in la.restrictions], country=la.country)


def schedule_out(session: Session, sched: Schedule) -> ScheduleOut:
    layers = layers_of(session, sched.id)
    users = users_by_id(session, [u for la in layers for u in la.user_ids])
    team = session.get(Team, sched.team_id)
    return ScheduleOut(
        id=sched.id, team_id=sched.team_id, team=team.name if team else "", name=sched.name,
        description=sched.description, timezone=sched.timezone, country=sched.country,
        layers=[layer_out(la, users) for la in layers])


def override_out(session: Session, ov: Override) -> OverrideOut:
    user = auth.person(session, ov.user_id)
    return OverrideOut(id=ov.id, schedule_id=ov.schedule_id, username=user.username if user else f"#{ov.user_id}",
                       starts_at=ov.starts_at, ends_at=ov.ends_at, reason=ov.reason)


LOOKAHEAD = timedelta(days=35)


def on_call(session: Session, actor: Actor, *, team_id: int | None = None, at: datetime | None = None,
            ) -> list[OnCallOut]:
    """Who is on call now and who is next, per schedule of every team (or of one)."""
    at = at or now()
    teams = {t.id: t for t in list_teams(session, actor)}
    out: list[OnCallOut] = []
    for sched in list_schedules(session, actor, team_id):
        layers = [to_engine_layer(la) for la in layers_of(session, sched.id)]
        ovs = [engine.Override(o.id, o.user_id, o.starts_at, o.ends_at)
               for o in overrides_of(session, sched.id, at, at + LOOKAHEAD)]
        current, following = engine.now_and_next(layers, ovs, at, LOOKAHEAD)
        users = users_by_id(session, [s.user for s in (current, following) if s is not None])
        out.append(OnCallOut(team=teams[sched.team_id].name, schedule_id=sched.id, schedule=sched.name,
                             now=shift_out(current, users) if current else None,
                             next=shift_out(following, users) if following else None))
    return out


def on_call_user_ids(session: Session, schedule_id: int, at: datetime) -> list[int]:
    """Who the schedule has on call at ``at`` (no permission check: used by the escalation worker)."""
    layers = [to_engine_layer(la) for la in layers_of(session, schedule_id)]
    ovs = [engine.Override(o.id, o.user_id, o.starts_at, o.ends_at)
           for o in overrides_of(session, schedule_id, at, at + timedelta(seconds=1))]
    shift = engine.compute(layers, ovs, at, at + timedelta(seconds=1)).at(at)
    return [shift.user] if shift else []


def shifts_of(session: Session, actor: Actor, user_id: int, start: datetime, end: datetime,
              ) -> list[tuple[Schedule, engine.Shift]]:
    """One person's final shifts in every schedule, in time order."""
    found: list[tuple[Schedule, engine.Shift]] = []
    for sched in list_schedules(session, actor):
        final = compute(session, actor, sched.id, start, end)
        found.extend((sched, s) for s in final.shifts if s.user == user_id)
    return sorted(found, key=lambda pair: (pair[1].start, pair[0].id))
