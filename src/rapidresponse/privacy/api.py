"""REST API for the data lifecycle: legal holds on incidents, the retention policy and a pass on
demand, and a person's data (find, export, erase)."""

from __future__ import annotations

from fastapi import APIRouter

from ..db import unit_of_work
from ..http import ActorDep
from . import service
from .schemas import ErasureOut, HoldIn, HoldOut, ReleaseIn, RetentionReport, RetentionRule, SubjectData, SubjectIn

router = APIRouter(prefix="/api/v1", tags=["privacy"])


@router.get("/incidents/{ref}/legal-holds", response_model=list[HoldOut])
def list_holds(ref: str, actor: ActorDep) -> list[HoldOut]:
    """The incident's legal holds: the one in force first, then released ones."""
    with unit_of_work(read_only=True) as s:
        return service.holds(s, actor, ref)


@router.post("/incidents/{ref}/legal-hold", response_model=HoldOut, status_code=201)
def place_hold(ref: str, data: HoldIn, actor: ActorDep) -> HoldOut:
    """Put the incident under legal hold (``legal:hold``): retention keeps everything linked to it."""
    with unit_of_work() as s:
        return service.place_hold(s, actor, ref, data)


@router.post("/incidents/{ref}/legal-hold/release", response_model=HoldOut)
def release_hold(ref: str, data: ReleaseIn, actor: ActorDep) -> HoldOut:
    with unit_of_work() as s:
        return service.release_hold(s, actor, ref, data)


@router.get("/privacy/legal-holds", response_model=list[HoldOut])
def holds_in_force(actor: ActorDep) -> list[HoldOut]:
    with unit_of_work(read_only=True) as s:
        return service.held_incidents(s, actor)


@router.get("/privacy/retention", response_model=list[RetentionRule])
def retention_policy(actor: ActorDep) -> list[RetentionRule]:
    """How long each data class is kept and what happens then (set by ``RAPIDRESPONSE_RETENTION_*``)."""
    return service.policy(actor)


@router.post("/privacy/retention:run", response_model=RetentionReport)
def run_retention(actor: ActorDep) -> RetentionReport:
    """Apply retention now (the worker does it every hour)."""
    with unit_of_work() as s:
        return service.apply_retention(s, actor)


@router.post("/privacy/subjects:find", response_model=SubjectData)
def find_subject(data: SubjectIn, actor: ActorDep) -> SubjectData:
    """Everything held about a reporter or a user (``privacy:manage``), without recording an export."""
    with unit_of_work(read_only=True) as s:
        return service.subject_data(s, actor, data)


@router.post("/privacy/subjects:export", response_model=SubjectData)
def export_subject(data: SubjectIn, actor: ActorDep) -> SubjectData:
    """The same as JSON to hand to the person; the export is recorded (counts only)."""
    with unit_of_work() as s:
        return service.subject_data(s, actor, data, export=True)


@router.post("/privacy/subjects:erase", response_model=ErasureOut)
def erase_subject(data: SubjectIn, actor: ActorDep) -> ErasureOut:
    """Erase what is held about the person (what a legal hold needs is kept and counted)."""
    with unit_of_work() as s:
        return service.erase_subject(s, actor, data)
