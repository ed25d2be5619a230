"""REST API: lexicons, their terms and versions, and matching a text against them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from ..db import unit_of_work
from ..http import ActorDep, Id
from . import matching, service
from .schemas import AnnotateIn, AnnotationOut, LexiconOut, MatchIn, TermCreate, TermIn, VersionOut

router = APIRouter(prefix="/api/v1", tags=["lexicons"])


@router.get("/lexicons", response_model=list[LexiconOut])
def list_lexicons(actor: ActorDep) -> list[LexiconOut]:
    """Every lexicon (harm category × language) with its latest version number."""
    with unit_of_work(read_only=True) as s:
        return service.list_lexicons(s, actor)


@router.post("/lexicons/terms", status_code=201, response_model=LexiconOut)
def add_term(actor: ActorDep, body: TermCreate, response: Response) -> LexiconOut:
    """Add a term to the lexicon of a harm and language (created if missing); makes a new version."""
    with unit_of_work() as s:
        out = service.add_term(s, actor, harm=body.harm, language=body.language, term=body.term, kind=body.kind,
                               substring=body.substring, note=body.note)
    response.headers["Location"] = f"/api/v1/lexicons/{out.id}"
    return out


@router.get("/lexicons/{lexicon_id}", response_model=LexiconOut)
def get_lexicon(actor: ActorDep, lexicon_id: Id) -> LexiconOut:
    """A lexicon with the terms of its latest version."""
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, lexicon_id)


@router.post("/lexicons/{lexicon_id}/terms", status_code=201, response_model=LexiconOut)
def add_lexicon_term(actor: ActorDep, lexicon_id: Id, body: TermIn) -> LexiconOut:
    """Add a term to this lexicon; makes a new version."""
    with unit_of_work() as s:
        return service.add_lexicon_term(s, actor, lexicon_id, term=body.term, kind=body.kind,
                                        substring=body.substring, note=body.note)


@router.delete("/lexicons/{lexicon_id}/terms/{term_id}", response_model=LexiconOut)
def remove_term(actor: ActorDep, lexicon_id: Id, term_id: Id) -> LexiconOut:
    """Remove a term from the latest version (earlier versions keep it); makes a new version."""
    with unit_of_work() as s:
        return service.remove_term(s, actor, lexicon_id, term_id)


@router.get("/lexicons/{lexicon_id}/versions", response_model=list[VersionOut])
def versions(actor: ActorDep, lexicon_id: Id) -> list[VersionOut]:
    """The version history, newest first."""
    with unit_of_work(read_only=True) as s:
        return service.versions(s, actor, lexicon_id)


@router.get("/lexicons/{lexicon_id}/versions/{number}", response_model=LexiconOut)
def at_version(actor: ActorDep, lexicon_id: Id, number: Annotated[int, Path(ge=0, le=2**31 - 1)]) -> LexiconOut:
    """The terms as they were in one version."""
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, lexicon_id, version=number)


@router.post("/lexicons/match", response_model=AnnotationOut)
def match(actor: ActorDep, body: MatchIn) -> AnnotationOut:
    """Test a text: its folded form, language and script, and the lexicon terms it contains."""
    with unit_of_work(read_only=True) as s:
        return AnnotationOut.model_validate(matching.annotate_for(s, actor, [body.text])[0].as_dict())


@router.post("/lexicons/annotate", response_model=list[AnnotationOut])
def annotate(actor: ActorDep, body: AnnotateIn) -> list[AnnotationOut]:
    """Fold, identify and match a batch of texts (up to 1,000)."""
    with unit_of_work(read_only=True) as s:
        return [AnnotationOut.model_validate(a.as_dict())
                for a in matching.annotate_for(s, actor, body.texts, languages=body.languages)]
