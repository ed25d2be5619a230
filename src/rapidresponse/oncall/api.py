"""REST API for on-call under /api/v1/oncall: teams, schedules, the final rota, overrides, swaps,
escalation policies, routing rules, pages, fairness and calendar feeds."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response

from .. import auth, notify
from ..auth import Perm
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from ..errors import NotFound, ValidationFailed
from ..http import ActorDep, Id
from ..schemas import IsoDateTime
from . import chatops, ical, paging, policies, reach, reports, service, swaps
from .schemas import (
    FairnessRow,
    FinalOut,
    LayerIn,
    MyShiftOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    PageIn,
    PageOut,
    PolicyIn,
    PolicyOut,
    RouteIn,
    RouteOut,
    ScheduleIn,
    ScheduleOut,
    SwapIn,
    SwapOut,
    TeamIn,
    TeamOut,
    TeamUpdate,
    UnreachableOut,
)

router = APIRouter(prefix="/api/v1/oncall", tags=["oncall"])
When = Annotated[IsoDateTime | None, Query()]
EARLIEST, LATEST = datetime(2000, 1, 1).astimezone(), datetime(2100, 1, 1).astimezone()
ICAL = {200: {"content": {"text/calendar": {}}, "description": "An iCalendar (RFC 5545) file"}}


def time_range(start: datetime | None, end: datetime | None, default: timedelta = timedelta(days=14),
               ) -> tuple[datetime, datetime]:
    """The asked range, or from now for ``default``; refused outside 2000-2100."""
    for value, name in ((start, "start"), (end, "end")):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValidationFailed(f"{name} must be between 2000 and 2100", field=name)
    start = start or (end - default if end else now())
    end = end or start + default
    service.check_range(start, end)
    return start, end


# --- teams and schedules -------------------------------------------------------------------------

@router.get("/teams", response_model=list[TeamOut])
def list_teams(actor: ActorDep) -> list[TeamOut]:
    with unit_of_work(read_only=True) as s:
        return [service.team_out(t) for t in service.list_teams(s, actor)]


@router.post("/teams", status_code=201, response_model=TeamOut)
def create_team(actor: ActorDep, body: TeamIn) -> TeamOut:
    with unit_of_work() as s:
        return service.create_team(s, actor, body)


@router.patch("/teams/{team_id}", response_model=TeamOut)
def update_team(actor: ActorDep, team_id: Id, body: TeamUpdate) -> TeamOut:
    with unit_of_work() as s:
        return service.update_team(s, actor, team_id, body)


@router.get("/schedules", response_model=list[ScheduleOut])
def list_schedules(actor: ActorDep, team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                   ) -> list[ScheduleOut]:
    with unit_of_work(read_only=True) as s:
        return [service.schedule_out(s, x) for x in service.list_schedules(s, actor, team_id)]


@router.post("/teams/{team_id}/schedules", status_code=201, response_model=ScheduleOut)
def create_schedule(actor: ActorDep, team_id: Id, body: ScheduleIn) -> ScheduleOut:
    with unit_of_work() as s:
        return service.create_schedule(s, actor, team_id, body)


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut)
def get_schedule(actor: ActorDep, schedule_id: Id) -> ScheduleOut:
    with unit_of_work(read_only=True) as s:
        return service.schedule_out(s, service.get_schedule(s, actor, schedule_id))


@router.post("/schedules/{schedule_id}/layers", status_code=201, response_model=ScheduleOut)
def add_layer(actor: ActorDep, schedule_id: Id, body: LayerIn) -> ScheduleOut:
    with unit_of_work() as s:
        service.add_layer(s, actor, schedule_id, body)
        return service.schedule_out(s, service.get_schedule(s, actor, schedule_id))


@router.put("/schedules/{schedule_id}/layers/{layer_id}", response_model=ScheduleOut)
def replace_layer(actor: ActorDep, schedule_id: Id, layer_id: Id, body: LayerIn) -> ScheduleOut:
    with unit_of_work() as s:
        service.replace_layer(s, actor, schedule_id, layer_id, body)
        return service.schedule_out(s, service.get_schedule(s, actor, schedule_id))


@router.delete("/schedules/{schedule_id}/layers/{layer_id}", status_code=204)
def remove_layer(actor: ActorDep, schedule_id: Id, layer_id: Id) -> Response:
    with unit_of_work() as s:
        service.remove_layer(s, actor, schedule_id, layer_id)
    return Response(status_code=204)


@router.get("/schedules/{schedule_id}/final", response_model=FinalOut)
def final_schedule(actor: ActorDep, schedule_id: Id, start: When = None, end: When = None) -> FinalOut:
    """Who is on call over a range (default: the next 14 days), with gaps and conflicting overrides."""
    start, end = time_range(start, end)
    with unit_of_work(read_only=True) as s:
        return service.final_out(s, schedule_id, service.compute(s, actor, schedule_id, start, end))


@router.get("/schedules/{schedule_id}/overrides", response_model=list[OverrideOut])
def list_overrides(actor: ActorDep, schedule_id: Id, start: When = None, end: When = None) -> list[OverrideOut]:
    start, end = time_range(start, end, timedelta(days=60))
    with unit_of_work(read_only=True) as s:
        sched = service.get_schedule(s, actor, schedule_id)
        return [service.override_out(s, o) for o in service.overrides_of(s, sched.id, start, end)]


@router.post("/schedules/{schedule_id}/overrides", status_code=201, response_model=OverrideOut)
def add_override(actor: ActorDep, schedule_id: Id, body: OverrideIn) -> OverrideOut:
    with unit_of_work() as s:
        return service.add_override(s, actor, schedule_id, body)


@router.delete("/schedules/{schedule_id}/overrides/{override_id}", status_code=204)
def remove_override(actor: ActorDep, schedule_id: Id, override_id: Id) -> Response:
    with unit_of_work() as s:
        service.remove_override(s, actor, schedule_id, override_id)
    return Response(status_code=204)


@router.get("/schedules/{schedule_id}/calendar.ics", response_class=Response, responses=ICAL)  # type: ignore[arg-type]
def schedule_calendar(actor: ActorDep, schedule_id: Id) -> Response:
    """The final shifts from two weeks ago to 90 days ahead, as iCalendar."""
    with unit_of_work(read_only=True) as s:
        body = ical.schedule_feed(s, actor, schedule_id)
    return Response(body, media_type="text/calendar; charset=utf-8")


# --- who is on call ------------------------------------------------------------------------------

@router.get("/now", response_model=list[OnCallOut])
def who_is_on_call(actor: ActorDep, team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                   place: Annotated[str, Query(max_length=80, description="A country code, city or time zone "
                                               "where the person on call is, e.g. KZ, Almaty, Asia/Almaty")] = "",
                   ) -> list[OnCallOut]:
    """Who is on call now and who is next, per schedule of every team (each with their time zone and
    whether a page reaches them), only where ``place`` says when given."""
    with unit_of_work(read_only=True) as s:
        if place or team_id is None:
            rows = reach.on_call_at(s, actor, place=place)
            return [r for r in rows if team_id is None or r.team == service.get_team(s, actor, team_id).name]
        return service.on_call(s, actor, team_id=team_id)


@router.get("/unreachable", response_model=list[UnreachableOut])
def unreachable(actor: ActorDep, schedule_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
                ) -> list[UnreachableOut]:
    """Shifts, now or within the warning period, of people no page can reach."""
    actor.require(Perm.ONCALL_READ)
    with unit_of_work(read_only=True) as s:
        return [UnreachableOut.model_validate(u, from_attributes=True)
                for u in reach.unreachable(s, schedule_id=schedule_id)]


@router.get("/me/shifts", response_model=list[MyShiftOut])
def my_shifts(actor: ActorDep, days: Annotated[int, Query(ge=1, le=365)] = 28) -> list[MyShiftOut]:
    """Your final shifts in every schedule over the coming days."""
    at = now()
    with unit_of_work(read_only=True) as s:
        found = service.shifts_of(s, actor, actor.user_id or 0, at, at + timedelta(days=days))
        users = service.users_by_id(s, [actor.user_id or 0])
        teams = {t.id: t.name for t in service.list_teams(s, actor)}
        return [MyShiftOut(**service.shift_out(sh, users).model_dump(), schedule_id=sched.id, schedule=sched.name,
                           team=teams.get(sched.team_id, "")) for sched, sh in found]


@router.get("/me/calendar.ics", response_class=Response, responses=ICAL)  # type: ignore[arg-type]
def my_calendar(actor: ActorDep) -> Response:
    with unit_of_work(read_only=True) as s:
        user = auth.find_person(s, actor.username)
        service.list_teams(s, actor)  # the permission check
        body = ical.person_feed(s, actor, user)
    return Response(body, media_type="text/calendar; charset=utf-8")


@router.get("/fairness", response_model=list[FairnessRow])
def fairness(actor: ActorDep, start: When = None, end: When = None,
             team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> list[FairnessRow]:
    """Hours on call, night, weekend and holiday hours, nights and pages per person (default: last 30 days)."""
    if start is None and end is None:
        end = now()
    start, end = time_range(start, end, timedelta(days=30))
    with unit_of_work(read_only=True) as s:
        return reports.fairness(s, actor, start, end, team_id=team_id)


# --- policies and routing --------------------------------------------------------------------------

@router.get("/teams/{team_id}/policies", response_model=list[PolicyOut])
def list_policies(actor: ActorDep, team_id: Id) -> list[PolicyOut]:
    with unit_of_work(read_only=True) as s:
        team = service.get_team(s, actor, team_id)
        return [policies.policy_out(p) for p in policies.list_policies(s, actor, team.id)]


@router.post("/teams/{team_id}/policies", status_code=201, response_model=PolicyOut)
def create_policy(actor: ActorDep, team_id: Id, body: PolicyIn) -> PolicyOut:
    with unit_of_work() as s:
        return policies.create_policy(s, actor, team_id, body)


@router.put("/policies/{policy_id}", response_model=PolicyOut)
def update_policy(actor: ActorDep, policy_id: Id, body: PolicyIn) -> PolicyOut:
    with unit_of_work() as s:
        return policies.update_policy(s, actor, policy_id, body)


@router.get("/teams/{team_id}/routes", response_model=list[RouteOut])
def list_routes(actor: ActorDep, team_id: Id) -> list[RouteOut]:
    with unit_of_work(read_only=True) as s:
        team = service.get_team(s, actor, team_id)
        return [policies.route_out(r) for r in policies.list_routes(s, actor, team.id)]


@router.post("/teams/{team_id}/routes", status_code=201, response_model=RouteOut)
def add_route(actor: ActorDep, team_id: Id, body: RouteIn) -> RouteOut:
    with unit_of_work() as s:
        return policies.add_route(s, actor, team_id, body)


@router.delete("/teams/{team_id}/routes/{route_id}", status_code=204)
def remove_route(actor: ActorDep, team_id: Id, route_id: Id) -> Response:
    with unit_of_work() as s:
        policies.remove_route(s, actor, team_id, route_id)
    return Response(status_code=204)


# --- pages ---------------------------------------------------------------------------------------

@router.get("/pages", response_model=list[PageOut])
def list_pages(actor: ActorDep, status: Annotated[list[str], Query()] = [],  # noqa: B006
               team_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None, mine: bool = False,
               limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[PageOut]:
    """Pages you may see, newest first."""
    with unit_of_work(read_only=True) as s:
        pages, _ = paging.list_pages(s, actor, status=status, team_id=team_id, mine=mine, limit=limit)
        return paging.pages_out(s, pages)


@router.post("/pages", status_code=201, response_model=PageOut)
def page_team(actor: ActorDep, body: PageIn) -> PageOut:
    """Page a team by hand through one of its escalation policies."""
    with unit_of_work() as s:
        return paging.page_team(s, actor, body)


@router.get("/pages/{page_id}", response_model=PageOut)
def get_page(actor: ActorDep, page_id: Id) -> PageOut:
    with unit_of_work(read_only=True) as s:
        return paging.pages_out(s, [paging.get_page(s, actor, page_id)])[0]


@router.post("/pages/{page_id}/ack", response_model=PageOut)
def acknowledge(actor: ActorDep, page_id: Id) -> PageOut:
    """Acknowledge a triggered page: its escalation stops."""
    with unit_of_work() as s:
        return paging.acknowledge(s, actor, page_id, via="api")


@router.post("/pages/{page_id}/escalate", response_model=PageOut)
def escalate(actor: ActorDep, page_id: Id) -> PageOut:
    """Send a triggered page on to its next step now."""
    with unit_of_work() as s:
        return paging.escalate_now(s, actor, page_id)


@router.post("/telegram/updates", status_code=204, include_in_schema=False)
def telegram_update(body: dict[str, Any], secret: Annotated[str, Header(alias="X-Telegram-Bot-Api-Secret-Token",
                                                                        max_length=256)] = "") -> Response:
    """Updates Telegram pushes (when RAPIDRESPONSE_TELEGRAM_WEBHOOK_SECRET is set, instead of polling)."""
    expected = get_settings().telegram_webhook_secret
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise NotFound("not found")
    update_id = body.get("update_id")
    if not isinstance(update_id, int):
        raise ValidationFailed("an update needs its update_id", field="update_id")
    msg = notify.telegram.parse(body)
    with unit_of_work() as s:
        if update_id <= notify.telegram.position(s):  # Telegram sends an update again until it got a 2xx
            return Response(status_code=204)
        done = chatops.handle(s, msg) if msg is not None else chatops.Handled()
        notify.telegram.advance(s, update_id)
    if done.callback_id:
        notify.telegram.answer(done.callback_id, done.answer)
    return Response(status_code=204)


@router.post("/pages/{page_id}/resolve", response_model=PageOut)
def resolve(actor: ActorDep, page_id: Id) -> PageOut:
    with unit_of_work() as s:
        return paging.resolve(s, actor, page_id)


# --- swaps ---------------------------------------------------------------------------------------

@router.get("/swaps", response_model=list[SwapOut])
def list_swaps(actor: ActorDep, mine: bool = False) -> list[SwapOut]:
    with unit_of_work(read_only=True) as s:
        return swaps.swaps_out(s, swaps.list_swaps(s, actor, mine=mine))


@router.post("/schedules/{schedule_id}/swaps", status_code=201, response_model=SwapOut)
def request_swap(actor: ActorDep, schedule_id: Id, body: SwapIn) -> SwapOut:
    """Ask someone to take (part of) your shift; it becomes an override when they accept."""
    with unit_of_work() as s:
        return swaps.request_swap(s, actor, schedule_id, body)


@router.post("/swaps/{swap_id}/{decision}", response_model=SwapOut)
def decide_swap(actor: ActorDep, swap_id: Id, decision: Annotated[str, Path(pattern="^(accept|decline|cancel)$")],
                ) -> SwapOut:
    act = {"accept": swaps.accept, "decline": swaps.decline, "cancel": swaps.cancel}[decision]
    with unit_of_work() as s:
        return act(s, actor, swap_id)
