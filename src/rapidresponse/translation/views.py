"""Translation pages: the queue (by the viewer's language skills), the side-by-side review page
(source, suggestion, memory matches, glossary hits, checks, edit, approve or return), the viewer's
language skills, the glossary and the memory managers, and the incident page's translations panel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from .. import wellness
from ..auth import Actor, Perm
from ..db import unit_of_work
from ..errors import DomainError, NotFound, ValidationFailed
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.errors import html_error
from ..web.forms import domain_message
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import render
from . import glossary, memory, service, skills, sources
from .schemas import TermIn, VariantIn
from .vocab import (
    CHANNEL_LABELS,
    CHANNEL_LIMITS,
    LANGUAGES,
    LEVELS,
    MARK_CATEGORIES,
    PART_OF_SPEECH_LABELS,
    PRIORITY_LABELS,
    SOURCE_KINDS,
    STATES,
    TERM_DOMAIN_LABELS,
    TERM_DOMAINS,
)

router = APIRouter(include_in_schema=False)
UserDep = Annotated[WebUser, Depends(require_user)]
pages.templates(__file__)
pages.notices(translation_requested=N_("The translation was requested."),
              translation_started=N_("You took the translation."),
              translation_saved=N_("Your draft was saved."),
              translation_submitted=N_("The translation was sent for review."),
              translation_approved=N_("You approved the translation."),
              translation_returned=N_("You returned the translation to its translator."),
              languages_saved=N_("Your language skills were saved."),
              term_saved=N_("The glossary entry was saved."), term_removed=N_("The glossary entry was removed."),
              glossary_imported=N_("The glossary file was imported."),
              memory_imported=N_("The memory file was imported."))
TABS = {"translate": N_("To translate"), "review": N_("To review"), "mine": N_("Asked by me"),
        "open": N_("All open"), "done": N_("Done")}
MAX_UPLOAD = 10_000_000
PROBLEMS = {"glossary_term": N_("Glossary term not used"), "forbidden_variant": N_("Forbidden variant"),
            "do_not_translate": N_("Must stay untranslated"), "numbers": N_("Numbers or dates changed"),
            "urls": N_("Links or addresses changed"), "hashtags": N_("Hashtags or mentions changed"),
            "placeholders": N_("Placeholders changed"), "untranslated": N_("Left untranslated"),
            "length": N_("Too long for the channel")}


def _labels() -> dict[str, Any]:
    return {"LANGUAGES": LANGUAGES, "LEVELS": LEVELS, "STATES": STATES, "SOURCE_KINDS": SOURCE_KINDS,
            "PRIORITY_LABELS": PRIORITY_LABELS, "MARK_CATEGORIES": MARK_CATEGORIES, "CHANNELS": CHANNEL_LIMITS,
            "CHANNEL_LABELS": CHANNEL_LABELS, "PART_OF_SPEECH_LABELS": PART_OF_SPEECH_LABELS,
            "TERM_DOMAIN_LABELS": TERM_DOMAIN_LABELS,
            "PROBLEMS": PROBLEMS, "TERM_DOMAINS": TERM_DOMAINS, "TABS": TABS}


def hidden_ids(session: Session, actor: Actor, rows: list[Any], revealed: str | None = None) -> set[int]:
    """The requests whose text waits behind a warning for this person: harmful material their
    safe-viewing settings hide (click to reveal, or the warning before the most severe classes);
    ``revealed`` names the one item just revealed."""
    view = wellness.safe_view(session, actor, revealed)
    return {r.id for r in rows if r.harm and view.item(r.harm, f"translation-{r.id}").hidden}


def _error(request: Request, exc: DomainError) -> str:
    return domain_message(request_locale(request), exc)


# --- the queue -------------------------------------------------------------------------------------

def _queue(request: Request, user: WebUser, *, values: dict[str, str] | None = None, error: str = "",
           status: int = 200) -> Response:
    tab = request.query_params.get("tab", "translate")
    tab = tab if tab in TABS else "translate"
    try:
        with unit_of_work(read_only=True) as s:
            rows = service.queue(s, user.actor, tab=tab)
            people = service.people_of(s, rows)
            mine = skills.skills_of(s, user.actor.user_id) if user.actor.user_id else {}
            hidden = hidden_ids(s, user.actor, rows)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "translation/queue.html", {
        "rows": rows, "tab": tab, "people": people, "my_skills": mine, "values": values or {}, "error": error,
        "hidden": hidden,
        "can_request": user.actor.can(Perm.INCIDENTS_NOTE), **_labels()}, status=status)


@router.get("/translations")
def queue(request: Request, user: UserDep) -> Response:
    """The queue; a "Translate" link elsewhere fills the request form with its object (kind, id, incident)."""
    values = {k: request.query_params.get(k, "")[:64] for k in ("source_kind", "source_id", "incident", "source_lang")}
    return _queue(request, user, values=values)


@router.post("/translations")
def request_translation(request: Request, posted: PostedDep) -> Response:
    keys = ("source_kind", "source_id", "source_lang", "target_lang", "text", "incident", "harm", "channel")
    values = {k: posted.get(k).strip() if k != "text" else posted.get(k) for k in keys}
    try:
        with unit_of_work() as s:
            r = service.request(s, posted.actor, source_kind=values["source_kind"] or "text",
                                source_id=values["source_id"], source_lang=values["source_lang"],
                                target_lang=values["target_lang"], text=values["text"],
                                incident=values["incident"] or None, harm=values["harm"] or None,
                                channel=values["channel"] or None)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            read = values["source_id"] and sources.readable(values["source_kind"])
            exc = ValidationFailed(exc.detail, field="source_id" if read else "incident")
        return _queue(request, posted.user, values=values, error=_error(request, exc), status=exc.status)
    return RedirectResponse(f"/translations/{r.id}?done=translation_requested", status_code=303)


# --- the review page --------------------------------------------------------------------------------

def _detail(request: Request, user: WebUser, translation_id: int, *, error: str = "", draft: str | None = None,
            status: int = 200) -> Response:
    try:
        with unit_of_work(read_only=True) as s:
            w = service.workbench(s, user.actor, translation_id, translation=draft)
            r = w.request
            people = service.people_of(s, [r])
            mine = skills.skills_of(s, user.actor.user_id) if user.actor.user_id else {}
            hidden = hidden_ids(s, user.actor, [r], request.query_params.get("revealed"))
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    me = user.actor.user_id
    return render(request, "translation/review.html", {
        "w": w, "r": r, "people": people, "error": error, "hidden": hidden,
        "draft": r.translation if draft is None else draft,
        "sha256": service.sha256(r.translation),
        "may_start": r.state in ("requested", "returned") and skills.may_translate(mine, r.source_lang,
                                                                                   r.target_lang)
        and (r.state == "requested" or r.translator_id in (None, me)),
        "may_edit": r.state == "in_translation" and r.translator_id == me,
        "may_review": r.state == "in_review" and r.translator_id != me and skills.may_review(
            mine, r.source_lang, r.target_lang),
        "blocking": any(p.severity == "error" for p in w.problems), **_labels()}, status=status)


@router.get("/translations/{translation_id}")
def review_page(request: Request, translation_id: int, user: UserDep) -> Response:
    return _detail(request, user, translation_id)


def _act(request: Request, posted: Posted, translation_id: int, done: str, draft: str | None, action: Any) -> Response:
    try:
        with unit_of_work() as s:
            action(s, posted.actor)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return html_error(request, 404, exc.title, "")
        return _detail(request, posted.user, translation_id, error=_error(request, exc), draft=draft, status=exc.status)
    return RedirectResponse(f"/translations/{translation_id}?done={done}", status_code=303)


@router.post("/translations/{translation_id}/reveal")
def reveal(request: Request, translation_id: int, posted: PostedDep) -> Response:
    """Show a hidden original once (logged as exposure), then back to the page."""
    try:
        with unit_of_work() as s:
            service.reveal(s, posted.actor, translation_id)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return RedirectResponse(f"/translations/{translation_id}?revealed=translation-{translation_id}#h-source",
                            status_code=303)


@router.post("/translations/{translation_id}/start")
def start(request: Request, translation_id: int, posted: PostedDep) -> Response:
    confirm = posted.get("confirm") == "yes"
    return _act(request, posted, translation_id, "translation_started", None,
                lambda s, a: service.start(s, a, translation_id, confirm=confirm))


@router.post("/translations/{translation_id}/translation")
def save_translation(request: Request, translation_id: int, posted: PostedDep) -> Response:
    text = posted.get("translation")
    if posted.get("action") == "submit":
        return _act(request, posted, translation_id, "translation_submitted", text,
                    lambda s, a: service.submit(s, a, translation_id, translation=text))
    return _act(request, posted, translation_id, "translation_saved", text,
                lambda s, a: service.save(s, a, translation_id, translation=text))


@router.post("/translations/{translation_id}/review")
def review(request: Request, translation_id: int, posted: PostedDep) -> Response:
    decision = posted.get("decision")
    marks: dict[str, int] = {}
    for category in MARK_CATEGORIES:
        value = posted.get(f"mark_{category}")
        if value:
            marks[category] = int(value) if value.isdigit() else 0
    done = "translation_approved" if decision == "approve" else "translation_returned"
    return _act(request, posted, translation_id, done, None, lambda s, a: service.review(
        s, a, translation_id, decision=decision, translation_sha256=posted.get("translation_sha256"),
        comment=posted.get("comment"), marks=marks))


# --- language skills ---------------------------------------------------------------------------------

def _languages(request: Request, user: WebUser, *, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        mine = skills.skills_of(s, user.actor.user_id) if user.actor.user_id else {}
    return render(request, "translation/languages.html", {"skills": mine, "error": error, **_labels()},
                  status=status)


@router.get("/account/languages")
def languages(request: Request, user: UserDep) -> Response:
    return _languages(request, user)


@router.post("/account/languages")
def save_languages(request: Request, posted: PostedDep) -> Response:
    chosen = {lang: posted.get(f"level_{lang}") for lang in LANGUAGES if posted.get(f"level_{lang}")}
    try:
        with unit_of_work() as s:
            skills.set_skills(s, posted.actor, chosen)
    except DomainError as exc:
        return _languages(request, posted.user, error=_error(request, exc), status=exc.status)
    return RedirectResponse("/account/languages?done=languages_saved", status_code=303)


# --- the glossary and the memory ---------------------------------------------------------------------

def _glossary(request: Request, user: WebUser, *, values: dict[str, str] | None = None, error: str = "",
              status: int = 200) -> Response:
    q = request.query_params.get("q", "")[:200]
    try:
        with unit_of_work(read_only=True) as s:
            terms = glossary.list_terms(s, user.actor, query=q)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "translation/glossary.html", {
        "terms": terms, "q": q, "values": values or {}, "error": error,
        "can_manage": user.actor.can(Perm.LEXICONS_MANAGE), **_labels()}, status=status)


@router.get("/glossary")
def glossary_page(request: Request, user: UserDep) -> Response:
    return _glossary(request, user)


@router.post("/glossary")
def save_term(request: Request, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in ("concept", "definition", "part_of_speech", "domain", "do_not_translate",
                                         *(f"{lang}_{part}" for lang in LANGUAGES for part in ("preferred",
                                                                                              "forbidden")))}
    try:
        variants = {lang: VariantIn(preferred=values[f"{lang}_preferred"].strip(), forbidden=[
            f.strip() for f in values[f"{lang}_forbidden"].split(",") if f.strip()]) for lang in LANGUAGES
            if values[f"{lang}_preferred"].strip() or values[f"{lang}_forbidden"].strip()}
        term = TermIn(concept=values["concept"].strip(), definition=values["definition"],
                      part_of_speech=values["part_of_speech"] or "noun",
                      domain=values["domain"] or "general",
                      do_not_translate=values["do_not_translate"] == "yes", variants=variants)
    except ValueError as exc:
        return _glossary(request, posted.user, values=values, error=str(exc).splitlines()[-1][:300], status=422)
    try:
        with unit_of_work() as s:
            glossary.save_term(s, posted.actor, term)
    except DomainError as exc:
        return _glossary(request, posted.user, values=values, error=_error(request, exc), status=exc.status)
    return RedirectResponse("/glossary?done=term_saved", status_code=303)


@router.post("/glossary/{term_id}/delete")
def remove_term(request: Request, term_id: int, posted: PostedDep) -> Response:
    try:
        with unit_of_work() as s:
            glossary.remove_term(s, posted.actor, term_id)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            return html_error(request, 404, exc.title, "")
        return _glossary(request, posted.user, error=_error(request, exc), status=exc.status)
    return RedirectResponse("/glossary?done=term_removed", status_code=303)


async def _upload(posted: Posted) -> tuple[bytes, str]:
    field = posted.form.get("file")
    if not isinstance(field, UploadFile) or not field.filename:
        raise ValidationFailed("choose a file to upload", field="file")
    data = await field.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationFailed(f"the file is over {MAX_UPLOAD} bytes", field="file")
    return data, field.filename[:200]


@router.post("/glossary/import")
async def import_glossary(request: Request, posted: PostedDep) -> Response:
    try:
        data, name = await _upload(posted)
        with unit_of_work() as s:
            glossary.import_tbx(s, posted.actor, data, name=name)
    except DomainError as exc:
        return _glossary(request, posted.user, error=_error(request, exc), status=exc.status)
    return RedirectResponse("/glossary?done=glossary_imported", status_code=303)


def _memory(request: Request, user: WebUser, *, error: str = "", status: int = 200) -> Response:
    q = request.query_params.get("q", "")[:200]
    try:
        with unit_of_work(read_only=True) as s:
            rows, total = memory.list_segments(s, user.actor, query=q)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    return render(request, "translation/memory.html", {
        "rows": rows, "total": total, "q": q, "error": error,
        "can_manage": user.actor.can(Perm.LEXICONS_MANAGE), **_labels()}, status=status)


@router.get("/translation-memory")
def memory_page(request: Request, user: UserDep) -> Response:
    return _memory(request, user)


@router.post("/translation-memory/import")
async def import_memory(request: Request, posted: PostedDep) -> Response:
    try:
        data, name = await _upload(posted)
        with unit_of_work() as s:
            memory.import_tmx(s, posted.actor, data, name=name)
    except DomainError as exc:
        return _memory(request, posted.user, error=_error(request, exc), status=exc.status)
    return RedirectResponse("/translation-memory?done=memory_imported", status_code=303)


# --- the incident page's panel ----------------------------------------------------------------------

def incident_translations(session: Session, actor: Actor, inc: Any, locale: str) -> dict[str, Any]:
    """The incident's translations, each original next to its translation."""
    if not actor.can(Perm.INCIDENTS_READ):
        return {"translations_panel": None}
    rows = service.for_incident(session, actor, inc.ref)
    return {"translations_panel": {"rows": rows, "hidden": hidden_ids(session, actor, rows), **_labels()}}


pages.panel("incident.main", "translation/_incident_translations.html", incident_translations, order=40)
