"""Lexicon manager: lexicons per harm and language, terms, add and remove, versions; test a text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from .. import policy
from ..auth import Perm
from ..db import unit_of_work
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import form_action
from ..web.security import PostedDep, WebUser, require_user
from ..web.templating import render
from . import matching, service
from .service import KINDS, LANGUAGES

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
UserDep = Annotated[WebUser, Depends(require_user)]
KIND_LABELS = {"term": N_("Term"), "coded": N_("Coded term"), "hashtag": N_("Hashtag")}
MAX_TEST = 10_000


def _harm_names(locale: str) -> dict[str, str]:
    return {h.slug: (h.name.ru if locale == "ru" else h.name.en) for h in policy.load_taxonomy().harms()
            if not h.is_area}


def _highlight(text: str, matches: list[Any]) -> list[tuple[str, bool]]:
    """The text in pieces, each marked whether a match covers it (for <mark> without |safe)."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < pos:
            continue
        pieces += [(text[pos:m.start], False), (text[m.start:m.end], True)]
        pos = m.end
    pieces.append((text[pos:], False))
    return [p for p in pieces if p[0]]


def _index(request: Request, user: WebUser, *, text: str = "", values: dict[str, str] | None = None,
           error: str = "", status: int = 200) -> Response:
    locale = request_locale(request)
    with unit_of_work(read_only=True) as s:
        rows = [(lex, len(lex.terms or [])) for lex in service.list_lexicons(s, user.actor, with_terms=True)]
        result = matching.annotate_for(s, user.actor, [text])[0] if text.strip() else None
    return render(request, "language/index.html", {
        "rows": rows, "harms": _harm_names(locale), "languages": sorted(LANGUAGES), "kinds": KINDS,
        "kind_labels": KIND_LABELS, "can_manage": user.actor.can(Perm.LEXICONS_MANAGE), "text": text,
        "result": result, "pieces": _highlight(text, result.matches) if result else [],
        "values": values or {}, "error": error}, status=status)


@router.get("/lexicons")
def index(request: Request, user: UserDep, text: Annotated[str, Query(max_length=MAX_TEST)] = "") -> Response:
    """Every lexicon, a form to add a term, and a box to test a text against all of them."""
    user.actor.require(Perm.LEXICONS_READ)
    return _index(request, user, text=text)


@router.post("/lexicons/terms")
def add_term(request: Request, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in ("harm", "language", "term", "kind", "note")}

    def refused(message: str, status: int) -> Response:
        return _index(request, posted.user, values=values, error=message, status=status)

    return form_action(
        request, build=lambda: values, refused=refused, not_found="refuse",
        call=lambda s, v: service.add_term(s, posted.actor, harm=v["harm"], language=v["language"],
                                           term=v["term"][:1000], kind=v["kind"] or "term",
                                           substring=posted.get("substring") == "1", note=v["note"][:2000]),
        redirect=lambda s, lex: f"/lexicons/{lex.id}?done=term_added")


def _lexicon_page(request: Request, user: WebUser, lexicon_id: int, *, version: int | None = None,
                  error: str = "", values: dict[str, str] | None = None, status: int = 200) -> Response:
    locale = request_locale(request)
    with unit_of_work(read_only=True) as s:
        lex = service.get(s, user.actor, lexicon_id, version=version)
        history = service.versions(s, user.actor, lexicon_id)
    return render(request, "language/lexicon.html", {
        "lex": lex, "terms": lex.terms or [], "history": history,
        "version": lex.version if version is None else version,
        "harm_name": _harm_names(locale).get(lex.harm, lex.harm), "kinds": KINDS, "kind_labels": KIND_LABELS,
        "can_manage": user.actor.can(Perm.LEXICONS_MANAGE), "error": error, "values": values or {},
        "done": request.query_params.get("done", "")}, status=status)


@router.get("/lexicons/{lexicon_id}")
def lexicon(request: Request, lexicon_id: Id, user: UserDep,
            version: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None) -> Response:
    """One lexicon: its terms (latest version, or an earlier one) and its version history."""
    return _lexicon_page(request, user, lexicon_id, version=version)


@router.post("/lexicons/{lexicon_id}/terms")
def add_lexicon_term(request: Request, lexicon_id: Id, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in ("term", "kind", "note")}

    def refused(message: str, status: int) -> Response:
        return _lexicon_page(request, posted.user, lexicon_id, values=values, error=message, status=status)

    return form_action(
        request, build=lambda: values, refused=refused,
        call=lambda s, v: service.add_lexicon_term(s, posted.actor, lexicon_id, term=v["term"][:1000],
                                                   kind=v["kind"] or "term",
                                                   substring=posted.get("substring") == "1", note=v["note"][:2000]),
        redirect=lambda s, _: f"/lexicons/{lexicon_id}?done=term_added")


@router.post("/lexicons/{lexicon_id}/terms/{term_id}/remove")
def remove_term(request: Request, lexicon_id: Id, term_id: Id, posted: PostedDep) -> Response:
    def refused(message: str, status: int) -> Response:
        return _lexicon_page(request, posted.user, lexicon_id, error=message, status=status)

    return form_action(request, build=lambda: None, refused=refused,
                       call=lambda s, _: service.remove_term(s, posted.actor, lexicon_id, term_id),
                       redirect=lambda s, _: f"/lexicons/{lexicon_id}?done=term_removed")
