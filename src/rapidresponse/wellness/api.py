"""REST API for wellness. Every read of exposure is the caller's own; the team view is aggregate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import service
from .schemas import (
    BudgetIn,
    BudgetOut,
    CheckInIn,
    CheckInSummary,
    ExposureIn,
    ExposureOut,
    PersonBudgetIn,
    ResourceIn,
    ResourceOut,
    Standing,
    SurgeIn,
    SurgeOut,
    TeamView,
    Viewing,
)

router = APIRouter(prefix="/api/v1/wellness", tags=["wellness"])
Days = Annotated[int, Query(ge=1, le=366)]


@router.get("/viewing", response_model=Viewing)
def get_viewing(actor: ActorDep) -> Viewing:
    """My safe-viewing settings: for content in general and for the sensitive harm classes."""
    with unit_of_work(read_only=True) as s:
        return service.viewing(s, actor)


@router.put("/viewing", response_model=Viewing)
def put_viewing(actor: ActorDep, data: Viewing) -> Viewing:
    with unit_of_work() as s:
        return service.set_viewing(s, actor, data)


@router.get("/me", response_model=Standing)
def my_standing(actor: ActorDep) -> Standing:
    """My use of my exposure budgets (last 24 hours and 7 days), whether a break is due, any surge."""
    with unit_of_work(read_only=True) as s:
        return service.standing(s, actor)


@router.get("/me/exposures", response_model=list[ExposureOut])
def my_exposures(actor: ActorDep, days: Days = 14) -> list[ExposureOut]:
    """My own exposure log (never anybody else's: there is no such call)."""
    with unit_of_work(read_only=True) as s:
        return service.my_exposures(s, actor, days=days)


@router.post("/me/exposures", status_code=201, response_model=ExposureOut)
def record_exposure(actor: ActorDep, data: ExposureIn) -> ExposureOut:
    """Record an exposure I measured (a review tool, a media player): the harm, kind and time, no content."""
    with unit_of_work() as s:
        return service.record_measured(s, actor, data)


@router.get("/me/budgets", response_model=list[BudgetOut])
def my_budgets(actor: ActorDep) -> list[BudgetOut]:
    with unit_of_work(read_only=True) as s:
        return service.my_budgets(s, actor)


@router.get("/team", response_model=TeamView)
def team(actor: ActorDep, days: Days = 28) -> TeamView:
    """The team's exposure as aggregates: no group under the minimum size, nobody named."""
    with unit_of_work(read_only=True) as s:
        return service.team_view(s, actor, days=days)


@router.get("/budgets", response_model=list[BudgetOut])
def team_budgets(actor: ActorDep) -> list[BudgetOut]:
    """The team's budgets per intensity (minutes a day and a week)."""
    with unit_of_work(read_only=True) as s:
        return service.team_budgets(s)


@router.put("/budgets", response_model=list[BudgetOut])
def set_team_budget(actor: ActorDep, data: BudgetIn) -> list[BudgetOut]:
    with unit_of_work() as s:
        return service.set_budget(s, actor, data)


@router.put("/budgets/people", response_model=list[BudgetOut])
def set_person_budget(actor: ActorDep, data: PersonBudgetIn, clear: bool = False) -> list[BudgetOut]:
    """Set one person's own budget at an intensity (``clear``: back to the team's)."""
    with unit_of_work() as s:
        return service.set_budget(s, actor, BudgetIn(intensity=data.intensity, daily_minutes=data.daily_minutes,
                                                     weekly_minutes=data.weekly_minutes),
                                  username=data.username, clear=clear)


@router.get("/budgets/people/{username}", response_model=list[BudgetOut])
def person_budgets(actor: ActorDep, username: str) -> list[BudgetOut]:
    """One person's budgets (the limits set for them, never their use of them), for those who set them."""
    with unit_of_work(read_only=True) as s:
        return service.person_budgets(s, actor, username)


@router.get("/surge", response_model=SurgeOut | None)
def surge(actor: ActorDep) -> SurgeOut | None:
    with unit_of_work(read_only=True) as s:
        return service.active_surge(s)


@router.post("/surge", status_code=201, response_model=SurgeOut)
def start_surge(actor: ActorDep, data: SurgeIn) -> SurgeOut:
    """Raise every limit for a while during a major incident, with the reason on record."""
    with unit_of_work() as s:
        return service.start_surge(s, actor, data)


@router.delete("/surge", response_model=SurgeOut)
def end_surge(actor: ActorDep) -> SurgeOut:
    with unit_of_work() as s:
        return service.end_surge(s, actor)


@router.get("/resources", response_model=list[ResourceOut])
def resources(actor: ActorDep) -> list[ResourceOut]:
    """Support the team offers (an employee assistance line, a counsellor)."""
    with unit_of_work(read_only=True) as s:
        return service.resources(s)


@router.post("/resources", status_code=201, response_model=ResourceOut)
def add_resource(actor: ActorDep, data: ResourceIn) -> ResourceOut:
    with unit_of_work() as s:
        return service.add_resource(s, actor, data)


@router.delete("/resources/{resource_id}", status_code=204, response_class=Response)
def remove_resource(actor: ActorDep, resource_id: Id) -> Response:
    with unit_of_work() as s:
        service.remove_resource(s, actor, resource_id)
    return Response(status_code=204)


@router.post("/check-ins/{ref}", status_code=204, response_class=Response)
def check_in(actor: ActorDep, ref: str, data: CheckInIn) -> Response:
    """An anonymous check-in after an incident (once per person and incident)."""
    with unit_of_work() as s:
        service.check_in(s, actor, ref, data)
    return Response(status_code=204)


@router.get("/check-ins/{ref}", response_model=CheckInSummary)
def check_ins(actor: ActorDep, ref: str) -> CheckInSummary:
    """Check-ins about an incident, as aggregates from five answers on."""
    with unit_of_work(read_only=True) as s:
        return service.check_ins(s, actor, ref)
