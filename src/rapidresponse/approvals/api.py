"""REST API for approvals: the inbox, one approval, and the decision."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import service
from .schemas import ApprovalOut, Decision

router = APIRouter(prefix="/api/v1", tags=["approvals"])


@router.get("/approvals", response_model=list[ApprovalOut])
def inbox(actor: ActorDep,
          status: Annotated[Literal["pending", "decided", "mine"], Query()] = "pending") -> list[ApprovalOut]:
    """Your approvals inbox: what waits for you (pending), what you decided, what you asked for (mine)."""
    with unit_of_work(read_only=True) as s:
        return service.inbox(s, actor, status=status)


@router.get("/approvals/{approval_id}", response_model=ApprovalOut)
def get_approval(actor: ActorDep, approval_id: Id) -> ApprovalOut:
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, approval_id)


@router.post("/approvals/{approval_id}/decision", response_model=ApprovalOut)
def decide(actor: ActorDep, approval_id: Id, body: Decision) -> ApprovalOut:
    """Approve or reject the exact text (409 when it changed since you read it)."""
    with unit_of_work() as s:
        return service.decide(s, actor, approval_id, decision=body.decision, text_sha256=body.text_sha256,
                              comment=body.comment)
