"""The forms on the incident page: each one posts, calls one service function and redirects back.

A refused action re-renders the page with the message beside its form and the input kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..i18n import N_
from ..incidents import service, work
from ..incidents.schemas import (
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
from . import pages
from .context import request_locale
from .forms import domain_message, field_errors, parse_local_datetime
from .incident_views import incident_page
from .security import Posted, require_post
from .templating import Translator

router = APIRouter(include_in_schema=False)
pages.notices(status=N_("The status was changed."),
              severity=N_("The severity was overridden."),
              severity_cleared=N_("The severity is the computed one again."),
              role=N_("The role was assigned."),
              linked=N_("The incidents were linked."),
              merged=N_("The incident was merged."),
              note=N_("The note was added."),
              pinned=N_("The note was pinned."),
              unpinned=N_("The note was unpinned."),
              task=N_("The task was added."),
              task_status=N_("The task was updated."))
PostedDep = Annotated[Posted, Depends(require_post)]
Builder = Callable[[], Any]


class FormError(ValueError):
    """A check the view makes before calling the service; its message is already translated."""


def _act(request: Request, posted: Posted, ref: str, *, form: str, build: Builder,
         call: Callable[[Session, Any], object], done: str, anchor: str) -> Response:
    """Validate with ``build``, run ``call`` in one unit of work, redirect (303) to the page."""
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        data = build()
    except FormError as exc:
        return incident_page(request, posted.user, ref, failed=form, error=str(exc), values=values, status=422)
    except ValidationError as exc:
        message = "; ".join(field_errors(locale, exc).values())
        return incident_page(request, posted.user, ref, failed=form, error=message, values=values, status=422)
    except ValueError:
        _ = Translator(locale)
        message = _("Enter a valid date and time.")
        return incident_page(request, posted.user, ref, failed=form, error=message, values=values, status=422)
    try:
        with unit_of_work() as s:
            call(s, data)
            canonical = service.get(s, posted.actor, ref).ref
    except DomainError as exc:
        # An invisible or unknown incident gives the plain 404 page (raised again by the page).
        status = exc.status if not isinstance(exc, NotFound) else 422
        return incident_page(request, posted.user, ref, failed=form, error=domain_message(locale, exc),
                             values=values, status=status)
    return RedirectResponse(f"/incidents/{canonical}?done={done}#{anchor}", status_code=303)


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
    return _act(request, posted, ref, form="note", done="note", anchor="timeline",
                build=lambda: NoteCreate(body=posted.get("body"), pinned=posted.get("pinned") == "1"),
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
