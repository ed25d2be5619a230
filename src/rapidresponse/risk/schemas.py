"""What the risk service takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ..schemas import Country, LongText, Reason, Slug, Strict, TimeZone, Title, Username

Rating = Annotated[int, Field(ge=1, le=5)]
Area = Literal["illegal_content", "fundamental_rights", "civic_discourse", "public_security",
               "gender_based_violence", "minors", "public_health", "wellbeing"]
MitigationKind = Literal["playbook", "lexicon", "hash_list", "threshold", "action_item", "other"]
ReasonText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class RiskCreate(Strict):
    """A new risk: a harm of the taxonomy in a country, and its first assessment's ratings (a draft)."""

    harm: Slug
    country: Country
    title: Title | None = None
    description: LongText = ""
    area: Area | None = Field(None, description="The DSA systemic-risk area; from the harm's DSA category when unset")
    owner: Username | None = None
    likelihood: Rating
    impact: Rating
    residual_likelihood: Rating | None = None
    residual_impact: Rating | None = None
    likelihood_reason: ReasonText = ""
    impact_reason: ReasonText = ""


class RiskEdit(Strict):
    """What may change without a new assessment: the words, the area and the owner."""

    title: Title | None = None
    description: LongText | None = None
    area: Area | None = None
    owner: Username | None = None


class AssessmentIn(Strict):
    """A new version of the assessment: the ratings with their reasons, and why they changed."""

    likelihood: Rating
    impact: Rating
    residual_likelihood: Rating
    residual_impact: Rating
    likelihood_reason: ReasonText = ""
    impact_reason: ReasonText = ""
    why: Reason


class ReturnIn(Strict):
    comment: Reason


class MitigationIn(Strict):
    kind: MitigationKind
    ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    description: LongText = ""


class RiskFilter(Strict):
    harm: Slug | None = None
    country: Country | None = None
    area: Area | None = None
    band: Literal["low", "medium", "high", "critical"] | None = None
    likelihood: Rating | None = None
    impact: Rating | None = None
    flagged: bool | None = None
    limit: int = Field(200, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=1_000_000)


class Indicator(BaseModel):
    """One indicator: its value over the last period, the period before, and when last assessed."""

    name: str
    value: float | None
    previous: float | None
    at_assessment: float | None


class MitigationOut(BaseModel):
    id: int
    kind: str
    ref: str
    description: str
    added_by: str | None
    added_at: datetime


class AssessmentOut(BaseModel):
    number: int
    state: str
    likelihood: int
    impact: int
    band: str
    residual_likelihood: int
    residual_impact: int
    residual_band: str
    likelihood_reason: str
    impact_reason: str
    why: str
    indicators: dict[str, float | None]
    reviews: dict[str, dict[str, str]]
    comment: str
    author: str | None
    approved_by: str | None
    created_at: datetime
    approved_at: datetime | None


class RiskOut(BaseModel):
    id: int
    harm: str
    country: str
    title: str
    description: str
    area: str
    owner: str | None
    likelihood: int
    impact: int
    band: str
    residual_likelihood: int
    residual_impact: int
    residual_band: str
    version: int
    assessed_at: datetime | None
    flagged_reason: str | None
    flagged_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RiskDetail(RiskOut):
    indicators: list[Indicator]
    assessments: list[AssessmentOut]
    mitigations: list[MitigationOut]


class HeatCell(BaseModel):
    likelihood: int
    impact: int
    band: str
    risks: int


class MatrixCell(BaseModel):
    harm: str
    country: str
    risk_id: int
    band: str
    flagged: bool


class Register(BaseModel):
    """The register's risks (filtered, a page) with its heatmap and harm × country matrix (all risks)."""

    items: list[RiskOut]
    total: int
    limit: int
    offset: int
    heatmap: list[HeatCell]
    matrix: list[MatrixCell]


class DigestSettingsIn(Strict):
    """When the weekly digest goes out (a weekday, 0 Monday, and an hour in a time zone) and to whom."""

    enabled: bool = True
    weekday: int = Field(0, ge=0, le=6)
    hour: int = Field(9, ge=0, le=23)
    timezone: TimeZone = "Europe/Moscow"
    recipients: Annotated[list[Username], Field(max_length=200)] = []


class DigestSettings(BaseModel):
    enabled: bool
    weekday: int
    hour: int
    timezone: str
    recipients: list[str]
    last_week: str | None = None
    last_sent_at: datetime | None = None


class DigestOut(BaseModel):
    subject: str
    markdown: str
    html: str
