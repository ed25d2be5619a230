"""Review pages: the review editor of an incident (figures, key moments, sections, exit criteria,
feedback, the workflow to publication, exports, action items), the list of reviews, the board of
action items across incidents, the learning page; and the review panel on the incident page.

Every form posts, calls one service function and redirects back; a refused form shows the editor
again with the message beside it and the input kept. Nothing needs JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from ..errors import DomainError, NotFound
from ..http import Id, document
from ..i18n import N_
from ..web import pages
from ..web.charts import bars
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import field_errors, form_action, parse_local_datetime, split_list, subject_action
from ..web.security import Posted, PostedDep, WebUser, require_user, safe_next
from ..web.templating import Translator, local_input_value, render
from . import actions, export, service, vocab
from .schemas import (
    ActionItemFilter,
    ActionItemIn,
    ActionItemUpdate,
    CriterionIn,
    FeedbackIn,
    MeetingIn,
    MomentIn,
    ReviewEdit,
    SignoffIn,
)

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(review_drafted=N_("The review was drafted from the incident's timeline."),
              review_saved=N_("The review was saved."),
              review_figures=N_("The figures were computed again."),
              review_moments=N_("The key moments were changed."),
              review_criterion=N_("The exit criterion was updated."),
              review_feedback=N_("Thank you: your feedback was recorded."),
              review_submitted=N_("The review was submitted for review."),
              review_meeting=N_("The review meeting was recorded."),
              review_signed=N_("You signed the review off."),
              review_published=N_("The review was published."),
              item_added=N_("The action item was added."),
              item_updated=N_("The action item was updated."),
              item_playbook=N_("The proposed playbook was saved as a new version."))
pages.globals_(REVIEW_STATES=vocab.STATES, REVIEW_STATE_LABELS=vocab.STATE_LABELS,
               REVIEW_SECTIONS=vocab.SECTIONS, REVIEW_SECTION_LABELS=vocab.SECTION_LABELS,
               ITEM_KINDS=vocab.KINDS, ITEM_KIND_LABELS=vocab.KIND_LABELS, ITEM_PRIORITIES=vocab.PRIORITIES,
               ITEM_STATUSES=vocab.ITEM_STATUSES, MOMENT_KINDS=vocab.MOMENT_KINDS,
               MOMENT_KIND_LABELS=vocab.MOMENT_KIND_LABELS,
               ITEM_STATUS_LABELS=vocab.ITEM_STATUS_LABELS,
               PRIORITY_LABELS={"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")},
               CRITERION_LABELS={"open": N_("Not decided yet"), "met": N_("Met"), "waived": N_("Waived")})
MISSING = {"the review meeting has not been recorded": N_("the review meeting has not been recorded"),
           "the summary is empty": N_("the summary is empty")}
MAX_WHYS = 7


def missing_parts(missing: list[str]) -> list[dict[str, str]]:
    """``ReviewOut.missing`` as messages the template translates: a fixed text, or a role's sign-off."""
    out = []
    for text in missing:
        if text.startswith("no sign-off from the "):
            out.append({"role": text.removeprefix("no sign-off from the ").replace(" ", "_")})
        else:
            out.append({"text": MISSING.get(text, text)})
    return out


# --- the review editor ----------------------------------------------------------------------

def review_page(request: Request, user: WebUser, ref: str, *, failed: str = "", error: str = "",
                values: dict[str, str] | None = None, status: int = 200) -> Response:
    """The editor; after a refused form, with ``error`` beside form ``failed`` and the input kept."""
    locale = request_locale(request)
    actor = user.actor
    _ = Translator(locale)
    with unit_of_work(read_only=True) as s:
        review = service.find(s, actor, ref[:40])
        recurrences = actions.recurrences(s, actor, ref[:40])
    ctx: dict[str, Any] = {"review": review, "ref": ref, "recurrences": recurrences, "failed": failed,
                           "error": error, "values": values or {}, "max_whys": MAX_WHYS,
                           "local_input": lambda dt: local_input_value(dt, actor.timezone),
                           "now_input": local_input_value(now(), actor.timezone)}
    if review is not None:
        f = review.figures
        exposure = f.get("exposure") or {}
        by_country = [(c, int(n)) for c, n in (exposure.get("by_country") or {}).items()]
        signed = {so.role for so in review.signoffs}
        ctx.update({
            "figures": [(label, export.duration(f.get(key), _)) for key, label in export.FIGURES],
            "exposure": exposure, "exposure_chart": bars(by_country),
            "tasks": f.get("tasks") or {}, "clocks": f.get("clocks") or {}, "updates": f.get("updates") or {},
            "missing": missing_parts(review.missing), "unsigned": [r for r in review.required_signoffs
                                                                   if r not in signed],
            "editable": review.state in service.EDITABLE,
            "whys": (review.whys + [""] * MAX_WHYS)[:MAX_WHYS],
        })
    return render(request, "reviews/review.html", ctx, status=status)


