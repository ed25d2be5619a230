"""Shapes of translation work: what the services return and what the API and the CLI take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..schemas import Strict

Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Level = Literal["native", "professional", "reading"]
MAX_TEXT = 50_000


class TranslationOut(BaseModel):
    """A request: the untouched original, the translation so far, who works on it and its clock."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    incident_ref: str | None = None
    incident_id: int | None = Field(default=None, exclude=True)
    source_kind: str
    source_id: str
    source_lang: str
    target_lang: str
    source_text: str
    source_sha256: str
    harm: str | None
    channel: str | None
    priority: str
    due_at: datetime
    state: str
    translation: str
    suggestion: str
    suggestion_provider: str
    comment: str
    requested_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    requested_by_id: int | None = Field(default=None, exclude=True)
    translator_id: int | None = Field(default=None, exclude=True)
    reviewer_id: int | None = Field(default=None, exclude=True)


class RequestIn(Strict):
    source_kind: Literal["signal", "note", "evidence", "stakeholder_update", "reply_letter", "review", "text"]
    source_id: Annotated[str, StringConstraints(max_length=64)] = ""
    source_lang: Lang
    target_lang: Lang
    text: Annotated[str, StringConstraints(max_length=MAX_TEXT)] = Field(
        default="", description="The text, for evidence and texts with no object; a source named by source_id "
                                "(a note, an update, a reply letter, a signal, a review) is read as it is now")
    incident: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="The incident's ref (its severity sets the priority and the due time)")
    harm: Annotated[str, StringConstraints(max_length=60)] | None = Field(
        default=None, description="The harm of harmful evidence (routes to people with exposure room)")
    channel: Annotated[str, StringConstraints(max_length=30)] | None = None


class TranslationIn(Strict):
    translation: Annotated[str, StringConstraints(max_length=MAX_TEXT)]


class ReviewIn(Strict):
    decision: Literal["approve", "return"]
    translation_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] = Field(
        description="SHA-256 of the exact translation you reviewed")
    comment: Annotated[str, StringConstraints(max_length=4000)] = ""
    marks: dict[Literal["accuracy", "fluency", "terminology", "style"], Annotated[int, Field(ge=1, le=5)]] = {}


class SkillsIn(Strict):
    skills: dict[Lang, Level]


class ProblemOut(BaseModel):
    code: str
    severity: str
    detail: str


class MatchOut(BaseModel):
    segment: str  # the segment of the text looked up
    source: str
    target: str
    score: float
    origin: str


class GlossaryHit(BaseModel):
    form: str
    concept: str
    preferred: str
    forbidden: list[str]
    do_not_translate: bool
    definition: str


class Workbench(BaseModel):
    """What the review page shows next to the source: memory matches, glossary hits, checks."""

    request: TranslationOut
    matches: list[MatchOut]
    glossary: list[GlossaryHit]
    problems: list[ProblemOut]


class VariantIn(Strict):
    preferred: Annotated[str, StringConstraints(max_length=200)] = ""
    forbidden: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []


class TermIn(Strict):
    concept: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    definition: Annotated[str, StringConstraints(max_length=4000)] = ""
    part_of_speech: Literal["noun", "verb", "adjective", "adverb", "phrase", "proper_noun", "abbreviation"] = "noun"
    domain: Literal["harm", "legal", "product", "general"] = "general"
    do_not_translate: bool = False
    variants: dict[Lang, VariantIn] = {}


class TermOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    concept: str
    definition: str
    part_of_speech: str
    domain: str
    do_not_translate: bool
    variants: dict[str, dict[str, object]]


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    source_lang: str
    target_lang: str
    source_text: str
    target_text: str
    origin: str
    created_at: datetime


class QualityOut(BaseModel):
    """Reviewers' marks per translator and language pair (means, 1-5)."""

    translator: str
    source_lang: str
    target_lang: str
    reviewed: int
    marks: dict[str, float]


class StartIn(Strict):
    confirm: bool = Field(default=False, description="Take harmful material although your exposure budget is spent")


class DocumentIn(Strict):
    """A TMX or TBX document as text."""

    document: Annotated[str, StringConstraints(min_length=1, max_length=20_000_000)]
    name: Annotated[str, StringConstraints(max_length=200)] = ""


class ImportOut(BaseModel):
    added: int
    updated: int = 0


class LookupIn(Strict):
    source_lang: Lang
    target_lang: Lang
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]


class SkillsOut(BaseModel):
    skills: dict[str, str]
