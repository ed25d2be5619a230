"""The decision log page: recorded decisions with their appeals, the statements of reasons they make
(and which ones the Transparency Database would reject), the record and appeal forms, the CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .. import policy, requests
from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import domain_message, field_errors, form_action, split_list
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import render
from . import drafts, service, statements
from .schemas import (
    ACTION_LABELS,
    APPEAL_LABELS,
    AppealCreate,
    AppealDecide,
    DecisionCreate,
    DecisionFilter,
    DraftOut,
)

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(decision=N_("The decision was recorded."), appeal=N_("The appeal was recorded."))


def _decisions_page(request: Request, user: WebUser, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    eu_only = request.query_params.get("eu") == "1"
    with unit_of_work(read_only=True) as s:
        page = service.list_decisions(s, actor, DecisionFilter(eu_only=eu_only, limit=200))
        sor = statements.build_sor(s, actor) if actor.can(Perm.POLICY_MANAGE) else None
        waiting = drafts.open_drafts(s, actor)
        if values is None and request.query_params.get("draft", "").isdigit():
            values = _draft_values(drafts.get(s, actor, int(request.query_params["draft"][:10])))
    rejected = {d.id: [i for i in issues if i.level == "error"] for d, issues in sor.rejected} if sor else {}
    return render(request, "decisions/log.html", {
        "rows": page.items, "total": page.total, "eu_only": eu_only, "sor": sor, "rejected": rejected,
        "ACTION_LABELS": ACTION_LABELS, "APPEAL_LABELS": APPEAL_LABELS, "v": values or {}, "errors": errors or {},
        "harms": policy.load_taxonomy().harms(), "can_manage": actor.can(Perm.POLICY_MANAGE), "drafts": waiting,
        "OUTCOME_LABELS": requests.OUTCOME_LABELS,
    }, status=status)


def _draft_values(draft: DraftOut) -> dict[str, str]:
    """The record form filled from a draft (lists as the form writes them)."""
    values = {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in draft.fields.items() if v is not None}
    return {**values, "draft": str(draft.id)}


@router.get("/decisions")
def decision_log(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _decisions_page(request, user)


# The record form's fields that show their own error; any other field's error shows above the form.
_SHOWN = frozenset({"puid", "action", "harm", "legal_ground", "policy_clause", "territorial_scope", "content_date",
                    "content_type", "content_type_other", "content_language", "explanation", "facts", "incident"})


def _decision_data(posted: Posted) -> dict[str, Any]:
    data: dict[str, Any] = {k: posted.get(k) for k in (
        "puid", "content_url", "content_type", "content_type_other", "content_date", "action", "ground",
        "policy_clause", "legal_ground", "explanation", "harm", "automated_decision", "source_type",
        "source_identity", "facts")}
    data["territorial_scope"] = split_list(posted.get("territorial_scope"))
    data["automated_detection"] = posted.get("automated_detection") == "1"
    data["content_language"] = posted.get("content_language") or None
    data["incident"] = posted.get("incident").strip() or None
    data["draft"] = posted.get("draft").strip() or None
    return {k: v for k, v in data.items() if v != ""}


@router.post("/decisions/new")
def record_decision(request: Request, posted: PostedDep) -> Response:
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        body = DecisionCreate.model_validate(_decision_data(posted))
        with unit_of_work() as s:
            service.record_decision(s, posted.actor, body)
    except ValidationError as exc:
        errors = {(f if f in _SHOWN else "form"): m for f, m in reversed(field_errors(locale, exc).items())}
        return _decisions_page(request, posted.user, values=values, errors=errors, status=422)
    except DomainError as exc:
        field = str(exc.extra.get("field", "form"))
        field = field if field in _SHOWN else "form"
        return _decisions_page(request, posted.user, values=values, errors={field: domain_message(locale, exc)},
                               status=exc.status)
    return RedirectResponse("/decisions?done=decision", status_code=303)


def _appeal_action(request: Request, posted: Posted, build: Any, call: Any) -> Response:
    """An appeal form: refused, the log again with the message above the table."""
    return form_action(request, build=build, call=call, redirect=lambda _s, _r: "/decisions?done=appeal",
                       refused=lambda message, status: _decisions_page(request, posted.user,
                                                                       errors={"appeal": message}, status=status))


@router.post("/decisions/{decision_id}/appeals")
def file_appeal(request: Request, decision_id: Id, posted: PostedDep) -> Response:
    def call(s: Session, data: AppealCreate) -> None:
        service.file_appeal(s, posted.actor, decision_id, data)

    return _appeal_action(request, posted, lambda: AppealCreate.model_validate(
        {"appellant": posted.get("appellant"), "reason": posted.get("reason")}), call)


@router.post("/decisions/{decision_id}/appeals/{appeal_id}")
def decide_appeal(request: Request, decision_id: Id, appeal_id: Id, posted: PostedDep) -> Response:
    def call(s: Session, data: AppealDecide) -> None:
        service.decide_appeal(s, posted.actor, decision_id, appeal_id, data)

    return _appeal_action(request, posted, lambda: AppealDecide.model_validate(
        {"status": posted.get("status"), "note": posted.get("note")}), call)


@router.get("/decisions/sor.csv")
def sor_csv(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The valid statements of reasons as CSV (one column per Transparency Database field)."""
    with unit_of_work(read_only=True) as s:
        result = statements.build_sor(s, user.actor)
    return Response(result.csv(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="statements-of-reasons.csv"'})
