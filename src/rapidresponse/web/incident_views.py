"""Incident pages: the list with filters, the declare form and the incident page."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..auth import service as auth
from ..auth.permissions import Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..incidents import lifecycle, service, severity, vocab, work
from ..incidents.schemas import IncidentCreate, IncidentFilter
from ..incidents.severity import DEFAULT_HARM, SeverityInput
from ..incidents.vocab import RESTRICTED_BY_DEFAULT, IncidentType, Role, Status
from ..incidents.work import TIMELINE_KINDS
from . import pages, policy_views
from .activity import describe
from .checklist import checklist_context
from .context import request_locale
from .forms import domain_message, field_errors, split_list
from .security import Posted, WebUser, require_post, require_user
from .templating import Translator, local_input_value, render

router = APIRouter(include_in_schema=False)
pages.notices(declared=N_("The incident was declared."))
pages.globals_(
    SEVERITY_LEVELS=(1, 2, 3, 4), TYPE_LABELS=vocab.TYPE_LABELS, STATUS_LABELS=vocab.STATUS_LABELS,
    ROLE_LABELS=vocab.ROLE_LABELS, TASK_STATUS_LABELS=vocab.TASK_STATUS_LABELS, HARM_LEVELS=severity.HARM_LEVELS,
    REACH_LEVELS=severity.REACH_LEVELS, VELOCITY_LEVELS=severity.VELOCITY_LEVELS,
    REGULATORY_LEVELS=severity.REGULATORY_LEVELS,
    TIMELINE_KIND_LABELS={"notes": N_("Notes"), "status": N_("Status"), "people": N_("People"), "tasks": N_("Tasks"),
                          "severity": N_("Severity"), "access": N_("Access log")})
PER_PAGE = 25
FILTER_FIELDS = ("status", "severity", "type", "country", "language", "q", "open")


# --- list -----------------------------------------------------------------------------------

def _filter_from_query(request: Request) -> tuple[IncidentFilter, dict[str, Any], dict[str, str], int]:
    """The filter, the raw values to keep in the form, errors per field, and the page number."""
    qp = request.query_params
    raw: dict[str, Any] = {
        "status": [v for v in qp.getlist("status") if v], "severity": [v for v in qp.getlist("severity") if v],
        "type": [v for v in qp.getlist("type") if v], "country": qp.get("country", "").strip(),
        "language": qp.get("language", "").strip(), "q": qp.get("q", "").strip()[:200],
        "open": qp.get("open", ""),
    }
    try:
        page = max(1, min(int(qp.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    data: dict[str, Any] = {k: v for k, v in raw.items() if v not in ("", [])}
    if "open" in data:
        data["open"] = data["open"] == "1"
    data["limit"], data["offset"] = PER_PAGE, (page - 1) * PER_PAGE
    errors: dict[str, str] = {}
    try:
        flt = IncidentFilter.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(request_locale(request), exc)
        flt = IncidentFilter.model_validate({k: v for k, v in data.items() if k not in errors})
    return flt, raw, errors, page


@router.get("/incidents")
def incident_list(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    flt, raw, errors, page = _filter_from_query(request)
    with unit_of_work(read_only=True) as s:
        items, total = service.list_incidents(s, user.actor, flt)
    pages = max(1, -(-total // PER_PAGE))
    kept = [(k, v) for k, v in request.query_params.multi_items() if k in FILTER_FIELDS and v]

    def page_url(n: int) -> str:
        return "/incidents?" + urlencode([*kept, ("page", str(n))])

    return render(request, "incidents/list.html", {
        "items": items, "total": total, "page": page, "pages": pages, "page_url": page_url, "f": raw,
        "errors": errors, "filtered": bool(kept), "statuses": list(Status), "types": list(IncidentType),
    })


# --- declare --------------------------------------------------------------------------------

def _declare_data(form: Posted) -> dict[str, Any]:
    kind = form.get("type")
    data: dict[str, Any] = {
        "title": form.get("title"), "summary": form.get("summary"), "type": kind,
        "harm_categories": [h.lower() for h in split_list(form.get("harm_categories"))],
        "countries": split_list(form.get("countries")), "languages": split_list(form.get("languages")),
        "source_description": form.get("source_description"),
    }
    reach, velocity, regulatory = form.get("reach", "1"), form.get("velocity", "1"), form.get("regulatory", "0")
    vulnerable = form.get("vulnerable") == "1"
    harm = form.get("harm")
    if harm or (reach, velocity, regulatory, vulnerable) != ("1", "1", "0", False):
        data["severity"] = {"harm": harm or DEFAULT_HARM.get(kind, 2), "reach": reach, "velocity": velocity,
                            "vulnerable": vulnerable, "regulatory": regulatory}
    if form.get("restricted") == "1":
        data["restricted"] = True
    elif form.get("restricted_explicit") == "1":
        data["restricted"] = False  # the user unticked it on purpose (the script records that)
    return data


def _declare_form(request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Response:
    return render(request, "incidents/new.html", {
        "v": values, "errors": errors, "types": list(IncidentType), "default_harm": DEFAULT_HARM,
        "restricted_types": sorted(RESTRICTED_BY_DEFAULT),
    }, status=status)


@router.get("/incidents/new")
def new_incident(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    kind = request.query_params.get("type", "")
    values = {"type": kind, "reach": "1", "velocity": "1", "regulatory": "0",
              "restricted": "1" if kind in RESTRICTED_BY_DEFAULT else ""}
    return _declare_form(request, values, {})


@router.post("/incidents/new")
def declare(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        data = IncidentCreate.model_validate(_declare_data(posted))
    except ValidationError as exc:
        return _declare_form(request, values, field_errors(locale, exc), status=422)
    try:
        with unit_of_work() as s:
            ref = service.declare(s, posted.actor, data).ref
    except DomainError as exc:
        field = str(exc.extra.get("field", "form"))
        return _declare_form(request, values, {field: domain_message(locale, exc)}, status=exc.status)
    return RedirectResponse(f"/incidents/{ref}?done=declared", status_code=303)


# --- the incident page ----------------------------------------------------------------------

def incident_page(request: Request, user: WebUser, ref: str, *, failed: str = "", error: str = "",
                  values: dict[str, str] | None = None, status: int = 200) -> Response:
    """The page; after a refused action, with ``error`` on form ``failed`` and the input kept."""
    locale = request_locale(request)
    actor = user.actor
    qp = request.query_params
    kinds = [k for k in qp.getlist("kind") if k in TIMELINE_KINDS]
    pinned_only = qp.get("pinned") == "1"
    with unit_of_work() as s:  # not read-only: reading a restricted incident is logged
        inc = service.get(s, actor, ref, log_view=True)
        members = service.members(s, inc)
        ctx: dict[str, Any] = {
            "inc": inc, "assessment": service.assessment(inc),
            "members": [{"username": u.username, "name": u.display_name or u.username, "role": m.role,
                         "added_at": m.added_at} for m, u in members],
            "links": service.links(s, actor, inc),
            "timeline": work.timeline(s, actor, inc.ref, kinds=kinds, pinned_only=pinned_only),
            "tasks": work.tasks(s, actor, inc.ref),
            "usernames": [u.username for u in auth.list_users(s, actor) if u.is_active],
            **checklist_context(s, actor, inc, locale),
            "policy": policy_views.incident_section(s, actor, inc.ref),
        }
    current = Status(inc.status)
    is_open = current in lifecycle.MERGEABLE
    _ = Translator(locale)
    next_states = sorted(lifecycle.TRANSITIONS[current], key=list(Status).index)
    shown = [st for st in next_states if actor.can(Perm.INCIDENTS_UPDATE)
             and (st not in (Status.CANCELLED, Status.CLOSED) or actor.can(Perm.INCIDENTS_COMMAND))]
    ctx.update({
        "next_states": next_states, "shown": shown, "is_open": is_open,
        "editable": current not in (Status.CLOSED, Status.CANCELLED, Status.MERGED),
        "roles": list(Role), "kinds": list(TIMELINE_KINDS), "kind_filter": kinds, "pinned_only": pinned_only,
        "describe": lambda kind, payload: describe(locale, kind, payload),
        "failed": failed, "error": error, "values": values or {},
        "can_command": actor.can(Perm.INCIDENTS_COMMAND), "can_update": actor.can(Perm.INCIDENTS_UPDATE),
        "can_note": actor.can(Perm.INCIDENTS_NOTE),
        "local_input": lambda dt: local_input_value(dt, actor.timezone),
        "link_kinds": {"related": _("related"), "caused_by": _("caused by"), "follow_up": _("follow-up"),
                       "merged_into": _("merged into")},
        "default_severity": SeverityInput.default_for(inc.type).harm,
    })
    return render(request, "incidents/detail.html", ctx, status=status)


@router.get("/incidents/{ref}")
def incident_detail(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    if len(ref) > 20:
        return incident_page(request, user, "-")  # raises the usual 404
    return incident_page(request, user, ref)
