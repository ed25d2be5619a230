"""Playbook pages: the library, one playbook for reading (and saving a new version), the checklist
panel of the incident page with its forms (apply or replace a playbook, set conditions), and the
comms composer of an incident (its stakeholder updates: a template preview with the live facts,
drafts that can be edited, approval requests and sending)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from .. import incidents
from ..auth import Actor, Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..incidents import IncidentSummary
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import FormError, domain_message, form_action, kept_values, subject_action
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import Translator, render
from . import service, updates
from .events import CONDITION_LABELS
from .schemas import PreviewOut
from .spec import CONDITIONS, Playbook, TaskSpec, format_duration

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(playbook_applied=N_("The playbook was applied."),
              playbook_saved=N_("The new version of the playbook was saved."),
              conditions=N_("The conditions were updated."),
              update_drafted=N_("The draft was saved."),
              update_edited=N_("The draft was changed."),
              approval_requested=N_("Approval was requested."),
              update_sent=N_("The update was queued for sending."))
GATE_LABELS = {"external_statement": N_("External statement"),
               "law_enforcement_referral": N_("Law-enforcement referral"),
               "regulator_reply": N_("Reply to a regulator"), "leadership_update": N_("Leadership update")}
AUDIENCE_LABELS = {"leadership": N_("Leadership"), "policy": N_("Policy"), "pr": N_("Press"),
                   "regional": N_("Regional teams"), "partners": N_("Partners"),
                   "law_enforcement": N_("Law enforcement"), "regulator": N_("Regulator")}
RUN_STATUS_LABELS = {"active": N_("running"), "paused": N_("paused"), "finished": N_("finished"),
                     "replaced": N_("replaced")}
pages.globals_(PLAYBOOK_GATE_LABELS=GATE_LABELS, PLAYBOOK_AUDIENCE_LABELS=AUDIENCE_LABELS,
               PLAYBOOK_RUN_STATUS_LABELS=RUN_STATUS_LABELS)
SOURCE_LABELS = {"builtin": N_("built-in"), "directory": N_("team directory"), "ui": N_("saved in the UI")}
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша", "uk": "Українська"}


def deadline(playbook: Playbook, spec: TaskSpec | None, locale: str) -> str:
    """``1h after declaration`` or ``2h after <task>``; empty when the task has no deadline."""
    _ = Translator(locale)
    if spec is None or spec.due is None:
        return ""
    within = format_duration(spec.due.within)
    if spec.due.after == "declared":
        return _("%(within)s after declaration", within=within)
    other = next((t for t in playbook.tasks if t.id == spec.due.after), None)
    name = other.title.get(locale) if other else spec.due.after
    return _("%(within)s after “%(task)s”", within=within, task=name)


# --- the library ----------------------------------------------------------------------------

@router.get("/playbooks")
def library_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    with unit_of_work(read_only=True) as s:
        found, broken = service.list_playbooks(s, user.actor)
    return render(request, "playbooks/list.html", {"entries": found, "broken": broken, "duration": format_duration,
                                                   "SOURCE_LABELS": SOURCE_LABELS})


def _detail(request: Request, user: WebUser, playbook_id: str, *, text: str | None = None, error: str = "",
            preview: dict[str, Any] | None = None, status: int = 200) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            entry = service.get_playbook(s, user.actor, playbook_id)
            versions = service.versions(s, user.actor, playbook_id)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    locale = request_locale(request)
    pb = entry.playbook
    shown = entry.text if text is None else text
    return render(request, "playbooks/detail.html", {
        "entry": entry, "pb": pb, "versions": versions, "text": shown,
        "error": error, "error_line": _error_line(error, shown), "preview": preview,
        "SOURCE_LABELS": SOURCE_LABELS, "CONDITION_LABELS": CONDITION_LABELS, "CONDITIONS": CONDITIONS,
        "deadline": lambda spec: deadline(pb, spec, locale), "duration": format_duration,
        "can_manage": user.actor.can(Perm.PLAYBOOKS_MANAGE),
    }, status=status)


_LINE = re.compile(r"\bplaybook:(\d+):")


def _error_line(error: str, text: str) -> tuple[int, str] | None:
    """The line an error names (``playbook:12: …``) and its text, to show beside the message."""
    found = _LINE.search(error)
    lines = text.split("\n")
    if found is None or not 1 <= int(found.group(1)) <= len(lines):
        return None
    number = int(found.group(1))
    return number, lines[number - 1]


@router.get("/playbooks/{playbook_id}")
def playbook_page(request: Request, playbook_id: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _detail(request, user, playbook_id[:80])


@router.post("/playbooks/{playbook_id}")
def save_version(request: Request, playbook_id: str, posted: PostedDep) -> Response:
    """Save a new version from the YAML textarea, or (``action=preview``) show the tasks it would create
    without saving; a refused text stays in the form with its error and the line it names."""
    text = posted.get("text").replace("\r\n", "\n")
    locale = request_locale(request)
    try:
        if posted.get("action") == "preview":
            return _preview(request, posted, playbook_id[:80], text)
        with unit_of_work() as s:
            saved_id = service.save(s, posted.actor, text).playbook_id
    except DomainError as exc:
        if exc.status in (403, 404):
            return html_error(request, exc.status, exc.title, exc.detail)
        return _detail(request, posted.user, playbook_id[:80], text=text, error=domain_message(locale, exc),
                       status=exc.status)
    return RedirectResponse(f"/playbooks/{saved_id}?done=playbook_saved#versions", status_code=303)


def _preview(request: Request, posted: Posted, playbook_id: str, text: str) -> Response:
    severity = int(posted.get("severity")) if posted.get("severity") in ("1", "2", "3", "4") else 2
    conditions = [c for c in posted.getlist("conditions") if c in CONDITIONS]
    playbook, tasks = service.preview(posted.actor, text, severity=severity, conditions=conditions)
    locale = request_locale(request)
    rows = [{"title": t.title.get(locale), "owner_role": t.owner_role.value, "deadline": deadline(playbook, t, locale),
             "done_when": t.done_when.get(locale)} for t in tasks]
    return _detail(request, posted.user, playbook_id, text=text, preview={
        "severity": severity, "conditions": conditions, "tasks": rows, "id": playbook.id,
        "version": playbook.version, "skipped": len(playbook.tasks) - len(tasks)})


# --- the checklist panel of the incident page -----------------------------------------------

def checklist_context(s: Session, actor: Actor, inc: IncidentSummary, locale: str) -> dict[str, Any]:
    """What the checklist section of the incident page shows."""
    cl = service.checklist(s, actor, inc.ref)
    library = [(e.playbook.id, e.playbook.title.get(locale)) for e in service.list_playbooks(s, actor)[0]]
    active = cl is not None and cl.run.status in ("active", "paused")
    due = cl.run.next_update_due_at if cl is not None and active else None
    titles = {sp.id: sp.title.get(locale) for sp in cl.playbook.tasks} if cl else {}
    history = [{"title": run.title.get(locale), "version": run.version, "status": run.status,
                "applied_at": run.applied_at} for run in (cl.history if cl else [])]
    return {
        "cl": cl, "cl_active": active, "cl_library": library, "cl_next_update": due,
        "cl_update_overdue": bool(due and due < now()), "cl_step_titles": titles,
        "cl_deadline": (lambda spec: deadline(cl.playbook, spec, locale)) if cl else (lambda spec: ""),
        "cl_history": history, "CONDITIONS": CONDITIONS, "CONDITION_LABELS": CONDITION_LABELS,
        # the incident page's task list shows the playbook's words of its tasks in the reader's language
        "task_wording": service.task_texts(s, incidents.tasks(s, actor, inc.ref), locale, Translator(locale)),
    }


pages.panel("incident.main", "playbooks/_checklist.html", checklist_context, order=10)


def _on_incident(request: Request, posted: Posted, ref: str, *, form: str, build: Callable[[], Any],
                 call: Callable[[Session, Any], object], done: str) -> Response:
    return subject_action(request, posted, slot="incident", key=ref, form=form, build=build, call=call,
                          redirect=lambda s, _: f"/incidents/{incidents.get(s, posted.actor, ref).ref}"
                                                f"?done={done}#checklist")


@router.post("/incidents/{ref}/playbook")
def apply_playbook(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> str:
        _ = Translator(request_locale(request))
        value = posted.get("playbook_id").strip()
        if not value:
            raise FormError(_("Choose a playbook."))
        return value

    return _on_incident(request, posted, ref, form="playbook", done="playbook_applied", build=build,
                        call=lambda s, pid: service.apply(s, posted.actor, ref, pid))


@router.post("/incidents/{ref}/playbook/conditions")
def set_conditions(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> list[str]:
        _ = Translator(request_locale(request))
        chosen = posted.getlist("conditions")
        if any(c not in CONDITIONS for c in chosen):
            raise FormError(_("Choose a value from the list."))
        return chosen

    return _on_incident(request, posted, ref, form="conditions", done="conditions", build=build,
                        call=lambda s, chosen: service.set_conditions(s, posted.actor, ref, chosen))


# --- the comms composer ---------------------------------------------------------------------

def updates_page(request: Request, user: WebUser, ref: str, *, failed: str = "", error: str = "",
                 values: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    qp = request.query_params
    template_id, language = qp.get("template", "")[:80], qp.get("language", "")[:5]
    preview: PreviewOut | None = None
    preview_error = ""
    with unit_of_work(read_only=True) as s:
        board = updates.overview(s, actor, ref)
        if template_id:
            try:
                preview = updates.preview(s, actor, board.incident.ref, template_id=template_id,
                                          language=language or "en")
            except DomainError as exc:  # the incident exists (read above): the template or language
                preview_error = domain_message(request_locale(request), exc)
    return render(request, "playbooks/updates.html", {
        "inc": board.incident, "items": board.updates, "gates": board.gates, "playbook": board.playbook,
        "approvers": board.approvers,
        "audiences": board.audiences, "template_id": template_id, "language": language or "en", "preview": preview,
        "preview_error": preview_error, "LANGUAGE_NAMES": LANGUAGE_NAMES, "failed": failed, "error": error,
        "values": values or {}, "can_send": actor.can(Perm.UPDATES_SEND),
    }, status=status)


@router.get("/incidents/{ref}/updates")
def updates_list(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return updates_page(request, user, ref[:20])


def _on_updates(request: Request, posted: Posted, ref: str, *, form: str, call: Callable[[Session], Any],
                done: str) -> Response:
    """Run ``call`` and redirect back to the update it made or changed; a refusal shows the page again
    with its message beside form ``form`` and the input kept."""
    values = kept_values(posted.form)

    def refused(message: str, status: int) -> Response:
        return updates_page(request, posted.user, ref, failed=form, error=message, values=values, status=status)

    def redirect(s: Session, result: Any) -> str:
        anchor = f"update-{result.id}" if result is not None else "compose"
        return f"/incidents/{incidents.get(s, posted.actor, ref).ref}/updates?done={done}#{anchor}"

    return form_action(request, build=lambda: None, call=lambda s, _: call(s), redirect=redirect, refused=refused,
                       not_found="refuse")


@router.post("/incidents/{ref}/updates")
def create_update(request: Request, ref: str, posted: PostedDep) -> Response:
    return _on_updates(request, posted, ref, form="create", done="update_drafted", call=lambda s: updates.create(
        s, posted.actor, ref, audience=posted.get("audience"), language=posted.get("language"),
        subject=posted.get("subject"), body=posted.get("body").replace("\r\n", "\n"),
        template_id=posted.get("template_id") or None))


@router.post("/incidents/{ref}/updates/{update_id}")
def edit_update(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _on_updates(request, posted, ref, form=f"edit-{update_id}", done="update_edited",
                       call=lambda s: updates.edit(s, posted.actor, ref, update_id, subject=posted.get("subject"),
                                                   body=posted.get("body").replace("\r\n", "\n")))


@router.post("/incidents/{ref}/updates/{update_id}/request-approval")
def request_approval(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _on_updates(request, posted, ref, form=f"edit-{update_id}", done="approval_requested",
                       call=lambda s: updates.request_approval(s, posted.actor, ref, update_id,
                                                               approver=posted.get("approver") or None))


@router.post("/incidents/{ref}/updates/{update_id}/send")
def send_update(request: Request, ref: str, update_id: int, posted: PostedDep) -> Response:
    return _on_updates(request, posted, ref, form=f"edit-{update_id}", done="update_sent",
                       call=lambda s: updates.send(s, posted.actor, ref, update_id))
