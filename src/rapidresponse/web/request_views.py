"""Regulator request pages: the inbox with running clocks, the register form, the request page with
item outcomes and the reply composer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from .. import approvals, auth
from ..auth import Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..i18n import N_
from ..policy import reply_service as replies
from ..policy import request_service as requests
from ..policy.countries import load_countries
from ..policy.schemas import OutcomeIn, RequestCreate, RequestFilter
from . import pages
from .activity import OUTCOME_LABELS
from .context import request_locale
from .forms import domain_message, field_errors, parse_local_datetime
from .security import Posted, WebUser, require_post, require_user
from .templating import Translator, local_input_value, render

router = APIRouter(include_in_schema=False)
pages.notices(request=N_("The request was registered and its clock started."),
              outcome=N_("The outcome was recorded."),
              reply_drafted=N_("The reply was drafted from the templates."),
              reply_saved=N_("The reply was saved."),
              reply_submitted=N_("The reply was submitted for legal approval."),
              reply_approved=N_("You approved the reply; it is logged as sent."),
              reply_rejected=N_("You rejected the reply; it is back with its author."))
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
APPROVAL_LABELS = {"pending": N_("Awaiting legal approval"), "approved": N_("Approved"),
                   "rejected": N_("Rejected"), "superseded": N_("Superseded by a newer text")}


def regulator_choices() -> list[dict[str, Any]]:
    """Every country's regulators, for one select (value ``KZ/mci``)."""
    out = []
    for code, p in load_countries().items():
        out.append({"code": code, "name": p.name.en, "native": p.name.native,
                    "regulators": [{"value": f"{code}/{r.id}", "name": r.name.en, "abbr": r.abbreviation,
                                    "native": r.name.native} for r in p.regulators],
                    "language": p.languages.official[0]})
    return out


def _context(clocks: list[tuple[Any, requests.ClockState]]) -> dict[str, Any]:
    return {"clocks": clocks, "regulator_name": requests.regulator_name, "OUTCOME_LABELS": OUTCOME_LABELS}


