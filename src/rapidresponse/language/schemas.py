"""Input and output shapes of the lexicon API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..schemas import Strict, VersionChange

Kind = Literal["term", "coded", "hashtag"]


class TermIn(Strict):
    term: str = Field(max_length=1000, description="The term as written; folded for matching")
    kind: Kind = "term"
    substring: bool = Field(False, description="Match inside other words too (default: whole words only)")
    note: str = Field("", max_length=2000)


class TermCreate(TermIn):
    harm: str = Field(min_length=1, max_length=60, description="Harm category slug from the taxonomy")
    language: str = Field(min_length=2, max_length=8, description="ISO 639-1 language code")


class TermOut(BaseModel):
    id: int
    term: str
    folded: str
    kind: str
    substring: bool
    note: str
    added_in: int
    removed_in: int | None


class VersionOut(BaseModel):
    number: int
    change: str
    did: VersionChange | None = None
    term_count: int
    created_by: str
    created_at: datetime


class LexiconOut(BaseModel):
    id: int
    harm: str
    language: str
    version: int
    updated_at: datetime
    terms: list[TermOut] | None = None


class MatchIn(Strict):
    text: str = Field(max_length=100_000)


class AnnotateIn(Strict):
    texts: list[str] = Field(max_length=1000)
    languages: bool = True


class MatchOut(BaseModel):
    term: str
    term_id: int
    lexicon_id: int
    harm: str
    language: str
    kind: str
    start: int
    end: int
    text: str


class AnnotationOut(BaseModel):
    folded: str
    language: str
    confidence: float
    script: str
    matches: list[MatchOut]
