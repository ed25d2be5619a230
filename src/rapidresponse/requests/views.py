"""Regulator request pages: the inbox with running clocks, the register form, the request page with
item outcomes and the reply composer; and the incident's requests inside its "applicable rules" panel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .. import auth, policy
from ..auth import Actor, Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import FormError, domain_message, field_errors, form_action, parse_local_datetime
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import Translator, local_input_value, render
from . import replies, service
from .schemas import OUTCOME_LABELS, OutcomeIn, RequestCreate, RequestFilter, RequestPath
from .service import RequestKey

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(request=N_("The request was registered and its clock started."),
              outcome=N_("The outcome was recorded."),
              reply_drafted=N_("The reply was drafted from the templates."),
              reply_saved=N_("The reply was saved."),
              reply_submitted=N_("The reply was submitted for legal approval."),
              reply_approved=N_("You approved the reply; it is logged as sent."),
              reply_rejected=N_("You rejected the reply; it is back with its author."))


@pass_context
def regulator_label(context: Context, req: Any) -> str:
    """A request's regulator as the page's language names it (``{{ regulator_label(r) }}``)."""
    locale = context.get("LOCALE", "en")
    if locale == "en":
        return str(req.regulator_name)
    return service.regulator_name(policy.load_countries().get(req.country), req.regulator, locale)


@pass_context
def instrument_label(context: Context, req: Any) -> Markup:
    """The instrument of a request's deadline as the page's language names it (``{{ instrument_label(r) }}``):
    read by the deadline's name from the country's profile (the request keeps the English name it was
    registered under); that English name, marked as English, when the profile no longer has the deadline."""
    locale = context.get("LOCALE", "en")
    profile = policy.load_countries().get(req.country)
    deadline = next((d for d in profile.deadlines if d.name == req.deadline), None) if profile else None
    if deadline is not None:
        return Markup.escape(deadline.instrument.in_(locale))
    return Markup('<span lang="en">%s</span>') % req.instrument


pages.globals_(regulator_label=regulator_label, instrument_label=instrument_label)
APPROVAL_LABELS = {"pending": N_("Awaiting legal approval"), "approved": N_("Approved"),
                   "rejected": N_("Rejected"), "superseded": N_("Superseded by a newer text")}


@router.get("/requests")
def inbox(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    status = request.query_params.get("status", "open")
    status = status if status in ("open", "answered") else "open"
    with unit_of_work(read_only=True) as s:
        page = service.list_requests(s, user.actor, RequestFilter(status=status, limit=200))
    return render(request, "requests/list.html", {"requests": page.items, "total": page.total, "status": status})


def _form(request: Request, user: WebUser, values: dict[str, str], errors: dict[str, str],
          status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        usernames = [u.username for u in auth.list_users(s, user.actor) if u.is_active]
        choices = service.regulator_choices(s, request_locale(request))
    return render(request, "requests/new.html", {"v": values, "errors": errors, "choices": choices,
                                                 "usernames": usernames}, status=status)


@router.get("/requests/new")
def new_request(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    values = {"received_at": local_input_value(now(), user.actor.timezone),
              "incident": request.query_params.get("incident", "")[:20], "regulator": "KZ/mci", "language": "kk"}
    return _form(request, user, values, {})


def _request_data(posted: Posted) -> dict[str, Any]:
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
    return data


@router.post("/requests/new")
def register(request: Request, posted: PostedDep) -> Response:
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        body = RequestCreate.model_validate(_request_data(posted))
    except ValidationError as exc:
        return _form(request, posted.user, values, field_errors(locale, exc), status=422)
    try:
        with unit_of_work() as s:
            request_id = service.register(s, posted.actor, body).ref
    except DomainError as exc:
        field = str(exc.extra.get("field", "form"))
        return _form(request, posted.user, values, {field: domain_message(locale, exc)}, status=exc.status)
    return RedirectResponse(f"/requests/{request_id}?done=request", status_code=303)


def request_page(request: Request, user: WebUser, request_id: RequestKey, *, failed: str = "", error: str = "",
                 status: int = 200) -> Response:
    actor = user.actor
    with unit_of_work(read_only=True) as s:
        req = service.get(s, actor, request_id)
        approval, can_decide = replies.reply_approval(s, actor, req.id)
        ctx: dict[str, Any] = {
            "req": req, "regulator_native": service.native_regulator_name(s, req),
            "can_manage": actor.can(Perm.REQUESTS_MANAGE), "failed": failed, "error": error,
            "OUTCOME_LABELS": OUTCOME_LABELS, "APPROVAL_LABELS": APPROVAL_LABELS, "approval": approval,
            "can_decide": can_decide,
        }
    return render(request, "requests/detail.html", ctx, status=status)


@router.get("/requests/{request_id}")
def request_detail(request: Request, request_id: RequestPath,
                   user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return request_page(request, user, request_id)


def _act(request: Request, posted: Posted, request_id: RequestKey, *, form: str, done: str, anchor: str,
         build: Any, call: Any) -> Response:
    """A form on the request page: refused, the page again with the message beside ``form``."""
    return form_action(
        request, build=build, call=call,
        redirect=lambda _s, _r: f"/requests/{request_id}?done={done}#{anchor}",
        refused=lambda message, status: request_page(request, posted.user, request_id, failed=form, error=message,
                                                     status=status))


@router.post("/requests/{request_id}/items/{item_id}")
def set_outcome(request: Request, request_id: RequestPath, item_id: Id, posted: PostedDep) -> Response:
    return _act(request, posted, request_id, form=f"item-{item_id}", done="outcome", anchor="items",
                build=lambda: OutcomeIn.model_validate({"outcome": posted.get("outcome"),
                                                        "reason": posted.get("reason")}),
                call=lambda s, data: service.set_outcome(s, posted.actor, request_id, item_id, data))


@router.post("/requests/{request_id}/reply/draft")
def draft_reply(request: Request, request_id: RequestPath, posted: PostedDep) -> Response:
    return _act(request, posted, request_id, form="reply", done="reply_drafted", anchor="reply",
                build=lambda: None, call=lambda s, _: replies.draft_reply(s, posted.actor, request_id))


@router.post("/requests/{request_id}/reply")
def save_reply(request: Request, request_id: RequestPath, posted: PostedDep) -> Response:
    def body() -> str:
        text = posted.get("body")
        if not text.strip():
            _ = Translator(request_locale(request))
            raise FormError(_("The reply is empty."))
        return text[:50_000]

    return _act(request, posted, request_id, form="reply", done="reply_saved", anchor="reply", build=body,
                call=lambda s, text: replies.edit_reply(s, posted.actor, request_id, text))


@router.post("/requests/{request_id}/reply/submit")
def submit_reply(request: Request, request_id: RequestPath, posted: PostedDep) -> Response:
    return _act(request, posted, request_id, form="reply", done="reply_submitted", anchor="reply",
                build=lambda: None, call=lambda s, _: replies.submit_reply(s, posted.actor, request_id))


@router.post("/requests/{request_id}/reply/decide")
def decide_reply(request: Request, request_id: RequestPath, posted: PostedDep) -> Response:
    """Legal approves or rejects the exact text shown (its SHA-256 comes with the form)."""
    done = "reply_approved" if posted.get("decision") == "approved" else "reply_rejected"
    return _act(request, posted, request_id, form="approval", done=done, anchor="reply", build=lambda: None,
                call=lambda s, _: replies.decide_reply(s, posted.actor, request_id, decision=posted.get("decision"),
                                                       text_sha256=posted.get("text_sha256"),
                                                       comment=posted.get("comment")))


# --- inside the incident page's "applicable rules" panel ----------------------------------------

def incident_requests(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The incident's regulator requests with their clocks."""
    return {"incident_requests": service.for_incident(session, actor, inc.ref)}


def register_link(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The link to register a request about the incident (the template asks for the permission)."""
    return {}


pages.panel("incident.rules.head", "requests/_incident_register.html", register_link)
pages.panel("incident.rules", "requests/_incident_requests.html", incident_requests)
