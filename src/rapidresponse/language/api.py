"""REST API: lexicons, their terms and versions, and matching a text against them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from ..auth import Perm
from ..db import unit_of_work
from ..http import ActorDep
from . import service
from .models import Lexicon, LexiconTerm, LexiconVersion
from .schemas import AnnotateIn, AnnotationOut, LexiconOut, MatchIn, TermCreate, TermIn, TermOut, VersionOut

router = APIRouter(prefix="/api/v1", tags=["lexicons"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def term_out(t: LexiconTerm) -> TermOut:
    return TermOut(id=t.id, term=t.term, folded=t.folded, kind=t.kind, substring=t.substring, note=t.note,
                   added_in=t.added_in, removed_in=t.removed_in)


def lexicon_out(lex: Lexicon, terms: list[LexiconTerm] | None = None) -> LexiconOut:
    return LexiconOut(id=lex.id, harm=lex.harm, language=lex.language, version=lex.version,
                      updated_at=lex.updated_at, terms=None if terms is None else [term_out(t) for t in terms])


def version_out(v: LexiconVersion) -> VersionOut:
    return VersionOut(number=v.number, change=v.change, term_count=v.term_count, created_by=v.created_by,
                      created_at=v.created_at)


@router.get("/lexicons", response_model=list[LexiconOut])
def list_lexicons(actor: ActorDep) -> list[LexiconOut]:
    """Every lexicon (harm category × language) with its latest version number."""
    with unit_of_work(read_only=True) as s:
        return [lexicon_out(lex) for lex in service.list_lexicons(s, actor)]


@router.post("/lexicons/terms", status_code=201, response_model=LexiconOut)
def add_term(actor: ActorDep, body: TermCreate, response: Response) -> LexiconOut:
    """Add a term to the lexicon of a harm and language (created if missing); makes a new version."""
    with unit_of_work() as s:
        term = service.add_term(s, actor, harm=body.harm, language=body.language, term=body.term, kind=body.kind,
                                substring=body.substring, note=body.note)
        lex = service.get(s, actor, term.lexicon_id)
        out = lexicon_out(lex, service.terms(s, lex))
    response.headers["Location"] = f"/api/v1/lexicons/{out.id}"
    return out


@router.get("/lexicons/{lexicon_id}", response_model=LexiconOut)
def get_lexicon(actor: ActorDep, lexicon_id: Id) -> LexiconOut:
    """A lexicon with the terms of its latest version."""
    with unit_of_work(read_only=True) as s:
        lex = service.get(s, actor, lexicon_id)
        return lexicon_out(lex, service.terms(s, lex))


@router.post("/lexicons/{lexicon_id}/terms", status_code=201, response_model=LexiconOut)
def add_lexicon_term(actor: ActorDep, lexicon_id: Id, body: TermIn) -> LexiconOut:
    """Add a term to this lexicon; makes a new version."""
    with unit_of_work() as s:
        lex = service.get(s, actor, lexicon_id)
        service.add_term(s, actor, harm=lex.harm, language=lex.language, term=body.term, kind=body.kind,
                         substring=body.substring, note=body.note)
        return lexicon_out(lex, service.terms(s, lex))


@router.delete("/lexicons/{lexicon_id}/terms/{term_id}", response_model=LexiconOut)
def remove_term(actor: ActorDep, lexicon_id: Id, term_id: Id) -> LexiconOut:
    """Remove a term from the latest version (earlier versions keep it); makes a new version."""
    with unit_of_work() as s:
        lex = service.remove_term(s, actor, lexicon_id, term_id)
        return lexicon_out(lex, service.terms(s, lex))


@router.get("/lexicons/{lexicon_id}/versions", response_model=list[VersionOut])
def versions(actor: ActorDep, lexicon_id: Id) -> list[VersionOut]:
    """The version history, newest first."""
    with unit_of_work(read_only=True) as s:
        return [version_out(v) for v in service.versions(s, service.get(s, actor, lexicon_id))]


@router.get("/lexicons/{lexicon_id}/versions/{number}", response_model=LexiconOut)
def at_version(actor: ActorDep, lexicon_id: Id, number: Annotated[int, Path(ge=0, le=2**31 - 1)]) -> LexiconOut:
    """The terms as they were in one version."""
    with unit_of_work(read_only=True) as s:
        lex = service.get(s, actor, lexicon_id)
        return lexicon_out(lex, service.terms(s, lex, number))


@router.post("/lexicons/match", response_model=AnnotationOut)
def match(actor: ActorDep, body: MatchIn) -> AnnotationOut:
    """Test a text: its folded form, language and script, and the lexicon terms it contains."""
    actor.require(Perm.LEXICONS_READ)
    with unit_of_work(read_only=True) as s:
        return AnnotationOut.model_validate(service.annotate(s, [body.text])[0].as_dict())


@router.post("/lexicons/annotate", response_model=list[AnnotationOut])
def annotate(actor: ActorDep, body: AnnotateIn) -> list[AnnotationOut]:
    """Fold, identify and match a batch of texts (up to 1,000)."""
    actor.require(Perm.LEXICONS_READ)
    with unit_of_work(read_only=True) as s:
        return [AnnotationOut.model_validate(a.as_dict())
                for a in service.annotate(s, body.texts, languages=body.languages)]
