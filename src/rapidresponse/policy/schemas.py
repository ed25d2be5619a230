"""Input and output shapes for decisions, appeals, regulator requests and replies."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from .countries import BCP47, ISO_CODE


class Action(StrEnum):
    REMOVE = "remove"
    GEO_RESTRICT = "geo_restrict"
    AGE_RESTRICT = "age_restrict"
    REDUCE_REACH = "reduce_reach"
    LABEL = "label"
    ACCOUNT_SUSPEND = "account_suspend"
    ACCOUNT_TERMINATE = "account_terminate"


class Outcome(StrEnum):
    REMOVED_GLOBALLY = "removed_globally"
    RESTRICTED_IN_COUNTRY = "restricted_in_country"
    NO_ACTION = "no_action"


ContentKind = Literal["text", "video", "image", "audio", "synthetic_media", "product", "app", "other"]
Source = Literal["notice", "trusted_flagger", "authority", "voluntary"]
Automation = Literal["fully", "partially", "not"]
AppealStatus = Literal["upheld", "reversed", "modified"]


def _country(value: str) -> str:
    value = value.strip().upper()
    if not ISO_CODE.match(value):
        raise ValueError(f"{value[:10]!r} is not an ISO 3166-1 alpha-2 country code (e.g. KZ)")
    return value


def _language(value: str) -> str:
    value = value.strip()
    if not BCP47.match(value):
        raise ValueError(f"{value[:20]!r} is not a language tag (e.g. kk, ru, uz-Latn)")
    return value


Country = Annotated[str, AfterValidator(_country)]
Language = Annotated[str, AfterValidator(_language)]
Text500 = Annotated[str, Field(max_length=500)]
Text5000 = Annotated[str, Field(min_length=1, max_length=5000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DecisionCreate(_In):
    puid: str = Field(min_length=1, max_length=500, description="The platform's unique id of the item")
    content_url: str = Field("", max_length=2000)
    content_type: ContentKind = "video"
    content_language: Language | None = None
    content_date: date
    action: Action
    ground: Literal["policy", "law"] = "policy"
    policy_clause: str = Field("", max_length=2000, description="Default: the harm's clause in the taxonomy")
    legal_ground: str = Field("", max_length=2000)
    explanation: Text5000
    harm: str = Field(min_length=1, max_length=60, description="A harm taxonomy slug")
    territorial_scope: list[Country] = Field(default_factory=list, max_length=60,
                                             description="ISO codes where it applies; empty: worldwide")
    automated_detection: bool = False
    automated_decision: Automation = "not"
    source_type: Source = "voluntary"
    source_identity: str = Field("", max_length=500)
    facts: Text5000
    end_date: date | None = None
    incident: str | None = Field(None, max_length=20, description="Incident reference")


class DecisionFilter(_In):
    incident: str | None = Field(None, max_length=20)
    harm: str | None = Field(None, max_length=60)
    eu_only: bool = False
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class AppealCreate(_In):
    appellant: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=5000)


class AppealDecide(_In):
    status: AppealStatus
    note: str = Field("", max_length=5000)


class AppealOut(BaseModel):
    id: int
    appellant: str
    reason: str
    status: str
    outcome_note: str
    filed_at: datetime
    decided_at: datetime | None


class DecisionOut(BaseModel):
    id: int
    puid: str
    content_url: str
    content_type: str
    content_language: str | None
    content_date: date
    action: str
    ground: str
    policy_clause: str
    legal_ground: str
    explanation: str
    harm: str
    territorial_scope: list[str]
    automated_detection: bool
    automated_decision: str
    source_type: str
    source_identity: str
    facts: str
    end_date: date | None
    incident_ref: str | None
    decided_by: str | None
    decided_at: datetime
    affects_eu: bool
    appeals: list[AppealOut] = []


class SorIssueOut(BaseModel):
    field: str
    rule: str
    message: str


class SorRejectedOut(BaseModel):
    decision_id: int
    puid: str
    issues: list[SorIssueOut]


class SorExportOut(BaseModel):
    exported: int
    batches: list[dict[str, list[dict[str, object]]]]
    rejected: list[SorRejectedOut]
    warnings: list[str]


class RequestCreate(_In):
    country: Country
    regulator: str = Field(min_length=1, max_length=60, description="Regulator id in the country profile")
    sender: str = Field(min_length=1, max_length=300)
    reference: str = Field("", max_length=120)
    legal_basis: str = Field(min_length=1, max_length=2000)
    language: Language
    summary: str = Field("", max_length=5000)
    received_at: datetime
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
    country: Country | None = None
    incident: str | None = Field(None, max_length=20)
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class OutcomeIn(_In):
    outcome: Outcome
    reason: str = Field("", max_length=2000)


class ReplyEdit(_In):
    body: str = Field(min_length=1, max_length=50_000)


class ClockOut(BaseModel):
    due_at: datetime
    due_local: datetime
    zone: str
    progress: float
    remaining_seconds: int
    level: Literal["ok", "50", "75", "90", "breached", "answered"]


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


class RequestOut(BaseModel):
    id: int
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
    answered_at: datetime | None
    clock: ClockOut
    items: list[ItemOut] = []
    reply: ReplyOut | None = None


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class RequestPage(Page):
    items: list[RequestOut]


class DecisionPage(Page):
    items: list[DecisionOut]
