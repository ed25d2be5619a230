"""Data lifecycle pages: the legal-hold panel on the incident page, and the privacy page (the
retention policy and its last passes, holds in force, a person's data: find, export, erase).
Nothing needs JavaScript."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import FormError, form_action, kept_values, refusal_message, subject_action
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import Translator, render
from . import service
from .schemas import HoldIn, ReleaseIn, SubjectData, SubjectIn

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(hold_placed=N_("The incident is under legal hold: retention keeps everything linked to it."),
              hold_released=N_("The legal hold was released: retention applies to the incident again."),
              retention_applied=N_("Retention was applied; what it did is in the audit log."),
              subject_erased=N_("The person's data was erased; the erasure is in the audit log (counts only)."))
pages.globals_(PRIVACY_CLASS_LABELS={
    "signals": N_("Signals"), "signal_text": N_("Signals' text and reporter details"),
    "media": N_("Media references"), "notes": N_("Notes"), "exposure": N_("Exposure log"),
    "closed_incidents": N_("Closed incidents"), "audit_events": N_("Audit events")},
    PRIVACY_ACTION_LABELS={"redact": N_("redacted"), "delete": N_("deleted")})
UserDep = Annotated[WebUser, Depends(require_user)]


# --- the incident page's panel -------------------------------------------------------------------

def incident_hold(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The incident's hold in force (and its history) for everyone who sees the incident; the form
    for those who may place or release one."""
    found = service.holds(session, actor, inc.ref)
    current = next((h for h in found if h.released_at is None), None)
    return {"hold_panel": {"current": current, "released": [h for h in found if h.released_at is not None][:3],
                           "can": actor.can(Perm.LEGAL_HOLD)}}


pages.panel("incident.side", "privacy/_incident_hold.html", incident_hold, order=20)


@router.post("/incidents/{ref}/legal-hold")
def place_hold(request: Request, ref: str, posted: PostedDep) -> Response:
    form = kept_values(posted.form)
    return subject_action(request, posted, slot="incident", key=ref, form="legal-hold",
                          build=lambda: HoldIn(reason=form.get("reason") or ""),
                          call=lambda s, data: service.place_hold(s, posted.actor, ref, data),
                          redirect=lambda _s, out: f"/incidents/{out.incident}?done=hold_placed#legal-hold")


@router.post("/incidents/{ref}/legal-hold/release")
def release_hold(request: Request, ref: str, posted: PostedDep) -> Response:
    form = kept_values(posted.form)
    return subject_action(request, posted, slot="incident", key=ref, form="legal-hold",
                          build=lambda: ReleaseIn(reason=form.get("release_reason") or ""),
                          call=lambda s, data: service.release_hold(s, posted.actor, ref, data),
                          redirect=lambda _s, out: f"/incidents/{out.incident}?done=hold_released#legal-hold")


# --- the privacy page ----------------------------------------------------------------------------

def privacy_page(request: Request, user: WebUser, _key: str = "", *, failed: str = "", error: str = "",
                 values: dict[str, str] | None = None, found: SubjectData | None = None,
                 status: int = 200) -> Response:
    if not user.actor.can(Perm.PRIVACY_MANAGE):
        return html_error(request, 403, "Forbidden", "your role does not allow privacy:manage")
    with unit_of_work(read_only=True) as s:
        rules = service.policy(user.actor)
        runs = service.last_runs(s, user.actor, limit=5)
        holds = service.held_incidents(s, user.actor) if user.actor.can(Perm.LEGAL_HOLD) else []
    return render(request, "privacy/page.html", {
        "rules": rules, "runs": runs, "holds": holds, "found": found, "failed": failed, "error": error,
        "values": values or {}}, status=status)


pages.page("privacy", privacy_page)


@router.get("/privacy")
def privacy(request: Request, user: UserDep) -> Response:
    return privacy_page(request, user)


def _subject(form: dict[str, str]) -> SubjectIn:
    return SubjectIn.model_validate({"kind": form.get("kind") or "", "identifier": form.get("identifier") or ""})


@router.post("/privacy/find")
def find(request: Request, posted: PostedDep) -> Response:
    """Show what is held about the person (a POST: the identifier stays out of addresses and logs)."""
    values = kept_values(posted.form)
    try:
        data = _subject(values)
        with unit_of_work(read_only=True) as s:
            found = service.subject_data(s, posted.actor, data)
    except (DomainError, ValueError) as exc:
        status = exc.status if isinstance(exc, DomainError) else 422
        return privacy_page(request, posted.user, failed="subject", values=values, status=status,
                            error=refusal_message(request_locale(request), exc))
    return privacy_page(request, posted.user, values=values, found=found)


@router.post("/privacy/export")
def export(request: Request, posted: PostedDep) -> Response:
    """The person's data as a JSON download; the export is recorded (counts only)."""
    values = kept_values(posted.form)
    try:
        data = _subject(values)
        with unit_of_work() as s:
            found = service.subject_data(s, posted.actor, data, export=True)
    except (DomainError, ValueError) as exc:
        status = exc.status if isinstance(exc, DomainError) else 422
        return privacy_page(request, posted.user, failed="subject", values=values, status=status,
                            error=refusal_message(request_locale(request), exc))
    body = json.dumps(found.model_dump(mode="json"), ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{data.kind}-data.json"', "Cache-Control": "no-store"})


@router.post("/privacy/erase")
def erase(request: Request, posted: PostedDep) -> Response:
    values = kept_values(posted.form)

    def build() -> SubjectIn:
        data = _subject(values)
        if values.get("confirm") != "1":
            _ = Translator(request_locale(request))
            raise FormError(_("Tick the box to confirm: an erasure cannot be undone."))
        return data

    def refused(message: str, status: int) -> Response:
        return privacy_page(request, posted.user, failed="erase", error=message, values=values, status=status)

    return form_action(request, build=build, call=lambda s, data: service.erase_subject(s, posted.actor, data),
                       redirect=lambda _s, _out: "/privacy?done=subject_erased", refused=refused,
                       not_found="refuse")


@router.post("/privacy/retention")
def run_retention(request: Request, posted: PostedDep) -> Response:
    return subject_action(request, posted, slot="privacy", key="", form="retention", build=lambda: None,
                          call=lambda s, _data: service.apply_retention(s, posted.actor),
                          redirect=lambda _s, _out: "/privacy?done=retention_applied")
