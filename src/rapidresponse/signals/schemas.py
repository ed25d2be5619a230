"""Pydantic shapes of signals: one row in, batch results, list/series/trend outputs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..schemas import IsoDateTime, JsonObject, Strict

MAX_BATCH = 10_000
BUCKET_MINUTES = 5


class Source(StrEnum):
    USER_REPORT = "user_report"
    CLASSIFIER = "classifier"
    TRUSTED_FLAGGER = "trusted_flagger"
    HASH_MATCH = "hash_match"
    PARTNER = "partner"
    PRESS = "press"
    REGULATOR = "regulator"


class SignalIn(Strict):
    """One signal as a client sends it (text with NUL characters is refused, row by row)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=200)
    source: Source
    occurred_at: IsoDateTime
    content_id: str | None = Field(default=None, max_length=200)
    content_type: str | None = Field(default=None, max_length=20)
    text: str = Field(default="", max_length=20_000)
    media_hash: str | None = Field(default=None, max_length=128)
    url: str | None = Field(default=None, max_length=2000)
    harm: str | None = Field(default=None, max_length=60)
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    reporter_type: str | None = Field(default=None, max_length=40)
    metadata: JsonObject = Field(default_factory=dict)

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str | None) -> str | None:
        return v.upper() if v else v

    @field_validator("content_id", "content_type", "media_hash", "url", "harm", "reporter_type", "language",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if v == "" else v


class BatchIn(BaseModel):
    signals: list[dict[str, Any]] = Field(max_length=MAX_BATCH)


class RowError(BaseModel):
    row: int  # 0-based position in the batch (the line number for files)
    external_id: str | None = None
    reason: str


class BatchResult(BaseModel):
    """``accepted``: the inserted signals are stored for good; the pipeline stage behind intake then adds
    them to the series and trends (and fills their detected language and lexicon matches), within seconds
    while a worker runs."""

    received: int
    inserted: int
    duplicates: int
    rejected: list[RowError]
    mode: Literal["partial", "all_or_nothing"]
    status: Literal["accepted"] = "accepted"


class ExposureRow(BaseModel):
    """Signals of one country, language and source in a time window."""

    country: str
    language: str
    source: str
    count: int


class SignalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    external_id: str
    occurred_at: datetime
    received_at: datetime
    content_id: str | None
    content_type: str | None
    text: str
    media_hash: str | None
    url: str | None
    harm: str | None
    country: str | None
    language: str | None
    reporter_type: str | None
    metadata: dict[str, Any]
    trend_id: int | None
    language_detected: str | None = None
    language_confidence: float | None = None
    lexicon_matches: list[dict[str, Any]] = Field(default_factory=list)
    lexicon_harm: str | None = None


# Query filters are matched against the database as given: a shape check keeps NUL bytes and junk out.
HARM_PATTERN = r"^[a-z0-9_-]{1,80}$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class SignalFilter(BaseModel):
    harm: str | None = Field(default=None, pattern=HARM_PATTERN)
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN)
    source: Source | None = None
    since: IsoDateTime | None = None
    until: IsoDateTime | None = None
    q: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00]*$",
                          description="Text search (case-insensitive)")
    trend_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    matched: bool | None = Field(default=None, description="Only signals a lexicon term matched (or none did)")
    lexicon_harm: str | None = Field(default=None, pattern=HARM_PATTERN,
                                     description="Only signals whose lexicon matches are mostly of this harm")
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class SeriesQuery(BaseModel):
    harm: str | None = Field(default=None, pattern=HARM_PATTERN)
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN)
    since: IsoDateTime
    until: IsoDateTime
    bucket_minutes: int = Field(default=BUCKET_MINUTES, ge=BUCKET_MINUTES, le=7 * 24 * 60)


class SeriesPoint(BaseModel):
    bucket: datetime
    count: int


class SeriesOut(BaseModel):
    harm: str | None
    country: str | None
    language: str | None
    bucket_minutes: int
    points: list[SeriesPoint]
    total: int


class TrendShare(BaseModel):
    """How many of a trend's signals are in one language (and, on one trend, one script)."""

    language: str  # "" when neither the reporter nor detection gave one
    script: str | None = None  # cyrillic | latin | other; None in trend lists (read for one trend only)
    count: int


class TrendOut(BaseModel):
    id: int
    label: str
    harm: str | None
    count: int
    first_seen: datetime
    last_seen: datetime
    last_hour: int
    previous_hour: int
    growth: float | None  # last hour / the hour before; None when the hour before had none
    samples: list[int]
    # the trend's signals per language, most first; on one trend (get_trend) per language and script
    languages: list[TrendShare] = []


class TrendSeriesQuery(BaseModel):
    since: IsoDateTime
    until: IsoDateTime
    bucket_minutes: int = Field(default=BUCKET_MINUTES, ge=BUCKET_MINUTES, le=7 * 24 * 60)


class TrendSeriesOut(BaseModel):
    trend_id: int
    bucket_minutes: int
    points: list[SeriesPoint]
    total: int


