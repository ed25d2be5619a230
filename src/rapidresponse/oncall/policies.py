"""Escalation policies and routing rules (``oncall:manage`` to change, ``oncall:read`` to read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404
from ..errors import Conflict, NotFound, ValidationFailed
from ..incidents import Role
from .events import PolicyChanged, PolicyCreated, RouteAdded, RouteRemoved
from .models import Policy, Route, Schedule
from .schemas import PolicyIn, PolicyOut, RouteIn, RouteOut, StepOut
from .service import get_team


def _steps(session: Session, team_id: int, data: PolicyIn) -> list[dict[str, Any]]:
    steps = []
    for i, step in enumerate(data.steps, start=1):
        target = step.target
        if step.kind == "schedule":
            sched = session.get(Schedule, int(target)) if target.isdigit() and len(target) < 10 else None
            if sched is None or sched.team_id != team_id:
                raise ValidationFailed(f"step {i}: no schedule {target!r} in this team", field="steps")
        elif step.kind == "user":
            target = auth.find_person(session, target).username
        elif target not in {r.value for r in Role}:
            raise ValidationFailed(f"step {i}: unknown incident role {target!r}; one of "
                                   f"{', '.join(r.value for r in Role)}", field="steps")
        steps.append({"kind": step.kind, "target": target, "delay_minutes": step.delay_minutes})
    return steps


def list_policies(session: Session, actor: Actor, team_id: int | None = None) -> list[Policy]:
    actor.require(Perm.ONCALL_READ)
    query = select(Policy).order_by(Policy.team_id, Policy.name)
    if team_id is not None:
        query = query.where(Policy.team_id == team_id)
    return list(session.execute(query).scalars())


def get_policy(session: Session, actor: Actor, policy_id: int) -> Policy:
    actor.require(Perm.ONCALL_READ)
    policy = get_or_404(session, Policy, policy_id, "escalation policy")
    return policy


def create_policy(session: Session, actor: Actor, team_id: int, data: PolicyIn) -> PolicyOut:
    actor.require(Perm.ONCALL_MANAGE)
    team = get_team(session, actor, team_id)
    if session.execute(select(Policy.id).where(Policy.team_id == team.id, Policy.name == data.name)).first():
        raise Conflict(f"{team.name} already has a policy named {data.name!r}")
    at = now()
    policy = Policy(team_id=team.id, name=data.name, steps=_steps(session, team.id, data), repeat=data.repeat,
                    created_at=at, updated_at=at)
    session.add(policy)
    session.flush()
    events.record(session, actor, PolicyCreated(subject_id=policy.id, name=policy.name, steps=policy.steps,
                                                repeat=policy.repeat))
    return policy_out(policy)


def update_policy(session: Session, actor: Actor, policy_id: int, data: PolicyIn) -> PolicyOut:
    actor.require(Perm.ONCALL_MANAGE)
    policy = get_policy(session, actor, policy_id)
    clash = session.execute(select(Policy.id).where(Policy.team_id == policy.team_id, Policy.name == data.name,
                                                    Policy.id != policy.id)).first()
    if clash:
        raise Conflict(f"the team already has a policy named {data.name!r}")
    policy.name, policy.steps, policy.repeat = data.name, _steps(session, policy.team_id, data), data.repeat
    policy.updated_at = now()
    events.record(session, actor, PolicyChanged(subject_id=policy.id, name=policy.name, steps=policy.steps,
                                                repeat=policy.repeat))
    return policy_out(policy)


def policy_out(policy: Policy) -> PolicyOut:
    return PolicyOut(id=policy.id, team_id=policy.team_id, name=policy.name, repeat=policy.repeat,
                     steps=[StepOut(**s) for s in policy.steps])


# --- routing rules -------------------------------------------------------------------------------

def list_routes(session: Session, actor: Actor, team_id: int | None = None) -> list[Route]:
    actor.require(Perm.ONCALL_READ)
    query = select(Route).order_by(Route.team_id, Route.position, Route.id)
    if team_id is not None:
        query = query.where(Route.team_id == team_id)
    return list(session.execute(query).scalars())


def add_route(session: Session, actor: Actor, team_id: int, data: RouteIn) -> RouteOut:
    actor.require(Perm.ONCALL_MANAGE)
    team = get_team(session, actor, team_id)
    policy = session.get(Policy, data.policy_id)
    if policy is None or policy.team_id != team.id:
        raise ValidationFailed(f"no escalation policy {data.policy_id} in {team.name}", field="policy_id")
    route = Route(team_id=team.id, policy_id=policy.id, position=data.position,
                  incident_types=[t.value for t in data.incident_types], countries=list(data.countries),
                  languages=list(data.languages), min_severity=data.min_severity, created_at=now())
    session.add(route)
    session.flush()
    events.record(session, actor, RouteAdded(subject_id=team.id, route_id=route.id, policy=policy.name,
                                             incident_types=route.incident_types, countries=route.countries,
                                             languages=route.languages, min_severity=route.min_severity))
    return route_out(route)


def remove_route(session: Session, actor: Actor, team_id: int, route_id: int) -> None:
    actor.require(Perm.ONCALL_MANAGE)
    team = get_team(session, actor, team_id)
    route = session.get(Route, route_id)
    if route is None or route.team_id != team.id:
        raise NotFound(f"no routing rule {route_id} in {team.name}")
    session.delete(route)
    session.flush()
    events.record(session, actor, RouteRemoved(subject_id=team.id, route_id=route_id))


def route_out(route: Route) -> RouteOut:
    return RouteOut(id=route.id, team_id=route.team_id, policy_id=route.policy_id, position=route.position,
                    incident_types=list(route.incident_types), countries=list(route.countries),
                    languages=list(route.languages), min_severity=route.min_severity)


def _lang(tag: str) -> str:
    return tag.split("-")[0].lower()


def matches(route: Route, *, type: str, severity: int, countries: list[str], languages: list[str]) -> bool:
    """Whether an incident falls under the rule: its severity is at the rule's level or worse (SEV1 is the
    worst) and each non-empty list of the rule shares a value with the incident (``kk`` matches ``kk-Cyrl``)."""
    if severity > route.min_severity:
        return False
    if route.incident_types and type not in route.incident_types:
        return False
    if route.countries and not set(route.countries) & set(countries):
        return False
    return not (route.languages and not {_lang(x) for x in route.languages} & {_lang(x) for x in languages})


def pick(session: Session, *, type: str, severity: int, countries: list[str], languages: list[str],
         ) -> list[Route]:
    """The first matching rule of each team (by position), for an incident with these facts."""
    chosen: dict[int, Route] = {}
    for route in session.execute(select(Route).order_by(Route.team_id, Route.position, Route.id)).scalars():
        if route.team_id not in chosen and matches(route, type=type, severity=severity, countries=countries,
                                                   languages=languages):
            chosen[route.team_id] = route
    return list(chosen.values())
