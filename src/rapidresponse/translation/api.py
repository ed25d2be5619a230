"""REST API for translation: requests and their steps, the queue, language skills, the memory and
the glossary (TMX and TBX in and out)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ..db import unit_of_work
from ..errors import ValidationFailed
from ..http import ActorDep, Id
from . import glossary, memory, service, skills
from .schemas import (
    DocumentIn,
    ImportOut,
    LookupIn,
    MatchOut,
    QualityOut,
    RequestIn,
    ReviewIn,
    SegmentOut,
    SkillsIn,
    SkillsOut,
    StartIn,
    TermIn,
    TermOut,
    TranslationIn,
    TranslationOut,
    Workbench,
)

router = APIRouter(prefix="/api/v1", tags=["translation"])
TMX: dict[int | str, dict[str, object]] = {200: {"content": {"application/x-tmx+xml": {}},
                                                 "description": "The memory as TMX 1.4"}}
TBX: dict[int | str, dict[str, object]] = {200: {"content": {"application/x-tbx+xml": {}},
                                                 "description": "The glossary as TBX (TBX-Basic)"}}
Queue = Literal["translate", "review", "mine", "open", "done"]


@router.get("/translations", response_model=list[TranslationOut])
def translations(actor: ActorDep, queue: Annotated[Queue, Query()] = "translate") -> list[TranslationOut]:
    """Your queue: to translate or to review (by your language skills), asked for by you, all open, done."""
    with unit_of_work(read_only=True) as s:
        return service.queue(s, actor, tab=queue)


@router.post("/translations", response_model=TranslationOut, status_code=201)
def request_translation(actor: ActorDep, body: RequestIn) -> TranslationOut:
    """Ask for a translation; it goes to a qualified person (harmful material: one with exposure room)."""
    with unit_of_work() as s:
        return service.request(s, actor, source_kind=body.source_kind, source_id=body.source_id,
                               source_lang=body.source_lang, target_lang=body.target_lang, text=body.text,
                               incident=body.incident, harm=body.harm, channel=body.channel)


@router.get("/translations/quality", response_model=list[QualityOut])
def quality(actor: ActorDep) -> list[QualityOut]:
    """Reviewers' mean marks (accuracy, fluency, terminology, style) per translator and pair."""
    with unit_of_work(read_only=True) as s:
        return service.quality(s, actor)


@router.get("/translations/{translation_id}", response_model=Workbench)
def get_translation(actor: ActorDep, translation_id: Id) -> Workbench:
    """The request with its memory matches, glossary hits and the checks of the translation so far."""
    with unit_of_work(read_only=True) as s:
        return service.workbench(s, actor, translation_id)


@router.post("/translations/{translation_id}/start", response_model=TranslationOut)
def start(actor: ActorDep, translation_id: Id, body: StartIn) -> TranslationOut:
    with unit_of_work() as s:
        return service.start(s, actor, translation_id, confirm=body.confirm)


@router.post("/translations/{translation_id}/draft", response_model=TranslationOut)
def save_draft(actor: ActorDep, translation_id: Id, body: TranslationIn) -> TranslationOut:
    with unit_of_work() as s:
        return service.save(s, actor, translation_id, translation=body.translation)


@router.post("/translations/{translation_id}/submit", response_model=TranslationOut)
def submit(actor: ActorDep, translation_id: Id, body: TranslationIn) -> TranslationOut:
    with unit_of_work() as s:
        return service.submit(s, actor, translation_id, translation=body.translation)


@router.post("/translations/{translation_id}/review", response_model=TranslationOut)
def review(actor: ActorDep, translation_id: Id, body: ReviewIn) -> TranslationOut:
    """Approve the exact translation (409 when it changed or its checks find errors) or return it."""
    with unit_of_work() as s:
        return service.review(s, actor, translation_id, decision=body.decision,
                              translation_sha256=body.translation_sha256, comment=body.comment,
                              marks={str(k): v for k, v in body.marks.items()})


@router.get("/account/languages", response_model=SkillsOut)
def my_languages(actor: ActorDep) -> SkillsOut:
    if actor.user_id is None:
        raise ValidationFailed("language skills belong to a person")
    with unit_of_work(read_only=True) as s:
        return SkillsOut(skills=skills.skills_of(s, actor.user_id))


@router.put("/account/languages", response_model=SkillsOut)
def set_languages(actor: ActorDep, body: SkillsIn) -> SkillsOut:
    with unit_of_work() as s:
        return SkillsOut(skills=skills.set_skills(s, actor, dict(body.skills)))


@router.get("/translation-memory", response_model=list[SegmentOut])
def segments(actor: ActorDep, q: Annotated[str, Query(max_length=200)] = "",
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[SegmentOut]:
    with unit_of_work(read_only=True) as s:
        return memory.list_segments(s, actor, query=q, limit=limit)[0]


@router.post("/translation-memory/lookup", response_model=list[MatchOut])
def lookup(actor: ActorDep, body: LookupIn) -> list[MatchOut]:
    """Exact and fuzzy matches (score 0-100) for each sentence of the text."""
    with unit_of_work(read_only=True) as s:
        found = memory.search(s, actor, source_lang=body.source_lang, target_lang=body.target_lang, text=body.text)
    return [MatchOut(segment=seg, source=p.source_text, target=p.target_text, score=score, origin=p.origin)
            for seg, hits in found for p, score in hits]


@router.get("/translation-memory.tmx", response_class=Response, responses=TMX)
def export_tmx(actor: ActorDep) -> Response:
    with unit_of_work(read_only=True) as s:
        data = memory.export_tmx(s, actor)
    return Response(data, media_type="application/x-tmx+xml",
                    headers={"Content-Disposition": 'attachment; filename="translation-memory.tmx"'})


@router.post("/translation-memory/import", response_model=ImportOut)
def import_tmx(actor: ActorDep, body: DocumentIn) -> ImportOut:
    with unit_of_work() as s:
        return ImportOut(added=memory.import_tmx(s, actor, body.document.encode("utf-8"), name=body.name or "TMX"))


@router.get("/glossary", response_model=list[TermOut])
def terms(actor: ActorDep, q: Annotated[str, Query(max_length=200)] = "") -> list[TermOut]:
    with unit_of_work(read_only=True) as s:
        return glossary.list_terms(s, actor, query=q)


@router.post("/glossary", response_model=TermOut)
def save_term(actor: ActorDep, body: TermIn) -> TermOut:
    """Add an entry, or replace the entry of the same concept."""
    with unit_of_work() as s:
        return glossary.save_term(s, actor, body)


@router.delete("/glossary/{term_id}", status_code=204)
def remove_term(actor: ActorDep, term_id: Id) -> Response:
    with unit_of_work() as s:
        glossary.remove_term(s, actor, term_id)
    return Response(status_code=204)


@router.get("/glossary.tbx", response_class=Response, responses=TBX)
def export_tbx(actor: ActorDep) -> Response:
    with unit_of_work(read_only=True) as s:
        data = glossary.export_tbx(s, actor)
    return Response(data, media_type="application/x-tbx+xml",
                    headers={"Content-Disposition": 'attachment; filename="glossary.tbx"'})


@router.post("/glossary/import", response_model=ImportOut)
def import_tbx(actor: ActorDep, body: DocumentIn) -> ImportOut:
    with unit_of_work() as s:
        added, updated = glossary.import_tbx(s, actor, body.document.encode("utf-8"), name=body.name or "TBX")
    return ImportOut(added=added, updated=updated)
