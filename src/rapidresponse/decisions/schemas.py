"""Input and output shapes of content decisions, appeals and statement-of-reasons exports, and the
labels of their vocabulary."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import N_
from ..policy import CountryCode, LanguageTag
from ..schemas import IsoDate, Page, Strict
from .sor import MAX_LEN


class Action(StrEnum):
    REMOVE = "remove"
    GEO_RESTRICT = "geo_restrict"
    AGE_RESTRICT = "age_restrict"
    REDUCE_REACH = "reduce_reach"
    LABEL = "label"
    ACCOUNT_SUSPEND = "account_suspend"
    ACCOUNT_TERMINATE = "account_terminate"


ACTION_LABELS = {
    "remove": N_("Remove"), "geo_restrict": N_("Geo-restrict"), "age_restrict": N_("Age-restrict"),
    "reduce_reach": N_("Reduce reach"), "label": N_("Label"), "account_suspend": N_("Suspend the account"),
    "account_terminate": N_("Terminate the account"),
}
APPEAL_LABELS = {"open": N_("Under review"), "upheld": N_("Upheld"), "reversed": N_("Reversed"),
                 "modified": N_("Modified")}
ContentKind = Literal["text", "video", "image", "audio", "synthetic_media", "product", "app", "other"]
Source = Literal["notice", "trusted_flagger", "authority", "voluntary"]
Automation = Literal["fully", "partially", "not"]
AppealStatus = Literal["upheld", "reversed", "modified"]
Text5000 = Annotated[str, Field(min_length=1, max_length=5000)]


class _In(Strict):
    """Input: strict (unknown fields and NUL characters refused), with surrounding blanks stripped."""

    model_config = ConfigDict(str_strip_whitespace=True)


class DecisionCreate(_In):
    puid: str = Field(min_length=1, max_length=500, description="The platform's unique id of the item")
    content_url: str = Field("", max_length=2000)
    content_type: ContentKind = "video"
    content_type_other: str = Field("", max_length=MAX_LEN["content_type_other"],
                                    description="What the content is, when content_type is other")
    content_language: LanguageTag | None = None
    content_date: IsoDate
    action: Action
    ground: Literal["policy", "law"] = "policy"
    policy_clause: str = Field("", max_length=2000, description="Default: the harm's clause in the taxonomy")
    legal_ground: str = Field("", max_length=2000)
    explanation: Text5000
    harm: str = Field(min_length=1, max_length=60, description="A harm taxonomy slug")
    territorial_scope: list[CountryCode] = Field(default_factory=list, max_length=60,
                                                 description="ISO codes where it applies; empty: worldwide")
    automated_detection: bool = False
    automated_decision: Automation = "not"
    source_type: Source = "voluntary"
    source_identity: str = Field("", max_length=500)
    facts: Text5000
    end_date: IsoDate | None = None
    incident: str | None = Field(None, max_length=20, description="Incident reference")
    draft: int | None = Field(None, ge=1, le=2**31 - 1,
                              description="The draft (from a regulator request's item outcome) this decision completes")


class DraftOut(BaseModel):
    """A decision drafted from a regulator request's item outcome: ``fields`` are a DecisionCreate's,
    without the harm and the content's date, which the person completing it adds."""

    id: int
    request_id: int
    request_ref: str
    item_id: int
    outcome: str
    fields: dict[str, Any]
    created_at: datetime


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
    content_type_other: str
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


class DecisionPage(Page[DecisionOut]):
    """One page of the decision log."""
