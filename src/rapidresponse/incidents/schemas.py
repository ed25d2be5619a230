"""Input and output shapes of the incident API (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..schemas import (
    Countries,
    Country,
    Harms,
    IsoDateTime,
    Language,
    Languages,
    LongText,
    Reason,
    Strict,
    Title,
    Username,
)
from .severity import SeverityInput
from .vocab import IncidentType, Role, Status, TaskStatus


class IncidentCreate(Strict):
    title: Title
    summary: LongText = ""
    type: IncidentType
    harm_categories: Harms = []
    countries: Countries = []
    languages: Languages = []
    source_description: LongText = ""
    severity: SeverityInput | None = Field(default=None, description="Matrix inputs; defaults by type")
    detected_at: IsoDateTime | None = None
    restricted: bool | None = Field(default=None, description="Defaults to true for child safety")


class IncidentUpdate(Strict):
    title: Title | None = None
    summary: LongText | None = None
    type: IncidentType | None = None
    harm_categories: Harms | None = None
    countries: Countries | None = None
    languages: Languages | None = None
    source_description: LongText | None = None
    severity: SeverityInput | None = None
    restricted: bool | None = None


class StatusChange(Strict):
    status: Status
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class SeverityOverride(Strict):
    level: int | None = Field(ge=1, le=4, description="SEV level, or null to return to the computed one")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class RoleAssign(Strict):
    role: Role
    username: Username


class NoteCreate(Strict):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
    pinned: bool = False
    at: datetime | None = Field(default=None, description="When it happened, when that was earlier than now "
                                "(never in the future): the note takes its place on the timeline by this time")


class NotePin(Strict):
    pinned: bool


class TaskCreate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    description: LongText = ""
    owner: Username | None = None
    due_at: IsoDateTime | None = None


class TaskUpdate(Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)] | None = None
    description: LongText | None = None
    owner: Username | None = None
    due_at: IsoDateTime | None = None
    status: TaskStatus | None = None


class MergeRequest(Strict):
    into: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    reason: Reason


class LinkRequest(Strict):
    ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    kind: Literal["related", "caused_by", "follow_up"] = "related"


class IncidentFilter(Strict):
    status: list[Status] = []
    severity: list[Annotated[int, Field(ge=1, le=4)]] = []
    type: list[IncidentType] = []
    country: Country | None = None
    language: Language | None = None
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    open: bool | None = None
    sort: Literal["-declared_at", "declared_at", "severity", "-updated_at"] = "-declared_at"
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class MemberOut(BaseModel):
    username: str
    display_name: str
    role: str
    added_at: datetime


class Member(MemberOut):
    """A person in a role on an incident, as other domains see them."""

    model_config = ConfigDict(frozen=True)

    user_id: int


class IncidentOut(BaseModel):
    ref: str
    title: str
    summary: str
    type: str
    harm_categories: list[str]
    countries: list[str]
    languages: list[str]
    source_description: str
    status: str
    severity: int
    severity_computed: int
    severity_inputs: dict[str, Any]
    severity_override_reason: str | None
    restricted: bool
    merged_into: str | None
    detected_at: datetime
    declared_at: datetime
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime


class IncidentSummary(IncidentOut):
    """An incident as the services return it (and as other domains see it): the API's fields and its id."""

    model_config = ConfigDict(frozen=True)

    id: int


class IncidentDetail(IncidentOut):
    severity_assessment: dict[str, Any]
    members: list[MemberOut]
    links: list[dict[str, str]]


class NoteOut(BaseModel):
    id: int
    author: str | None
    body: str
    body_html: str
    pinned: bool
    created_at: datetime


class TaskOut(BaseModel):
    id: int
    title: str
    description: str
    owner: str | None
    due_at: datetime | None
    status: str
    created_at: datetime
    completed_at: datetime | None


class TimelineEntry(BaseModel):
    id: int
    at: datetime
    type: str
    actor: str = Field(description="The username of who did it (``system`` for the platform)")
    actor_name: str = Field(default="", description="How that person is shown: their display name")
    payload: dict[str, Any]
    shown: dict[str, Any] = Field(default={}, description="The payload with the people it names by display name "
                                  "(empty when it names nobody)")
    note: NoteOut | None = None
