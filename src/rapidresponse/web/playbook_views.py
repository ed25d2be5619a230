"""Playbook pages: the library, one playbook for reading (and saving a new version), and the forms
of the checklist on the incident page (apply or replace a playbook, set conditions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from .. import incidents
from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..playbooks import service as playbooks
from ..playbooks.schema import CONDITIONS, format_duration
from . import pages
from .checklist import CONDITION_LABELS, SOURCE_LABELS, checklist_context, deadline
from .context import request_locale
from .errors import html_error
from .forms import FormError, domain_message, subject_action
from .security import Posted, PostedDep, WebUser, require_user
from .templating import Translator, render

router = APIRouter(include_in_schema=False)
pages.notices(playbook_applied=N_("The playbook was applied."),
              playbook_saved=N_("The new version of the playbook was saved."),
              conditions=N_("The conditions were updated."))

# --- the library ----------------------------------------------------------------------------

@router.get("/playbooks")
def library_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    with unit_of_work(read_only=True) as s:
        found, broken = playbooks.list_playbooks(s, user.actor)
    return render(request, "playbooks/list.html", {"entries": found, "broken": broken, "duration": format_duration,
                                                   "SOURCE_LABELS": SOURCE_LABELS})


def _detail(request: Request, user: WebUser, playbook_id: str, *, text: str | None = None, error: str = "",
            status: int = 200) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            entry = playbooks.get_playbook(s, user.actor, playbook_id)
            versions = playbooks.versions(s, user.actor, playbook_id)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    locale = request_locale(request)
    pb = entry.playbook
    return render(request, "playbooks/detail.html", {
        "entry": entry, "pb": pb, "versions": versions, "text": entry.text if text is None else text,
        "error": error, "SOURCE_LABELS": SOURCE_LABELS, "CONDITION_LABELS": CONDITION_LABELS,
        "deadline": lambda spec: deadline(pb, spec, locale), "duration": format_duration,
        "can_manage": user.actor.can(Perm.PLAYBOOKS_MANAGE),
    }, status=status)


@router.get("/playbooks/{playbook_id}")
def playbook_page(request: Request, playbook_id: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _detail(request, user, playbook_id[:80])


@router.post("/playbooks/{playbook_id}")
def save_version(request: Request, playbook_id: str, posted: PostedDep) -> Response:
    """Save a new version from the YAML textarea; a refused text stays in the form with its error."""
    text = posted.get("text").replace("\r\n", "\n")
    try:
        with unit_of_work() as s:
            row = playbooks.save(s, posted.actor, text)
            saved_id = row.playbook_id
    except DomainError as exc:
        if exc.status in (403, 404):
            return html_error(request, exc.status, exc.title, exc.detail)
        return _detail(request, posted.user, playbook_id[:80], text=text,
                       error=domain_message(request_locale(request), exc), status=exc.status)
    return RedirectResponse(f"/playbooks/{saved_id}?done=playbook_saved#versions", status_code=303)


# --- the checklist's forms on the incident page ---------------------------------------------

pages.panel("incident.main", "incidents/_checklist.html", checklist_context, order=10)


def _act(request: Request, posted: Posted, ref: str, *, form: str, build: Callable[[], Any],
         call: Callable[[Any, Any], object], done: str, anchor: str) -> Response:
    return subject_action(request, posted, slot="incident", key=ref, form=form, build=build, call=call,
                          redirect=lambda s, _: f"/incidents/{incidents.get(s, posted.actor, ref).ref}"
                                                f"?done={done}#{anchor}")


@router.post("/incidents/{ref}/playbook")
def apply_playbook(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> str:
        _ = Translator(request_locale(request))
        value = posted.get("playbook_id").strip()
        if not value:
            raise FormError(_("Choose a playbook."))
        return value

    return _act(request, posted, ref, form="playbook", done="playbook_applied", anchor="checklist", build=build,
                call=lambda s, pid: playbooks.apply(s, posted.actor, ref, pid))


@router.post("/incidents/{ref}/playbook/conditions")
def set_conditions(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> list[str]:
        _ = Translator(request_locale(request))
        chosen = posted.getlist("conditions")
        if any(c not in CONDITIONS for c in chosen):
            raise FormError(_("Choose a value from the list."))
        return chosen

    return _act(request, posted, ref, form="conditions", done="conditions", anchor="checklist", build=build,
                call=lambda s, chosen: playbooks.set_conditions(s, posted.actor, ref, chosen))
