"""REST API: the content decision log, appeals, and statements of reasons for the Transparency Database."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import service, statements
from .schemas import AppealCreate, AppealDecide, DecisionCreate, DecisionFilter, DecisionOut, DecisionPage, SorExportOut

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/decisions", response_model=DecisionPage)
def list_decisions(actor: ActorDep, flt: Annotated[DecisionFilter, Query()]) -> DecisionPage:
    """The decision log, newest first."""
    with unit_of_work(read_only=True) as s:
        return service.list_decisions(s, actor, flt)


@router.post("/decisions", status_code=201, response_model=DecisionOut)
def record_decision(actor: ActorDep, body: DecisionCreate, response: Response) -> DecisionOut:
    """Record a content decision on one item."""
    with unit_of_work() as s:
        out = service.record_decision(s, actor, body)
    response.headers["Location"] = f"/api/v1/decisions/{out.id}"
    return out


@router.get("/decisions/sor", response_model=SorExportOut)
def export_sor(actor: ActorDep) -> SorExportOut:
    """Statements of reasons for decisions affecting EU users, as API batches of at most 100; decisions the
    Transparency Database would reject are listed with the field and rule they break."""
    with unit_of_work(read_only=True) as s:
        return statements.build_sor(s, actor).out()


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(actor: ActorDep, decision_id: Id) -> DecisionOut:
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, decision_id)


@router.post("/decisions/{decision_id}/appeals", status_code=201, response_model=DecisionOut)
def file_appeal(actor: ActorDep, decision_id: Id, body: AppealCreate) -> DecisionOut:
    with unit_of_work() as s:
        return service.file_appeal(s, actor, decision_id, body)


@router.post("/decisions/{decision_id}/appeals/{appeal_id}", response_model=DecisionOut)
def decide_appeal(actor: ActorDep, decision_id: Id, appeal_id: Id, body: AppealDecide) -> DecisionOut:
    """Uphold, reverse or modify the decision."""
    with unit_of_work() as s:
        return service.decide_appeal(s, actor, decision_id, appeal_id, body)
