"""Pydantic shapes of hash lists, entries, import reports and matches."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ..schemas import Page, Strict, VersionChange
from .pdq import DEFAULT_DISTANCE

MAX_MATCH_HASHES = 1000
MAX_IMAGE_BASE64 = 28_000_000  # a 20 MiB image, base64-encoded


class HashListCreate(Strict):
    name: str = Field(min_length=1, max_length=120)
    harm: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_-]{1,60}$")
    source: str = Field(min_length=1, max_length=120, description="The sharing partner")
    description: str = Field(default="", max_length=5000)
    max_distance: int = Field(default=DEFAULT_DISTANCE, ge=0, le=64,
                              description="Largest Hamming distance (bits of 256) that still matches")


class HashListPatch(Strict):
    harm: str | None = Field(default=None, min_length=1, max_length=60, pattern=r"^[a-z0-9_-]{1,60}$")
    source: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=5000)
    max_distance: int | None = Field(default=None, ge=0, le=64)


class HashListOut(BaseModel):
    id: int
    name: str
    harm: str
    source: str
    description: str
    max_distance: int
    version: int
    entry_count: int
    last_import_at: datetime | None
    updated_at: datetime


class EntryIn(Strict):
    hash: str = Field(min_length=1, max_length=80, description="PDQ hash: 64 hex digits")
    label: str = Field(default="", max_length=200)
    source: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class EntryOut(BaseModel):
    id: int
    hash: str
    label: str
    source: str
    added_on: datetime | None
    note: str
    added_in: int
    removed_in: int | None


class EntryPage(Page[EntryOut]):
    hash_list: HashListOut
    version: int


class VersionOut(BaseModel):
    number: int
    change: str
    did: VersionChange | None = None
    entry_count: int
    created_by: str
    created_at: datetime


class RejectedRow(BaseModel):
    line: int
    reason: str
    raw: str


class ImportOut(BaseModel):
    read: int
    accepted: int
    duplicates: int
    rejected_count: int
    rejected: list[RejectedRow] = Field(description="The first 1,000 rejected rows with their reasons")
    version: int


class MatchIn(Strict):
    hashes: list[str] = Field(default_factory=list, max_length=MAX_MATCH_HASHES,
                              description="PDQ hashes (64 hex digits each)")
    image: str | None = Field(default=None, max_length=MAX_IMAGE_BASE64,
                              description="An image (JPEG, PNG, WebP, GIF…), base64-encoded: its PDQ hash is "
                                          "computed and matched; the image is not stored")


class HashMatchOut(BaseModel):
    list_id: int
    list_name: str
    harm: str
    entry_id: int
    hash: str
    label: str
    distance: int


class QueryResult(BaseModel):
    hash: str
    origin: str = Field(description="given, or image")
    quality: int | None = Field(default=None, description="PDQ quality (0-100) of an image's hash")
    matches: list[HashMatchOut]


class MatchOut(BaseModel):
    results: list[QueryResult]


class IntakeMatchOut(BaseModel):
    signal_id: int
    list_id: int
    entry_id: int
    distance: int
    matched_at: datetime
