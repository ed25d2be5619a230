"""What the reviews service takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from .. import wellness
from ..schemas import IsoDateTime, LongText, Page, Reason, Strict, Title, Username

Kind = Literal["policy", "product", "detection", "playbook", "lexicon", "training", "wellness", "legal"]
Priority = Literal["high", "medium", "low"]
ItemStatus = Literal["open", "in_progress", "done", "cancelled"]
SectionText = Annotated[str, StringConstraints(max_length=20_000)]
Why = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class ReviewEdit(Strict):
    """Sections to change (others are kept); ``whys`` replaces the five-whys chain."""

    summary: SectionText | None = None
    impact: SectionText | None = None
    went_well: SectionText | None = None
    went_poorly: SectionText | None = None
    contributing_factors: SectionText | None = None
    decisions: SectionText | None = None
    lessons: SectionText | None = None
    wellbeing: SectionText | None = None
    whys: list[Why] | None = Field(default=None, max_length=7)
    language: Literal["en", "ru"] | None = None


class MomentIn(Strict):
    at: IsoDateTime
    kind: Literal["signal", "alert", "case", "declared", "page", "acknowledged", "severity", "status", "mitigated",
                  "resolved", "update", "request", "reply", "breach", "note", "other"] = "other"
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class MomentOrder(Strict):
    """Every moment's id, in the new order."""

    ids: list[int] = Field(max_length=500)


class MeetingIn(Strict):
    held_at: IsoDateTime
    attendees: list[Username] = Field(default_factory=list, max_length=100)
    notes: LongText = ""


class SignoffIn(Strict):
    role: Literal["commander", "policy_lead", "legal", "regional_lead"]
    comment: Annotated[str, StringConstraints(max_length=2000)] = ""


class FeedbackIn(Strict):
    went_well: Annotated[str, StringConstraints(max_length=4000)] = ""
    went_poorly: Annotated[str, StringConstraints(max_length=4000)] = ""
    wellbeing: Annotated[str, StringConstraints(max_length=4000)] = ""
    anonymous: bool = False


class CriterionIn(Strict):
    state: Literal["met", "waived", "open"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class MomentOut(BaseModel):
    id: int
    position: int
    at: datetime
    kind: str
    text: str
    event_id: int | None


class SignoffOut(BaseModel):
    role: str
    username: str | None
    signed_at: datetime
    comment: str


class FeedbackOut(BaseModel):
    id: int
    author: str | None  # None when anonymous
    went_well: str
    went_poorly: str
    wellbeing: str
    created_at: datetime


class CriterionOut(BaseModel):
    position: int
    text_en: str
    text_ru: str
    state: str
    reason: str
    decided_by: str | None
    decided_at: datetime | None


class ReviewOut(BaseModel):
    id: int
    incident: str
    incident_title: str
    incident_status: str
    severity: int
    state: str
    language: str
    sections: dict[str, str]
    whys: list[str]
    figures: dict[str, Any]
    blame: dict[str, list[str]] = Field(description="Phrases per section that read as blaming a person")
    moments: list[MomentOut]
    required_signoffs: list[str]
    signoffs: list[SignoffOut]
    criteria: list[CriterionOut]
    feedback: list[FeedbackOut]
    meeting_at: datetime | None
    meeting_attendees: list[str]
    meeting_notes: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    action_items: list[ActionItemOut]
    missing: list[str] = Field(description="What still stands between the review and publishing")
    check_ins: wellness.CheckInSummary = Field(description="The team's anonymous check-ins after the incident, "
                                               "as aggregates from five answers on")


class ReviewSummary(BaseModel):
    id: int
    incident: str
    incident_title: str
    severity: int
    state: str
    updated_at: datetime
    published_at: datetime | None
    open_items: int


class ReviewPage(Page[ReviewSummary]):
    """One page of reviews."""


class ActionItemIn(Strict):
    title: Title
    description: LongText = ""
    kind: Kind
    priority: Priority = "medium"
    owner: Username | None = None
    due_at: IsoDateTime | None = None
    proposed_playbook: Annotated[str, StringConstraints(max_length=200_000)] = ""


class ActionItemUpdate(Strict):
    title: Title | None = None
    description: LongText | None = None
    priority: Priority | None = None
    owner: Username | None = None
    due_at: IsoDateTime | None = None
    status: ItemStatus | None = None
    evidence: LongText | None = None
    reason: Reason | None = None


class ActionItemOut(BaseModel):
    id: int
    incident: str
    review_id: int
    title: str
    description: str
    kind: str
    priority: str
    owner: str | None
    due_at: datetime | None
    status: str
    evidence: str
    overdue: bool
    proposed_playbook: bool
    playbook_version: str
    created_at: datetime
    done_at: datetime | None


class ActionItemFilter(BaseModel):
    status: Literal["open", "in_progress", "done", "cancelled", "any", "unfinished"] = "unfinished"
    owner: Username | None = None
    kind: Kind | None = None
    overdue: bool | None = None
    incident: Annotated[str, StringConstraints(max_length=40)] | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class ActionItemPage(Page[ActionItemOut]):
    """One page of action items."""


class RecurrenceOut(BaseModel):
    incident: str
    earlier: str
    earlier_title: str
    harm: str
    country: str
    linked_at: datetime
    open_items: list[ActionItemOut]


class LearningOut(BaseModel):
    """The learning page: reviews this quarter, open and overdue items, recurrences per harm and country."""

    quarter: str
    reviews_by_state: dict[str, int]
    published_this_quarter: int
    open_items: int
    overdue_items: int
    items_by_kind: dict[str, int]
    recurrences: list[dict[str, Any]]
    awaiting_review: list[str]
