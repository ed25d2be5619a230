"""The on-call forms: each posts, calls one service function in one unit of work and redirects (303).
A refused form shows the reason on an error page with a way back; nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..oncall import paging, policies, service, swaps
from ..oncall.schemas import (
    WEEKDAYS,
    LayerIn,
    OverrideIn,
    PageIn,
    PolicyIn,
    RouteIn,
    ScheduleIn,
    SwapIn,
    TeamIn,
)
from .context import request_locale
from .errors import html_error
from .forms import domain_message, field_errors, parse_local_datetime, split_list
from .security import Posted, PostedDep
from .templating import Translator

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


def _act(request: Request, build: Callable[[], Any], call: Callable[[Session, Any], str]) -> Response:
    """Validate with ``build``, run ``call`` (which returns where to go) in one unit of work."""
    locale = request_locale(request)
    _ = Translator(locale)
    try:
        data = build()
    except ValidationError as exc:
        return html_error(request, 422, "Validation failed", "; ".join(field_errors(locale, exc).values()))
    except ValueError:
        return html_error(request, 422, "Validation failed", _("Enter a valid date and time."))
    try:
        with unit_of_work() as s:
            target = call(s, data)
    except NotFound:
        raise
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, domain_message(locale, exc))
    return RedirectResponse(target, status_code=303)


def _id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise NotFound("not found")
    return value


def _window(posted: Posted, tz: str) -> dict[str, Any]:
    return {"starts_at": parse_local_datetime(posted.get("starts_at"), tz),
            "ends_at": parse_local_datetime(posted.get("ends_at"), tz)}


@router.post("/oncall/teams")
def create_team(request: Request, posted: PostedDep) -> Response:
    return _act(request, lambda: TeamIn(name=posted.get("name"), timezone=posted.get("timezone") or "UTC",
                                        description=posted.get("description")),
                lambda s, d: f"/oncall/teams/{service.create_team(s, posted.actor, d).id}?done=team")


@router.post("/oncall/teams/{team_id}/schedules")
def create_schedule(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)
    return _act(request, lambda: ScheduleIn(name=posted.get("name"), timezone=posted.get("timezone") or "UTC",
                                            country=posted.get("country").strip().upper() or None),
                lambda s, d: f"/oncall/schedules/{service.create_schedule(s, posted.actor, team_id, d).id}"
                             "?done=schedule")


def _layer(posted: Posted) -> LayerIn:
    days = [d for d in posted.getlist("days") if d in WEEKDAYS]
    restrictions = []
    if days and posted.get("window_start") and posted.get("window_end"):
        restrictions = [{"days": days, "start": posted.get("window_start"), "end": posted.get("window_end")}]
    return LayerIn.model_validate({
        "name": posted.get("name"), "level": posted.get("level") or "1", "users": split_list(posted.get("users")),
        "timezone": posted.get("timezone"), "start_date": posted.get("start_date"),
        "handoff_time": posted.get("handoff_time") or "09:00", "shift_length": posted.get("shift_length") or "1",
        "shift_unit": posted.get("shift_unit") or "weeks", "restrictions": restrictions,
        "country": posted.get("country").strip().upper() or None})


@router.post("/oncall/schedules/{schedule_id}/layers")
def add_layer(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)

    def call(s: Session, data: LayerIn) -> str:
        service.add_layer(s, posted.actor, schedule_id, data)
        return f"/oncall/schedules/{schedule_id}?done=layer"

    return _act(request, lambda: _layer(posted), call)


@router.post("/oncall/schedules/{schedule_id}/layers/{layer_id}/delete")
def remove_layer(request: Request, schedule_id: int, layer_id: int, posted: PostedDep) -> Response:
    _id(schedule_id), _id(layer_id)

    def call(s: Session, _: None) -> str:
        service.remove_layer(s, posted.actor, schedule_id, layer_id)
        return f"/oncall/schedules/{schedule_id}?done=layer_removed"

    return _act(request, lambda: None, call)


@router.post("/oncall/schedules/{schedule_id}/overrides")
def add_override(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)
    tz = posted.actor.timezone

    def call(s: Session, data: OverrideIn) -> str:
        service.add_override(s, posted.actor, schedule_id, data)
        return f"/oncall/schedules/{schedule_id}?done=override#overrides"

    return _act(request, lambda: OverrideIn.model_validate({
        **_window(posted, tz), "username": posted.get("username"), "reason": posted.get("reason")}), call)


@router.post("/oncall/schedules/{schedule_id}/overrides/{override_id}/delete")
def remove_override(request: Request, schedule_id: int, override_id: int, posted: PostedDep) -> Response:
    _id(schedule_id), _id(override_id)

    def call(s: Session, _: None) -> str:
        service.remove_override(s, posted.actor, schedule_id, override_id)
        return f"/oncall/schedules/{schedule_id}?done=override_removed#overrides"

    return _act(request, lambda: None, call)


@router.post("/oncall/schedules/{schedule_id}/swaps")
def request_swap(request: Request, schedule_id: int, posted: PostedDep) -> Response:
    _id(schedule_id)

    def call(s: Session, data: SwapIn) -> str:
        swaps.request_swap(s, posted.actor, schedule_id, data)
        return f"/oncall/schedules/{schedule_id}?done=swap#swaps"

    return _act(request, lambda: SwapIn.model_validate({
        **_window(posted, posted.actor.timezone), "username": posted.get("username"), "note": posted.get("note")}),
        call)


@router.post("/oncall/swaps/{swap_id}")
def decide_swap(request: Request, swap_id: int, posted: PostedDep) -> Response:
    _id(swap_id)
    decision = posted.get("decision")
    acts = {"accept": (swaps.accept, "swap_accepted"), "decline": (swaps.decline, "swap_declined"),
            "cancel": (swaps.cancel, "swap_cancelled")}
    if decision not in acts:
        return html_error(request, 422, "Validation failed", "decision: accept, decline or cancel")
    fn, done = acts[decision]

    def call(s: Session, _: None) -> str:
        fn(s, posted.actor, swap_id)
        return f"/oncall?done={done}"

    return _act(request, lambda: None, call)


def _policy(posted: Posted) -> PolicyIn:
    steps = []
    for i in range(1, 6):
        kind, target = posted.get(f"step{i}_kind"), posted.get(f"step{i}_target").strip()
        if kind and target:
            steps.append({"kind": kind, "target": target, "delay_minutes": posted.get(f"step{i}_delay") or "15"})
    return PolicyIn.model_validate({"name": posted.get("name"), "repeat": posted.get("repeat") or "0",
                                    "steps": steps})


@router.post("/oncall/teams/{team_id}/policies")
def create_policy(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)

    def call(s: Session, data: PolicyIn) -> str:
        policies.create_policy(s, posted.actor, team_id, data)
        return f"/oncall/teams/{team_id}?done=policy#policies"

    return _act(request, lambda: _policy(posted), call)


@router.post("/oncall/teams/{team_id}/routes")
def add_route(request: Request, team_id: int, posted: PostedDep) -> Response:
    _id(team_id)

    def call(s: Session, data: RouteIn) -> str:
        policies.add_route(s, posted.actor, team_id, data)
        return f"/oncall/teams/{team_id}?done=route#routes"

    return _act(request, lambda: RouteIn.model_validate({
        "policy_id": posted.get("policy_id") or "0", "position": posted.get("position") or "0",
        "incident_types": posted.getlist("incident_types"), "countries": split_list(posted.get("countries")),
        "languages": split_list(posted.get("languages")), "min_severity": posted.get("min_severity") or "2"}), call)


@router.post("/oncall/teams/{team_id}/routes/{route_id}/delete")
def remove_route(request: Request, team_id: int, route_id: int, posted: PostedDep) -> Response:
    _id(team_id), _id(route_id)

    def call(s: Session, _: None) -> str:
        policies.remove_route(s, posted.actor, team_id, route_id)
        return f"/oncall/teams/{team_id}?done=route_removed#routes"

    return _act(request, lambda: None, call)


@router.post("/oncall/pages")
def page_team(request: Request, posted: PostedDep) -> Response:
    def call(s: Session, data: PageIn) -> str:
        paging.page_team(s, posted.actor, data)
        return "/oncall/pages?done=paged"

    return _act(request, lambda: PageIn.model_validate({"team_id": posted.get("team_id") or "0",
                                                        "summary": posted.get("summary")}), call)


@router.post("/oncall/pages/{page_id}/ack")
def acknowledge(request: Request, page_id: int, posted: PostedDep) -> Response:
    _id(page_id)

    def call(s: Session, _: None) -> str:
        paging.acknowledge(s, posted.actor, page_id, via="ui")
        return "/oncall/pages?done=ack"

    return _act(request, lambda: None, call)


@router.post("/oncall/pages/{page_id}/resolve")
def resolve(request: Request, page_id: int, posted: PostedDep) -> Response:
    _id(page_id)

    def call(s: Session, _: None) -> str:
        paging.resolve(s, posted.actor, page_id)
        return "/oncall/pages?done=resolved"

    return _act(request, lambda: None, call)
