"""The comms composer of an incident: its stakeholder updates, a template preview with the live
facts, drafts that can be edited, approval requests and sending."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import notify
from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..i18n import N_
from ..incidents import service as incidents
from ..playbooks import service as playbooks
from ..playbooks import updates
from . import pages
from .context import request_locale
from .forms import domain_message
from .security import Posted, PostedDep, WebUser, require_user
from .templating import render

router = APIRouter(include_in_schema=False)
pages.notices(update_drafted=N_("The draft was saved."),
              update_edited=N_("The draft was changed."),
              approval_requested=N_("Approval was requested."),
              update_sent=N_("The update was queued for sending."))
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша", "uk": "Українська"}


def updates_page(request: Request, user: WebUser, ref: str, *, failed: str = "", error: str = "",
                 values: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    qp = request.query_params
    template_id, language = qp.get("template", "")[:80], qp.get("language", "")[:5]
    preview: dict[str, Any] | None = None
    preview_error = ""
    locale = request_locale(request)
    with unit_of_work(read_only=True) as s:
        inc = incidents.get(s, actor, ref)
        items = updates.list_updates(s, actor, inc.ref)
        gates = {u.id: updates.required_gate(s, u) for u in items}
        run = playbooks.active_run(s, inc.id)
        pb = playbooks.run_playbook(s, run) if run else None
        known = notify.list_audiences(s, actor)
        if template_id:
            try:
                preview = updates.preview(s, actor, inc.ref, template_id=template_id, language=language or "en")
            except DomainError as exc:  # the incident exists (read above): the template or language
                preview_error = domain_message(locale, exc)
    return render(request, "incidents/updates.html", {
        "inc": inc, "items": items, "gates": gates, "playbook": pb, "audiences": known,
        "template_id": template_id, "language": language or "en", "preview": preview,
        "preview_error": preview_error, "LANGUAGE_NAMES": LANGUAGE_NAMES, "failed": failed, "error": error,
        "values": values or {}, "can_send": actor.can(Perm.UPDATES_SEND),
    }, status=status)


@router.get("/incidents/{ref}/updates")
def updates_list(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return updates_page(request, user, ref[:20])


def _act(request: Request, posted: Posted, ref: str, *, form: str, call: Callable[[Session], Any],
         done: str) -> Response:
    """Run ``call`` in one unit of work and redirect back; a refusal re-renders with its message."""
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        with unit_of_work() as s:
            result = call(s)
            canonical = incidents.get(s, posted.actor, ref).ref
    except DomainError as exc:
        status = exc.status if not isinstance(exc, NotFound) else 422
        return updates_page(request, posted.user, ref, failed=form, error=domain_message(request_locale(request), exc),
                            values=values, status=status)
    anchor = f"update-{result.id}" if result is not None else "compose"
    return RedirectResponse(f"/incidents/{canonical}/updates?done={done}#{anchor}", status_code=303)


@router.post("/incidents/{ref}/updates")
def create_update(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="create", done="update_drafted", call=lambda s: updates.create(
        s, posted.actor, ref, audience=posted.get("audience"), language=posted.get("language"),
        subject=posted.get("subject"), body=posted.get("body").replace("\r\n", "\n"),
        template_id=posted.get("template_id") or None))


@router.post("/incidents/{ref}/updates/{update_id}")
def edit_update(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"edit-{update_id}", done="update_edited", call=lambda s: updates.edit(
        s, posted.actor, ref, update_id, subject=posted.get("subject"),
        body=posted.get("body").replace("\r\n", "\n")))


@router.post("/incidents/{ref}/updates/{update_id}/request-approval")
def request_approval(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"edit-{update_id}", done="approval_requested",
                call=lambda s: updates.request_approval(s, posted.actor, ref, update_id))


@router.post("/incidents/{ref}/updates/{update_id}/send")
def send_update(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"edit-{update_id}", done="update_sent",
                call=lambda s: updates.send(s, posted.actor, ref, update_id))