pages.page("review", review_page)


@router.get("/incidents/{ref}/review")
def review_editor(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return review_page(request, user, ref)


def _act(request: Request, posted: Posted, ref: str, *, form: str, build: Callable[[], Any],
         call: Callable[[Session, Any], object], done: str, anchor: str) -> Response:
    """A form of the editor: refused, the editor again with the message beside ``form``."""
    return subject_action(request, posted, slot="review", key=ref, form=form, build=build, call=call,
                          redirect=lambda _s, _r: f"/incidents/{ref}/review?done={done}#{anchor}")


def _when(posted: Posted, name: str) -> Any:
    """A ``datetime-local`` field in the user's zone, as UTC (ValueError when malformed)."""
    return parse_local_datetime(posted.get(name), posted.actor.timezone)


@router.post("/incidents/{ref}/review/draft")
def draft(request: Request, ref: str, posted: PostedDep) -> Response:
    language = posted.get("language", "en")
    return _act(request, posted, ref, form="draft", done="review_drafted", anchor="review", build=lambda: language,
                call=lambda s, lang: service.draft(s, posted.actor, ref, language=lang,
                                                   _=Translator(lang if lang in vocab.LANGUAGES else "en")))


@router.post("/incidents/{ref}/review/sections")
def save_sections(request: Request, ref: str, posted: PostedDep) -> Response:
    def build() -> ReviewEdit:
        data: dict[str, Any] = {key: posted.get(key) for key in vocab.SECTIONS if key in posted.form}
        data["whys"] = [w for w in posted.getlist("why")[:MAX_WHYS]]
        if posted.get("language"):
            data["language"] = posted.get("language")
        return ReviewEdit.model_validate(data)

    return _act(request, posted, ref, form="sections", done="review_saved", anchor="sections", build=build,
                call=lambda s, data: service.edit(s, posted.actor, ref, data))


@router.post("/incidents/{ref}/review/figures")
def refresh_figures(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="figures", done="review_figures", anchor="figures", build=lambda: None,
                call=lambda s, _d: service.refresh(s, posted.actor, ref))


def _moment(posted: Posted) -> MomentIn:
    return MomentIn.model_validate({"at": _when(posted, "at"), "kind": posted.get("kind", "other"),
                                    "text": posted.get("text")})


@router.post("/incidents/{ref}/review/moments")
def add_moment(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="moment-new", done="review_moments", anchor="moments",
                build=lambda: _moment(posted), call=lambda s, data: service.add_moment(s, posted.actor, ref, data))


@router.post("/incidents/{ref}/review/moments/{moment_id}")
def edit_moment(request: Request, ref: str, moment_id: Id, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"moment-{moment_id}", done="review_moments", anchor="moments",
                build=lambda: _moment(posted),
                call=lambda s, data: service.edit_moment(s, posted.actor, ref, moment_id, data))


@router.post("/incidents/{ref}/review/moments/{moment_id}/move")
def move_moment(request: Request, ref: str, moment_id: Id, posted: PostedDep) -> Response:
    by = -1 if posted.get("direction") == "up" else 1
    return _act(request, posted, ref, form=f"moment-{moment_id}", done="review_moments", anchor="moments",
                build=lambda: by, call=lambda s, n: service.move_moment(s, posted.actor, ref, moment_id, n))


@router.post("/incidents/{ref}/review/moments/{moment_id}/remove")
def remove_moment(request: Request, ref: str, moment_id: Id, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"moment-{moment_id}", done="review_moments", anchor="moments",
                build=lambda: None, call=lambda s, _d: service.remove_moment(s, posted.actor, ref, moment_id))


@router.post("/incidents/{ref}/review/criteria/{position}")
def decide_criterion(request: Request, ref: str, position: Id, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form=f"criterion-{position}", done="review_criterion", anchor="criteria",
                build=lambda: CriterionIn.model_validate({"state": posted.get("state"),
                                                          "reason": posted.get("reason")}),
                call=lambda s, data: service.decide_criterion(s, posted.actor, ref, position, data))


@router.post("/incidents/{ref}/review/feedback")
def give_feedback(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="feedback", done="review_feedback", anchor="feedback",
                build=lambda: FeedbackIn.model_validate({
                    "went_well": posted.get("went_well"), "went_poorly": posted.get("went_poorly"),
                    "wellbeing": posted.get("wellbeing"), "anonymous": posted.get("anonymous") == "1"}),
                call=lambda s, data: service.give_feedback(s, posted.actor, ref, data))


@router.post("/incidents/{ref}/review/submit")
def submit(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="workflow", done="review_submitted", anchor="workflow",
                build=lambda: None, call=lambda s, _d: service.submit(s, posted.actor, ref))


@router.post("/incidents/{ref}/review/meeting")
def record_meeting(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="meeting", done="review_meeting", anchor="workflow",
                build=lambda: MeetingIn.model_validate({"held_at": _when(posted, "held_at"),
                                                        "attendees": split_list(posted.get("attendees")),
                                                        "notes": posted.get("notes")}),
                call=lambda s, data: service.record_meeting(s, posted.actor, ref, data))


@router.post("/incidents/{ref}/review/signoff")
def sign_off(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="signoff", done="review_signed", anchor="workflow",
                build=lambda: SignoffIn.model_validate({"role": posted.get("role"), "comment": posted.get("comment")}),
                call=lambda s, data: service.sign_off(s, posted.actor, ref, data))


@router.post("/incidents/{ref}/review/publish")
def publish(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="workflow", done="review_published", anchor="workflow",
                build=lambda: None, call=lambda s, _d: service.publish(s, posted.actor, ref))


def _due(posted: Posted) -> Any:
    """A due date (the end of that day in the user's zone) or a full ``datetime-local``."""
    value = posted.get("due_at").strip()
    return parse_local_datetime(value + "T23:59" if len(value) == 10 else value, posted.actor.timezone)


@router.post("/incidents/{ref}/review/action-items")
def add_item(request: Request, ref: str, posted: PostedDep) -> Response:
    return _act(request, posted, ref, form="item-new", done="item_added", anchor="items",
                build=lambda: ActionItemIn.model_validate({
                    "title": posted.get("title"), "description": posted.get("description"),
                    "kind": posted.get("kind"), "priority": posted.get("priority", "medium"),
                    "owner": posted.get("owner").strip() or None, "due_at": _due(posted),
                    "proposed_playbook": posted.get("proposed_playbook")}),
                call=lambda s, data: actions.add(s, posted.actor, ref, data))


@router.get("/incidents/{ref}/review/export")
def export_review(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The review as Markdown or PDF in English or Russian (what the API's export returns)."""
    fmt, language = request.query_params.get("format", "md"), request.query_params.get("language", "")
    if fmt not in ("md", "pdf") or language not in ("", *vocab.LANGUAGES):
        return html_error(request, 404, "Not found", "")
    with unit_of_work(read_only=True) as s:
        review = service.get(s, user.actor, ref[:40])
    lang = language or review.language
    return document(export.markdown(review, lang, Translator(lang)), fmt, title=review.incident, language=lang,
                    name=f"{review.incident}-review")


# --- action items (the editor's list and the board) -------------------------------------------

def _item_update(posted: Posted) -> ActionItemUpdate:
    data: dict[str, Any] = {"status": posted.get("status") or None}
    for key in ("evidence", "reason"):
        if posted.get(key).strip():
            data[key] = posted.get(key).strip()
    return ActionItemUpdate.model_validate(data)


def _item_action(request: Request, posted: Posted, item_id: int, *, done: str,
                 call: Callable[[Session, Any], object], build: Callable[[], Any]) -> Response:
    """An action item's form, on the board or in the editor (``back`` says which); refused, that page
    again with the message beside the item."""
    back = safe_next(posted.get("back"), "/action-items")
    target = back.split("#")[0]
    joiner = "&" if "?" in target else "?"

    def refused(message: str, status: int) -> Response:
        form, values = f"item-{item_id}", {k: posted.get(k) for k in posted.form if k != "csrf_token"}
        if target.startswith("/incidents/"):
            ref = target.split("/")[2]
            return review_page(request, posted.user, ref, failed=form, error=message, values=values, status=status)
        return board_page(request, posted.user, failed=form, error=message, values=values, status=status)

    return form_action(request, build=build, call=call, refused=refused, not_found="refuse",
                       redirect=lambda _s, _r: f"{target}{joiner}done={done}#item-{item_id}")


@router.post("/action-items/{action_item_id}")
def update_item(request: Request, action_item_id: Id, posted: PostedDep) -> Response:
    return _item_action(request, posted, action_item_id, done="item_updated", build=lambda: _item_update(posted),
                        call=lambda s, data: actions.update(s, posted.actor, action_item_id, data))


@router.post("/action-items/{action_item_id}/accept-playbook")
def accept_playbook(request: Request, action_item_id: Id, posted: PostedDep) -> Response:
    return _item_action(request, posted, action_item_id, done="item_playbook", build=lambda: None,
                        call=lambda s, _d: actions.accept_playbook(s, posted.actor, action_item_id))


def _board_filter(request: Request) -> tuple[ActionItemFilter, dict[str, str], str]:
    qp = request.query_params
    raw = {k: qp.get(k, "").strip()[:40] for k in ("owner", "kind", "overdue", "status")}
    data: dict[str, Any] = {k: v for k, v in raw.items() if v and k != "overdue"}
    if raw["overdue"] == "1":
        data["overdue"] = True
    data["limit"] = 500
    try:
        return ActionItemFilter.model_validate(data), raw, ""
    except ValidationError as exc:
        return ActionItemFilter(limit=500), raw, "; ".join(field_errors(request_locale(request), exc).values())


def board_page(request: Request, user: WebUser, *, failed: str = "", error: str = "",
               values: dict[str, str] | None = None, status: int = 200) -> Response:
    flt, raw, filter_error = _board_filter(request)
    try:
        with unit_of_work(read_only=True) as s:
            items, total = actions.list_items(s, user.actor, flt)
    except NotFound as exc:  # an owner nobody is
        with unit_of_work(read_only=True) as s:
            items, total = actions.list_items(s, user.actor, ActionItemFilter(limit=500))
        filter_error = exc.detail
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(item.owner or "", []).append(item)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, "reviews/board.html", {
        "items": items, "total": total, "groups": sorted(groups.items(), key=lambda kv: (kv[0] == "", kv[0])),
        "f": raw, "filter_error": filter_error, "failed": failed, "error": error, "values": values or {},
        "back": here}, status=status)


@router.get("/action-items")
def board(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return board_page(request, user)


# --- the list of reviews and the learning page -------------------------------------------------

@router.get("/reviews")
def review_list(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    state = request.query_params.get("state", "")
    state = state if state in vocab.STATES else ""
    try:
        with unit_of_work(read_only=True) as s:
            rows, total = service.list_reviews(s, user.actor, state=state or None, limit=200)
            counts = service.states(s, user.actor)
            awaiting = service.learning(s, user.actor).awaiting_review
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "reviews/list.html", {"rows": rows, "total": total, "state": state, "counts": counts,
                                                 "all": sum(counts.values()), "awaiting": awaiting})


@router.get("/learning")
def learning(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            out = service.learning(s, user.actor)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    recurring = [(f"{r['harm']} · {r['country']}", int(r["count"])) for r in out.recurrences]
    return render(request, "reviews/learning.html", {
        "l": out, "recurrence_chart": bars(recurring),
        "kinds_chart": bars(sorted(out.items_by_kind.items(), key=lambda kv: -kv[1]))})


# --- the incident page's panel ----------------------------------------------------------------

def incident_review(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The incident's review (its state, a link to the editor) and the earlier incidents it recurs."""
    if not actor.can(Perm.INCIDENTS_READ):
        return {"review_panel": None}
    review = service.find(session, actor, inc.ref)
    return {"review_panel": {
        "review": review, "recurrences": actions.recurrences(session, actor, inc.ref),
        "missing": missing_parts(review.missing) if review else [],
        "draftable": review is None and inc.status not in ("triage", "cancelled", "merged"),
        "required": inc.severity in get_settings().review_required_severities}}


pages.panel("incident.side", "reviews/_incident_review.html", incident_review, order=5)
