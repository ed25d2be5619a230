"""Input and output shapes of regulator requests, their items, legal clocks and reply letters."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_serializer, field_validator

from ..i18n import N_
from ..policy import CountryCode, LanguageTag
from ..schemas import IsoDateTime, Page, Strict


class Outcome(StrEnum):
    REMOVED_GLOBALLY = "removed_globally"
    RESTRICTED_IN_COUNTRY = "restricted_in_country"
    NO_ACTION = "no_action"


OUTCOME_LABELS = {"removed_globally": N_("Removed globally"),
                  "restricted_in_country": N_("Restricted in the country"), "no_action": N_("No action")}
Level = Literal["ok", "50", "75", "90", "breached", "answered"]


class _In(Strict):
    """Input: strict (unknown fields and NUL characters refused), with surrounding blanks stripped."""

    model_config = ConfigDict(str_strip_whitespace=True)


class RequestCreate(_In):
    country: CountryCode
    regulator: str = Field(min_length=1, max_length=60, description="Regulator id in the country profile")
    sender: str = Field(min_length=1, max_length=300)
    reference: str = Field("", max_length=120)
    legal_basis: str = Field(min_length=1, max_length=2000)
    language: LanguageTag
    summary: str = Field("", max_length=5000)
    received_at: IsoDateTime
    items: list[Annotated[str, Field(min_length=1, max_length=2000)]] = Field(min_length=1, max_length=500)
    deadline: str | None = Field(None, max_length=60, description="Deadline name (default: the regulator's)")
    owner: str | None = Field(None, max_length=64, description="Username (default: you)")
    incident: str | None = Field(None, max_length=20)

    @field_validator("items")
    @classmethod
    def _items(cls, items: list[str]) -> list[str]:
        clean = list(dict.fromkeys(i.strip() for i in items if i.strip()))
        if not clean:
            raise ValueError("name at least one URL or content id")
        return clean


class RequestFilter(_In):
    status: Literal["open", "answered"] | None = None
    country: CountryCode | None = None
    incident: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class OutcomeIn(_In):
    outcome: Outcome
    reason: str = Field("", max_length=2000)


class ReplyEdit(_In):
    body: str = Field(min_length=1, max_length=50_000)


class ClockOut(BaseModel):
    """How far a request's legal clock has run (``progress`` is exact; its JSON has four decimals)."""

    due_at: datetime
    due_local: datetime
    zone: str
    progress: float
    remaining_seconds: int
    level: Level

    @field_serializer("progress")
    def _rounded(self, progress: float) -> float:
        return round(progress, 4)


class ItemOut(BaseModel):
    id: int
    position: int
    target: str
    outcome: str | None
    reason: str
    decided_at: datetime | None


class ReplyOut(BaseModel):
    status: str
    languages: list[str]
    body: str
    approval_id: int | None
    sent_at: datetime | None
    sent_sha256: str | None
    updated_at: datetime


RequestPath = Annotated[str, StringConstraints(min_length=1, max_length=20,
                                               pattern=r"^(\d{1,10}|[Rr][Ee][Qq]-\d{4}-\d{4,6})$")]
"""A request in a URL or on the command line: its reference (``REQ-2026-0001``) or its id."""


class RequestOut(BaseModel):
    id: int
    ref: str
    country: str
    regulator: str
    regulator_name: str
    sender: str
    reference: str
    legal_basis: str
    language: str
    summary: str
    received_at: datetime
    deadline: str
    instrument: str
    hours: float
    time: str
    confidence: str
    defaulted: bool
    status: str
    owner: str | None
    incident_ref: str | None
    breached_at: datetime | None
    escalations: int = 0
    answered_at: datetime | None
    clock: ClockOut
    items: list[ItemOut] = []
    reply: ReplyOut | None = None


class RequestPage(Page[RequestOut]):
    """One page of regulator requests."""
