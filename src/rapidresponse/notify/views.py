"""Audiences (who hears stakeholder updates) and the outbox (what was sent, what is stuck)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import domain_message
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import render
from . import audiences, endpoints
from . import service as outbox

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(audience=N_("The audience was saved."),
              retried=N_("The message will be tried again."))
OUTBOX_STATUS = {"pending": N_("Pending"), "sending": N_("Sending"), "delivered": N_("Delivered"),
                 "failed": N_("Failed"), "dead": N_("Dead letter")}


def _audiences_page(request: Request, user: WebUser, *, failed: str = "", error: str = "",
                    values: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    try:
        with unit_of_work(read_only=True) as s:
            rows = audiences.list_audiences(s, actor)
            hooks = ([(e.id, e.name, e.enabled) for e in endpoints.list_endpoints(s, actor)]
                     if actor.can(Perm.NOTIFY_MANAGE) else [])
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "notify/audiences.html", {
        "rows": rows, "hooks": hooks, "can_manage": actor.can(Perm.NOTIFY_MANAGE), "failed": failed,
        "error": error, "values": values or {}}, status=status)


@router.get("/settings/audiences")
def audiences_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _audiences_page(request, user)


@router.post("/settings/audiences/{slug}")
def save_audience(request: Request, slug: str, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    try:
        ids = [int(v) for v in posted.getlist("endpoint_ids")]
    except ValueError:
        ids = [-1]
    try:
        with unit_of_work() as s:
            audiences.set_audience(s, posted.actor, slug[:40], name=posted.get("name") or None,
                                   emails=posted.get("emails").split(), endpoint_ids=ids,
                                   external=posted.get("external") == "1", locale=posted.get("locale") or None)
    except DomainError as exc:
        if exc.status == 403:
            return html_error(request, 403, exc.title, "")
        return _audiences_page(request, posted.user, failed=slug, values=values,
                               error=domain_message(request_locale(request), exc), status=exc.status)
    return RedirectResponse(f"/settings/audiences?done=audience#audience-{slug}", status_code=303)


@router.get("/outbox")
def outbox_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    wanted = request.query_params.get("status", "")
    wanted = wanted if wanted in OUTBOX_STATUS else ""
    try:
        with unit_of_work(read_only=True) as s:
            counts = outbox.counts(s, user.actor)
            rows, total = outbox.list_outbox(s, user.actor, status=[wanted] if wanted else None, limit=100)
            names = {e.id: e.name for e in endpoints.list_endpoints(s, user.actor)} \
                if user.actor.can(Perm.NOTIFY_MANAGE) else {}
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "notify/outbox.html", {
        "counts": counts, "rows": rows, "total": total, "wanted": wanted, "OUTBOX_STATUS": OUTBOX_STATUS,
        "endpoint_names": names, "can_manage": user.actor.can(Perm.NOTIFY_MANAGE)})


@router.post("/outbox/{message_id}/retry")
def retry(request: Request, message_id: int, posted: PostedDep) -> Response:
    try:
        with unit_of_work() as s:
            outbox.retry(s, posted.actor, message_id)
    except DomainError as exc:
        if isinstance(exc, NotFound) or exc.status == 403:
            return html_error(request, exc.status, exc.title, "")
        return html_error(request, exc.status, exc.title, domain_message(request_locale(request), exc))
    return RedirectResponse("/outbox?done=retried", status_code=303)
