"""What the wellness service takes and returns. Nothing here carries content, and nothing about one
person is returned to anybody but that person."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from ..schemas import Reason, Slug, Strict, Title, Username

Intensity = Literal["low", "medium", "high", "extreme"]
Kind = Literal["reveal", "review", "evidence", "translation"]
Minutes = Annotated[int, Field(ge=0, le=10_080)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ViewSettings(Strict):
    """Safe-viewing settings for one class of content."""

    blur: bool = True
    greyscale: bool = True
    mute: bool = True
    small: bool = False
    mask_terms: bool = False
    click_to_reveal: bool = False
    warn: bool = False


class Viewing(Strict):
    """A person's settings: for content in general, and for the sensitive harm classes (child safety,
    self-harm, gore, animal cruelty and anything the taxonomy rates extreme), which default to all on."""

    general: ViewSettings
    sensitive: ViewSettings


class ExposureIn(Strict):
    """An exposure the caller measured for themselves (a review tool, a player): never its content."""

    harm: Slug
    kind: Kind = "review"
    seconds: int | None = Field(None, ge=1, le=4 * 3600, description="How long; the kind's nominal time when unset")
    incident_ref: Ref | None = None


class ExposureOut(BaseModel):
    harm: str
    intensity: str
    kind: str
    seconds: int
    incident_ref: str | None
    occurred_at: datetime


class BudgetIn(Strict):
    """Minutes a day (the last 24 hours) and a week (the last 7 days) at one intensity; none: no limit."""

    intensity: Intensity
    daily_minutes: Minutes | None = None
    weekly_minutes: Minutes | None = None


class BudgetOut(BaseModel):
    intensity: str
    daily_minutes: int | None
    weekly_minutes: int | None
    source: Literal["default", "team", "person"]


class Use(BaseModel):
    """One intensity of one person's standing: minutes used and allowed (with any surge applied)."""

    intensity: str
    day_minutes: float
    week_minutes: float
    daily_limit: float | None
    weekly_limit: float | None
    state: Literal["ok", "near", "over"]


class Standing(BaseModel):
    uses: list[Use]
    state: Literal["ok", "near", "over"]
    break_due: bool
    continuous_minutes: float
    surge: SurgeOut | None = None


class SurgeIn(Strict):
    factor: float = Field(ge=1.1, le=3.0, description="How much the limits are raised (1.5: by half)")
    hours: int = Field(ge=1, le=72, description="How long until the limits return to normal")
    reason: Reason
    incident_ref: Ref | None = None


class SurgeOut(BaseModel):
    id: int
    factor: float
    reason: str
    incident_ref: str | None
    started_by: str
    started_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class CheckInIn(Strict):
    wellbeing: int = Field(ge=1, le=5, description="1 struggling … 5 fine")
    workload: int = Field(ge=1, le=5, description="1 light … 5 too much")
    wants_support: bool = False


class CheckInSummary(BaseModel):
    """Check-ins about one incident, as aggregates only: nothing below the minimum group size."""

    incident_ref: str
    count: int
    shown: bool
    wellbeing_mean: float | None = None
    workload_mean: float | None = None
    wants_support: int | None = None
    wellbeing: dict[int, int] | None = None


class Group(BaseModel):
    """One line of the team view: a group of people, never fewer than the minimum."""

    key: str
    people: int | None  # None: fewer than the minimum, so nothing is shown
    hours: float | None
    median_minutes: float | None


class TeamView(BaseModel):
    days: int
    min_group: int
    people_exposed: int | None
    by_intensity: list[Group]
    by_harm: list[Group]
    over_budget: int | None
    near_budget: int | None
    checkins: int
    surge: SurgeOut | None


class ResourceIn(Strict):
    title: Title
    contact: Contact
    note: Note = ""


class ResourceOut(BaseModel):
    id: int
    title: str
    contact: str
    note: str


class PersonBudgetIn(BudgetIn):
    username: Username


Standing.model_rebuild()
