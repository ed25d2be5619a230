"""REST API: regulator requests, their items' outcomes and the reply; the incident rules checklist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import replies, service
from .schemas import OutcomeIn, ReplyEdit, RequestCreate, RequestFilter, RequestOut, RequestPage, RequestPath

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/incidents/{ref}/rules")
def rules(actor: ActorDep, ref: str) -> dict[str, Any]:
    """The applicable-rules checklist for the incident's countries and harms."""
    with unit_of_work(read_only=True) as s:
        return service.incident_rules(s, actor, ref).as_dict()


@router.get("/requests", response_model=RequestPage)
def list_requests(actor: ActorDep, flt: Annotated[RequestFilter, Query()]) -> RequestPage:
    """Regulator and law-enforcement requests: open ones soonest due first."""
    with unit_of_work(read_only=True) as s:
        return service.list_requests(s, actor, flt)


@router.post("/requests", status_code=201, response_model=RequestOut)
def register_request(actor: ActorDep, body: RequestCreate, response: Response) -> RequestOut:
    """Register a request; its deadline is computed from the country profile."""
    with unit_of_work() as s:
        out = service.register(s, actor, body)
    response.headers["Location"] = f"/api/v1/requests/{out.ref}"
    return out


@router.get("/requests/{request_id}", response_model=RequestOut)
def get_request(actor: ActorDep, request_id: RequestPath) -> RequestOut:
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, request_id)


@router.post("/requests/{request_id}/items/{item_id}/outcome", response_model=RequestOut)
def set_outcome(actor: ActorDep, request_id: RequestPath, item_id: Id, body: OutcomeIn) -> RequestOut:
    """Record what was done about one item (no_action needs a reason)."""
    with unit_of_work() as s:
        return service.set_outcome(s, actor, request_id, item_id, body)


@router.post("/requests/{request_id}/reply/draft", response_model=RequestOut)
def draft_reply(actor: ActorDep, request_id: RequestPath) -> RequestOut:
    """Draft the reply from the templates (the request's language and English)."""
    with unit_of_work() as s:
        return replies.draft_reply(s, actor, request_id)


@router.put("/requests/{request_id}/reply", response_model=RequestOut)
def edit_reply(actor: ActorDep, request_id: RequestPath, body: ReplyEdit) -> RequestOut:
    """Save an edited reply (back to draft if it was submitted)."""
    with unit_of_work() as s:
        return replies.edit_reply(s, actor, request_id, body.body)


@router.post("/requests/{request_id}/reply/submit", response_model=RequestOut)
def submit_reply(actor: ActorDep, request_id: RequestPath) -> RequestOut:
    """Ask legal to approve the reply's exact text (decide it under /api/v1/approvals); once approved it is
    logged as sent and the clock stops."""
    with unit_of_work() as s:
        return replies.submit_reply(s, actor, request_id)