@router.get("/requests")
def inbox(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    status = request.query_params.get("status", "open")
    status = status if status in ("open", "answered") else "open"
    with unit_of_work(read_only=True) as s:
        rows, total = requests.list_requests(s, user.actor, RequestFilter(status=status, limit=200))
        at = now()
        clocks = [(r, requests.clock_state(r, at)) for r in rows]
    return render(request, "requests/list.html", {**_context(clocks), "total": total, "status": status})


def _form(request: Request, user: WebUser, values: dict[str, str], errors: dict[str, str],
          status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        usernames = [u.username for u in auth.list_users(s, user.actor) if u.is_active]
    return render(request, "requests/new.html", {"v": values, "errors": errors, "choices": regulator_choices(),
                                                 "usernames": usernames}, status=status)


@router.get("/requests/new")
def new_request(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    values = {"received_at": local_input_value(now(), user.actor.timezone),
              "incident": request.query_params.get("incident", "")[:20], "regulator": "KZ/mci", "language": "kk"}
    return _form(request, user, values, {})


@router.post("/requests/new")
def register(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    country, _, regulator = posted.get("regulator").partition("/")
    data: dict[str, Any] = {
        "country": country, "regulator": regulator, "sender": posted.get("sender"),
        "reference": posted.get("reference"), "legal_basis": posted.get("legal_basis"),
        "language": posted.get("language"), "summary": posted.get("summary"),
        "items": [line for line in posted.get("items").splitlines() if line.strip()],
        "incident": posted.get("incident").strip() or None, "owner": posted.get("owner").strip() or None,
    }
    try:
        data["received_at"] = parse_local_datetime(posted.get("received_at"), posted.actor.timezone)
    except ValueError:
        data["received_at"] = "invalid"
    try:
        body = RequestCreate.model_validate(data)
    except ValidationError as exc:
        return _form(request, posted.user, values, field_errors(locale, exc), status=422)
    try:
        with unit_of_work() as s:
            request_id = requests.register(s, posted.actor, body).id
    except DomainError as exc:
        field = str(exc.extra.get("field", "form"))
        return _form(request, posted.user, values, {field: domain_message(locale, exc)}, status=exc.status)
    return RedirectResponse(f"/requests/{request_id}?done=request", status_code=303)


def request_page(request: Request, user: WebUser, request_id: int, *, failed: str = "", error: str = "",
                 status: int = 200) -> Response:
    actor = user.actor
    with unit_of_work(read_only=True) as s:
        req = requests.get(s, actor, request_id)
        names = {u.id: u.username for u in auth.list_users(s, actor)}
        ctx: dict[str, Any] = {
            "req": req, "clock": requests.clock_state(req), "items": requests.items(s, req),
            "letter": requests.reply(s, req), "owner": names.get(req.owner_id or 0),
            "regulator": requests.regulator_name(req), "regulator_native": requests.regulator_name(req, "native"),
            "can_manage": actor.can(Perm.REQUESTS_MANAGE), "failed": failed, "error": error,
            "OUTCOME_LABELS": OUTCOME_LABELS, "APPROVAL_LABELS": APPROVAL_LABELS,
            **approval_state(s, actor, req.id),
        }
    return render(request, "requests/detail.html", ctx, status=status)


def approval_state(session: Any, actor: Any, request_id: int) -> dict[str, Any]:
    """The reply's latest approval, and whether this person may decide it here."""
    approval = approvals.latest(session, replies.SUBJECT, request_id)
    can_decide = bool(approval and approval.status == "pending" and approvals.may_decide(session, actor, approval))
    return {"approval": approval, "can_decide": can_decide}


@router.get("/requests/{request_id}")
def request_detail(request: Request, request_id: Id, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return request_page(request, user, request_id)


def _act(request: Request, posted: Posted, request_id: int, form: str, done: str, anchor: str, fn: Any) -> Response:
    try:
        with unit_of_work() as s:
            fn(s)
    except ValidationError as exc:
        message = next(iter(field_errors(request_locale(request), exc).values()))
        return request_page(request, posted.user, request_id, failed=form, error=message, status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return request_page(request, posted.user, request_id, failed=form,
                            error=domain_message(request_locale(request), exc), status=exc.status)
    return RedirectResponse(f"/requests/{request_id}?done={done}#{anchor}", status_code=303)


@router.post("/requests/{request_id}/items/{item_id}")
def set_outcome(request: Request, request_id: Id, item_id: Id,
                posted: Annotated[Posted, Depends(require_post)]) -> Response:
    def run(s: Any) -> None:
        data = OutcomeIn.model_validate({"outcome": posted.get("outcome"), "reason": posted.get("reason")})
        requests.set_outcome(s, posted.actor, request_id, item_id, data)

    return _act(request, posted, request_id, f"item-{item_id}", "outcome", "items", run)


@router.post("/requests/{request_id}/reply/draft")
def draft_reply(request: Request, request_id: Id, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    return _act(request, posted, request_id, "reply", "reply_drafted", "reply",
                lambda s: replies.draft(s, posted.actor, request_id))


@router.post("/requests/{request_id}/reply")
def save_reply(request: Request, request_id: Id, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    body = posted.get("body")
    if not body.strip():
        _ = Translator(request_locale(request))
        return request_page(request, posted.user, request_id, failed="reply", error=_("The reply is empty."),
                            status=422)
    return _act(request, posted, request_id, "reply", "reply_saved", "reply",
                lambda s: replies.edit(s, posted.actor, request_id, body[:50_000]))


@router.post("/requests/{request_id}/reply/submit")
def submit_reply(request: Request, request_id: Id, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    return _act(request, posted, request_id, "reply", "reply_submitted", "reply",
                lambda s: replies.submit(s, posted.actor, request_id))


@router.post("/requests/{request_id}/reply/decide")
def decide_reply(request: Request, request_id: Id, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    """Legal approves or rejects the exact text shown (its SHA-256 comes with the form)."""
    def run(s: Any) -> None:
        requests.get(s, posted.actor, request_id)
        approval = approvals.latest(s, replies.SUBJECT, request_id)
        if approval is None:
            raise NotFound(f"request {request_id} has no reply awaiting approval")
        approvals.decide(s, posted.actor, approval.id, decision=posted.get("decision"),
                         text_sha256=posted.get("text_sha256"), comment=posted.get("comment"))

    done = "reply_approved" if posted.get("decision") == "approved" else "reply_rejected"
    return _act(request, posted, request_id, "approval", done, "reply", run)
