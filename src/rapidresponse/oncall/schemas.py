"""Input and output shapes of the on-call API (pydantic)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from ..incidents import IncidentType
from ..schemas import Countries, Country, IsoDate, IsoDateTime, Languages, Strict, TimeZone, Username

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _hhmm(value: str) -> str:
    value = value.strip()
    if not _HHMM.match(value):
        raise ValueError(f"{value[:10]!r} is not a time of day as HH:MM (00:00-23:59)")
    return value


HHMM = Annotated[str, AfterValidator(_hhmm)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Unit = Literal["hours", "days", "weeks"]
StepKind = Literal["schedule", "user", "role"]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]


class TeamIn(Strict):
    name: Name
    description: Text = ""
    timezone: TimeZone = "UTC"
    webhook_endpoint_ids: Annotated[list[Id], Field(max_length=20)] = []


class TeamUpdate(Strict):
    name: Name | None = None
    description: Text | None = None
    timezone: TimeZone | None = None
    webhook_endpoint_ids: Annotated[list[Id], Field(max_length=20)] | None = None


class ScheduleIn(Strict):
    name: Name
    description: Text = ""
    timezone: TimeZone = "UTC"
    country: Country | None = Field(default=None, description="Public holidays shown and counted")


class Restriction(Strict):
    days: Annotated[list[Weekday], Field(min_length=1, max_length=7)]
    start: HHMM
    end: HHMM = Field(description="Not after start: the window runs past midnight")


class LayerIn(Strict):
    name: Name
    level: Annotated[int, Field(ge=1, le=100, description="Higher levels cover lower ones")]
    users: Annotated[list[Username], Field(min_length=1, max_length=50)]
    timezone: TimeZone
    start_date: IsoDate
    handoff_time: HHMM = "09:00"
    shift_length: Annotated[int, Field(ge=1, le=1000)] = 1
    shift_unit: Unit = "weeks"
    restrictions: Annotated[list[Restriction], Field(max_length=14)] = []
    country: Country | None = None

    @model_validator(mode="after")
    def _sane(self) -> LayerIn:
        if not date(2000, 1, 1) <= self.start_date <= date(2100, 1, 1):
            raise ValueError("start_date must be between 2000-01-01 and 2100-01-01")
        return self


class Window(Strict):
    starts_at: IsoDateTime
    ends_at: IsoDateTime

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.ends_at - self.starts_at > (datetime(2001, 1, 1) - datetime(2000, 1, 1)):
            raise ValueError("at most a year at once")
        return self


class OverrideIn(Window):
    username: Username
    reason: Text = ""


class SwapIn(Window):
    username: Username = Field(description="Who is asked to take the shift")
    note: Text = ""


class StepIn(Strict):
    kind: StepKind
    target: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    delay_minutes: Annotated[int, Field(ge=1, le=1440)] = 15


class PolicyIn(Strict):
    name: Name
    steps: Annotated[list[StepIn], Field(min_length=1, max_length=10)]
    repeat: Annotated[int, Field(ge=0, le=10)] = 0


class RouteIn(Strict):
    policy_id: Id
    position: Annotated[int, Field(ge=0, le=1000)] = 0
    incident_types: Annotated[list[IncidentType], Field(max_length=20)] = []
    countries: Countries = []
    languages: Languages = []
    min_severity: Annotated[int, Field(ge=1, le=4, description="Incidents of this SEV level or worse page")] = 2


class PageIn(Strict):
    team_id: Id
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = Field(
        default="", description="What the page says; an incident's title when empty")
    policy_id: Id | None = None
    incident_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = Field(
        default=None, description="The incident the page is about (you must be able to see it)")


class Ack(Strict):
    pass


# --- output --------------------------------------------------------------------------------------

class TeamOut(BaseModel):
    id: int
    name: str
    description: str
    timezone: str
    webhook_endpoint_ids: list[int]


class LayerOut(BaseModel):
    id: int
    name: str
    level: int
    users: list[str]
    timezone: str
    start_date: date
    handoff_time: str
    shift_length: int
    shift_unit: str
    restrictions: list[Restriction]
    country: str | None


class ScheduleOut(BaseModel):
    id: int
    team_id: int
    team: str
    name: str
    description: str
    timezone: str
    country: str | None
    layers: list[LayerOut]


class OverrideOut(BaseModel):
    id: int
    schedule_id: int
    username: str
    starts_at: datetime
    ends_at: datetime
    reason: str


class ShiftOut(BaseModel):
    username: str
    display_name: str
    start: datetime
    end: datetime
    source: Literal["layer", "override"]
    source_id: int
    level: int
    timezone: str = Field(default="", description="The person's own time zone")
    reachable: bool = Field(default=True, description="Whether a page can reach them (a working contact method)")


class GapOut(BaseModel):
    start: datetime
    end: datetime


class ConflictOut(BaseModel):
    start: datetime
    end: datetime
    override_ids: list[int]
    usernames: list[str]


class FinalOut(BaseModel):
    schedule_id: int
    start: datetime
    end: datetime
    shifts: list[ShiftOut]
    gaps: list[GapOut]
    conflicts: list[ConflictOut]


class OnCallOut(BaseModel):
    team: str
    schedule_id: int
    schedule: str
    now: ShiftOut | None
    next: ShiftOut | None


class MyShiftOut(ShiftOut):
    schedule_id: int
    schedule: str
    team: str


class SwapOut(BaseModel):
    id: int
    schedule_id: int
    requester: str
    target: str
    starts_at: datetime
    ends_at: datetime
    note: str
    status: str
    override_id: int | None


class StepOut(BaseModel):
    kind: str
    target: str
    delay_minutes: int


class PolicyOut(BaseModel):
    id: int
    team_id: int
    name: str
    steps: list[StepOut]
    repeat: int


class RouteOut(BaseModel):
    id: int
    team_id: int
    policy_id: int
    position: int
    incident_types: list[str]
    countries: list[str]
    languages: list[str]
    min_severity: int


class PageOut(BaseModel):
    id: int
    team: str
    status: str
    summary: str
    incident_ref: str | None
    severity: int | None
    step: int
    cycle: int
    triggered_at: datetime
    next_escalation_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    seconds_to_ack: int | None
    resolved_at: datetime | None
    notified: list[str]
    unreachable: list[str] = Field(default=[], description="People it reached with no working contact method")


class FairnessRow(BaseModel):
    username: str
    display_name: str
    hours: float
    night_hours: float
    weekend_hours: float
    holiday_hours: float
    nights: int
    pages: int
    heavy_incidents: int = Field(0, description="incidents paged for whose harms are of high or extreme "
                                               "exposure intensity (from the rota, not the private exposure log)")


class UnreachableOut(BaseModel):
    """A shift, now or soon, of someone no page can reach."""

    schedule_id: int
    schedule: str
    team: str
    username: str
    display_name: str
    start: datetime
    end: datetime
