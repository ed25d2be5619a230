"""Incident pages: the list with filters, the declare form, the incident page and its forms.

Each form on the incident page posts, calls one service function and redirects back; a refused
action re-renders the page with the message beside its form and the input kept. Other domains add
sections to the page (:func:`rapidresponse.web.pages.panel` with the slots ``incident.main`` and
``incident.side``) and re-render it after their own forms through ``pages.page("incident")``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from .. import auth
from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..web import pages
from ..web.activity import describe_html as describe
from ..web.context import request_locale
from ..web.forms import FormError, domain_message, field_errors, parse_local_datetime, split_list, subject_action
from ..web.security import Posted, PostedDep, WebUser, require_post, require_user
from ..web.templating import Translator, local_input_value, render
from . import lifecycle, service, severity, vocab, work
from .schemas import (
    IncidentCreate,
    IncidentFilter,
    IncidentUpdate,
    LinkRequest,
    MergeRequest,
    NoteCreate,
    NotePin,
    RoleAssign,
    SeverityOverride,
    StatusChange,
    TaskCreate,
    TaskUpdate,
)
from .severity import DEFAULT_HARM, SeverityInput
from .vocab import RESTRICTED_BY_DEFAULT, IncidentType, Role, Status
from .work import TIMELINE_KINDS

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(declared=N_("The incident was declared."))
pages.notices(status=N_("The status was changed."),
              severity=N_("The severity was overridden."),
              severity_cleared=N_("The severity is the computed one again."),
              role=N_("The role was assigned."),
              edited=N_("The details were saved."),
              removed=N_("The person was taken out of the role."),
              linked=N_("The incidents were linked."),
              merged=N_("The incident was merged."),
              note=N_("The note was added."),
              pinned=N_("The note was pinned."),
              unpinned=N_("The note was unpinned."),
              task=N_("The task was added."),
              task_status=N_("The task was updated."))
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
    # A type that implies minors (child safety) has them involved unless the user unticked the box on purpose.
    vulnerable = form.get("vulnerable") == "1" or (kind in severity.IMPLIES_MINORS
                                                   and form.get("vulnerable_explicit") != "1")
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
        "restricted_types": sorted(RESTRICTED_BY_DEFAULT), "minors_types": sorted(severity.IMPLIES_MINORS),
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
        main, main_context = pages.panels("incident.main", s, actor, inc, locale)
        side, side_context = pages.panels("incident.side", s, actor, inc, locale)
        ctx: dict[str, Any] = {
            "inc": inc, "assessment": service.assessment(inc),
            "members": [{"username": m.username, "name": m.display_name, "role": m.role, "added_at": m.added_at}
                        for m in service.members(s, inc.id)],
            "links": service.links(s, actor, inc),
            "timeline": work.timeline(s, actor, inc.ref, kinds=kinds, pinned_only=pinned_only,
                                      _=Translator(locale)),
            "tasks": work.tasks(s, actor, inc.ref),
            "usernames": [u.username for u in auth.list_users(s, actor) if u.is_active],
            "panels_main": main, "panels_side": side, **main_context, **side_context,
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
        "roles": list(Role), "types": list(IncidentType), "kinds": list(TIMELINE_KINDS), "kind_filter": kinds,
        "pinned_only": pinned_only,
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


pages.page("incident", incident_page)


@router.get("/incidents/{ref}")
def incident_detail(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    if len(ref) > 20:
        return incident_page(request, user, "-")  # raises the usual 404
    return incident_page(request, user, ref)


# --- the forms on the incident page -------------------------------------------------------------

def _act(request: Request, posted: Posted, ref: str, *, form: str, build: Callable[[], Any],
         call: Callable[[Session, Any], object], done: str, anchor: str) -> Response:
    """Validate with ``build``, run ``call`` in one unit of work, redirect (303) to the page."""
    return subject_action(request, posted, slot="incident", key=ref, form=form, build=build, call=call,
                          redirect=lambda s, _: f"/incidents/{service.get(s, posted.actor, ref).ref}"
                                                f"?done={done}#{anchor}")


@router.post("/incidents/{ref}/status")
def change_status(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> StatusChange:
        _ = Translator(request_locale(request))
        if posted.get("status") == "cancelled" and not posted.get("reason").strip():
            raise FormError(_("Give a reason for cancelling the incident."))
        return StatusChange(status=posted.get("status"), reason=posted.get("reason"))

    return _act(request, posted, ref, form="status", done="status", anchor="status", build=build,
                call=lambda s, d: service.change_status(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/severity")
def override_severity(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> SeverityOverride:
        _ = Translator(request_locale(request))
        if not posted.get("reason").strip():
            raise FormError(_("Give a reason for overriding the computed severity."))
        return SeverityOverride(level=posted.get("level") or None,
                                reason=posted.get("reason"))

    return _act(request, posted, ref, form="severity", done="severity", anchor="severity", build=build,
                call=lambda s, d: service.override_severity(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/severity/clear")
def clear_override(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="severity", done="severity_cleared", anchor="severity",
                build=lambda: SeverityOverride(level=None),
                call=lambda s, d: service.override_severity(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/roles")
def assign_role(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="role", done="role", anchor="people",
                build=lambda: RoleAssign(role=posted.get("role"),
                                         username=posted.get("username").lower()),
                call=lambda s, d: service.assign_role(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/roles/{role}/{username}/remove")
def remove_member(request: Request, ref: str, role: str, username: str, posted: PostedDep) -> Response:
    def build() -> tuple[Role, str | None]:
        return Role(role), posted.get("handover_to").strip().lower() or None

    return _act(request, posted, ref, form="role", done="removed", anchor="people", build=build,
                call=lambda s, d: service.remove_member(s, posted.actor, ref, username=username[:64], role=d[0],
                                                        handover_to=d[1]))


def _details(posted: Posted) -> IncidentUpdate:
    """The edit form's fields as a change (every field is sent, so an emptied one is cleared)."""
    return IncidentUpdate.model_validate({
        "title": posted.get("title"), "summary": posted.get("summary"), "type": posted.get("type"),
        "harm_categories": [h.lower() for h in split_list(posted.get("harm_categories"))],
        "countries": split_list(posted.get("countries")), "languages": split_list(posted.get("languages")),
        "source_description": posted.get("source_description"),
    })


