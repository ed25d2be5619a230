"""What the analytics service takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from ..schemas import Country, IsoDate, Language, Strict, Title

HarmName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
TeamName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sql = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ParamName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")]
ParamValue = Annotated[str, StringConstraints(max_length=500)] | int | float | bool | None
Format = Literal["table", "csv", "json", "parquet"]


class MetricFilter(Strict):
    """The period (``start`` to ``end``, both days included; the last 90 days when unset) and filters."""

    start: IsoDate | None = None
    end: IsoDate | None = None
    harm: HarmName | None = None
    country: Country | None = None
    language: Language | None = None
    severity: int | None = Field(default=None, ge=1, le=4)
    team: TeamName | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MetricFilter:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class MetricOut(BaseModel):
    """One metric over the period, and over the period of the same length before it."""

    name: str
    start: date
    end: date
    columns: list[str]
    rows: list[list[Any]]
    previous: list[list[Any]]


class Stage(BaseModel):
    stage: str
    incidents: int
    median: float | None
    p90: float | None
    previous_median: float | None


class Overview(BaseModel):
    start: date
    end: date
    incidents: int
    previous_incidents: int
    stages: list[Stage]
    exposure_signals: int
    exposure_reports: int
    deadlines_met: int
    deadlines_breached: int
    deadlines_open: int
    updates_sent: int
    updates_overdue: int
    recurring: int
    restricted_hidden: int = Field(description="Restricted incidents in the period the viewer may not see (left "
                                                "out of every figure); 0 unless the installation shows the count")
    synced_at: datetime | None


class QueryIn(Strict):
    sql: Sql
    params: dict[ParamName, ParamValue] = Field(default_factory=dict, max_length=40)
    limit: int | None = Field(default=None, ge=1, le=1_000_000, description="At most the configured row limit")


class QueryResult(BaseModel):
    columns: list[str]
    types: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = Field(description="More rows matched than the limit let through")
    milliseconds: int


class ParamIn(Strict):
    name: ParamName
    default: ParamValue = None


class SavedQueryIn(Strict):
    name: Title
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    sql: Sql
    parameters: list[ParamIn] = Field(default_factory=list, max_length=20)
    shared_with: Annotated[str, StringConstraints(max_length=40)] | None = Field(
        default=None, description="A role whose members may see and run it too")


class SavedQueryOut(BaseModel):
    id: int | None = Field(description="None for the queries shipped with the product")
    key: str = Field(description="q<id> for saved queries, the starter's name for shipped ones")
    name: str
    description: str
    sql: str
    parameters: list[dict[str, Any]]
    owner: str | None
    shared_with: str | None
    starter: bool
    updated_at: datetime | None


class HistoryOut(BaseModel):
    id: int
    sql: str
    ran_at: datetime
    milliseconds: int
    rows: int
    error: str | None


class ColumnDoc(BaseModel):
    name: str
    type: str
    description: str


class TableDoc(BaseModel):
    name: str
    description: str
    columns: list[ColumnDoc]
    rows: int | None
    example: str


class SyncOut(BaseModel):
    events: int
    signals: int
    incidents: int
    seconds: float


class ExportOut(BaseModel):
    directory: str
    tables: int
    days: int = Field(description="Days of signals written (those that changed since the last export)")


class StatusOut(BaseModel):
    path: str
    positions: dict[str, int]
    behind: dict[str, int]
    lag_seconds: dict[str, float]
    synced_at: datetime | None

