"""The approvals inbox: texts waiting for my decision, those I decided, those I asked for; one
approval with its exact text and the approve/reject form bound to that text's SHA-256."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import domain_message
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import render
from . import service

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(approved=N_("You approved the text."),
              rejected=N_("You rejected the text."))
pages.badge("approvals", service.pending_count)  # waiting for this user's decision
TABS = {"pending": N_("Waiting for me"), "decided": N_("Decided by me"), "mine": N_("My requests")}
KIND_LABELS = {"external_statement": N_("External statement"),
               "law_enforcement_referral": N_("Law-enforcement referral"),
               "regulator_reply": N_("Reply to a regulator"), "leadership_update": N_("Leadership update")}
APPROVAL_STATUS = {"pending": N_("Pending"), "approved": N_("Approved"), "rejected": N_("Rejected"),
                   "superseded": N_("Superseded")}


def _labels() -> dict[str, Any]:
    return {"KIND_LABELS": KIND_LABELS, "APPROVAL_STATUS": APPROVAL_STATUS}


@router.get("/approvals")
def inbox(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    tab = request.query_params.get("tab", "pending")
    tab = tab if tab in TABS else "pending"
    try:
        with unit_of_work(read_only=True) as s:
            rows = service.inbox(s, user.actor, status=tab)
            people, refs = service.people_of(s, rows), service.incident_refs(s, user.actor, rows)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "approvals/list.html", {"rows": rows, "tab": tab, "TABS": TABS, "people": people,
                                                   "refs": refs, **_labels()})


def _detail(request: Request, user: WebUser, approval_id: int, *, error: str = "", comment: str = "",
            status: int = 200) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            a = service.get(s, user.actor, approval_id)
            may = a.status == "pending" and service.may_decide(s, user.actor, a)
            people, refs = service.people_of(s, [a]), service.incident_refs(s, user.actor, [a])
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    own = a.requested_by_id == user.actor.user_id
    return render(request, "approvals/detail.html", {"a": a, "may_decide": may, "own": own, "people": people,
                                                     "refs": refs, "error": error, "comment": comment,
                                                     **_labels()}, status=status)


@router.get("/approvals/{approval_id}")
def approval_page(request: Request, approval_id: int, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _detail(request, user, approval_id)


@router.post("/approvals/{approval_id}/decision")
def decide(request: Request, approval_id: int, posted: PostedDep) -> Response:
    comment = posted.get("comment")
    try:
        with unit_of_work() as s:
            service.decide(s, posted.actor, approval_id, decision=posted.get("decision"),
                           text_sha256=posted.get("text_sha256"), comment=comment)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return html_error(request, 404, exc.title, "")
        return _detail(request, posted.user, approval_id, error=domain_message(request_locale(request), exc),
                       comment=comment, status=exc.status)
    done = "approved" if posted.get("decision") == "approved" else "rejected"
    return RedirectResponse(f"/approvals/{approval_id}?done={done}", status_code=303)
