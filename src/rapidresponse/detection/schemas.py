"""Pydantic shapes of the alerts, cases and thresholds API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from ..schemas import IsoDateTime, Page, Strict

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000,
                                          pattern=r"^[^\x00]*$")]
Text = Annotated[str, StringConstraints(max_length=20_000, pattern=r"^[^\x00]*$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")]
Pattern = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60,
                                           pattern=r"^(\*|[A-Za-z0-9_.-]+)$")]
Family = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^(\*|[a-z0-9][a-z0-9_.-]*)$")]


class AlertOut(BaseModel):
    id: int
    series: str
    harm: str
    country: str
    language: str
    state: str
    raised_at: datetime
    first_bucket: datetime
    last_bucket: datetime
    first_signal_at: datetime | None
    score: float
    peak_score: float
    threshold: float
    observed: int
    expected: float
    growth: float
    snoozed_until: datetime | None
    reason: str
    crossings: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    samples: list[dict[str, Any]]


class SnoozeIn(Strict):
    until: IsoDateTime
    reason: Reason


class SuppressIn(Strict):
    reason: Reason
    expires_at: IsoDateTime


class DismissIn(Strict):
    reason: Reason


class OpenCaseIn(Strict):
    title: Short = ""


class SuppressionIn(Strict):
    harm: Pattern = "*"
    country: Pattern = "*"
    language: Pattern = "*"
    reason: Reason
    expires_at: IsoDateTime


class SuppressionOut(BaseModel):
    id: int
    harm: str
    country: str
    language: str
    reason: str
    expires_at: datetime
    created_at: datetime
    created_by: str
    lifted_at: datetime | None


class CaseIn(Strict):
    source: str = Field(description="press, regulator, trusted_flagger, partner, internal or other",
                        max_length=20)
    title: Short
    description: Text = ""
    harm: Annotated[str, StringConstraints(max_length=60, pattern=r"^([a-z0-9][a-z0-9_.-]*)?$")] = ""
    countries: list[Annotated[str, StringConstraints(max_length=2)]] = Field(default=[], max_length=60)
    languages: list[Annotated[str, StringConstraints(max_length=16)]] = Field(default=[], max_length=30)
    first_signal_at: IsoDateTime | None = None


class AssignIn(Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64,
                                               pattern=r"^[^\x00]*$")]
    confirm: bool = Field(False, description="Taking a case of high-intensity harm oneself past one's exposure "
                          "budget (only for one's own assignment)")


class NoteIn(Strict):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000,
                                           pattern=r"^[^\x00]*$")]


class EscalateIn(Strict):
    into: Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9-]*$")] | None = Field(
        default=None, description="Link the case to this existing incident instead of declaring one")
    title: Short | None = None
    type: str | None = Field(default=None, max_length=40)
    summary: Text | None = None


class CaseOut(BaseModel):
    id: int
    title: str
    source: str
    description: str
    status: str
    alert_id: int | None
    harm: str
    countries: list[str]
    languages: list[str]
    series: list[str]
    signal_ids: list[int]
    assignee: str | None
    reason: str
    first_signal_at: datetime | None
    alert_at: datetime | None
    opened_at: datetime
    declared_at: datetime | None
    incident: str | None
    metrics: dict[str, float | None]


class ThresholdOut(BaseModel):
    family: str
    threshold: float
    updated_by: str


class ThresholdIn(Strict):
    threshold: float = Field(gt=0.0, le=1.0)


class BacktestIn(Strict):
    threshold: float = Field(gt=0.0, le=1.0)
    days: int = Field(default=30, ge=1, le=30)


class BacktestHitOut(BaseModel):
    series: str
    at: datetime
    score: float


class BacktestOut(BaseModel):
    family: str
    threshold: float
    current_threshold: float
    days: int
    series: int
    buckets: int
    alerts: int
    alerts_at_current: int
    hits: list[BacktestHitOut]




class EventOut(BaseModel):
    """One entry of an alert's or a case's history."""

    occurred_at: datetime
    type: str
    actor: str
    actor_name: str = ""  # how that person is shown (their display name)
    payload: dict[str, Any]


class AlertPage(Page[AlertOut]):
    """One page of the alert queue."""


class CasePage(Page[CaseOut]):
    """One page of triage cases."""