@router.post("/incidents/{ref}/details")
def edit_details(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="details", done="edited", anchor="details", build=lambda: _details(posted),
                call=lambda s, d: service.update(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/links")
def link(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="link", done="linked", anchor="links",
                build=lambda: LinkRequest(ref=posted.get("other"), kind=posted.get("kind") or "related"),
                call=lambda s, d: service.link(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/merge")
def merge(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="merge", done="merged", anchor="links",
                build=lambda: MergeRequest(into=posted.get("into"), reason=posted.get("reason")),
                call=lambda s, d: service.merge(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/notes")
def add_note(request: Request, ref: str, posted: PostedDep) -> Response:
    tz = posted.actor.timezone
    return _act(request, posted, ref, form="note", done="note", anchor="timeline",
                build=lambda: NoteCreate(body=posted.get("body"), pinned=posted.get("pinned") == "1",
                                         at=parse_local_datetime(posted.get("at"), tz)),
                call=lambda s, d: work.add_note(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/notes/{note_id}/pin")
def pin_note(request: Request, ref: str, note_id: int, posted: PostedDep) -> Response:
    pinned = posted.get("pinned") == "1"
    return _act(request, posted, ref, form="timeline", done="pinned" if pinned else "unpinned", anchor="timeline",
                build=lambda: NotePin(pinned=pinned),
                call=lambda s, d: work.pin_note(s, posted.actor, ref, note_id, d.pinned))


@router.post("/incidents/{ref}/tasks")
def add_task(request: Request, ref: str, posted: PostedDep) -> Response:
    tz = posted.actor.timezone
    return _act(request, posted, ref, form="task", done="task", anchor="tasks",
                build=lambda: TaskCreate(title=posted.get("title"), description=posted.get("description"),
                                         owner=posted.get("owner").lower() or None,
                                         due_at=parse_local_datetime(posted.get("due_at"), tz)),
                call=lambda s, d: work.add_task(s, posted.actor, ref, d))


@router.post("/incidents/{ref}/tasks/{task_id}")
def update_task(request: Request, ref: str, task_id: int, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="tasks", done="task_status", anchor="tasks",
                build=lambda: TaskUpdate(status=posted.get("status")),
                call=lambda s, d: work.update_task(s, posted.actor, ref, task_id, d))
