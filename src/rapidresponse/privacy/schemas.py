"""Input and output shapes of legal holds, retention and a person's data requests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from ..schemas import Reason, Strict

Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254)]
SubjectKind = Literal["reporter", "user"]


class HoldIn(Strict):
    reason: Reason


class ReleaseIn(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class HoldOut(BaseModel):
    id: int
    incident: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None = None
    released_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None


class RetentionRule(BaseModel):
    """One data class: how long it is kept (days; 0: kept until erased on request) and what then."""

    data_class: str
    days: int
    action: Literal["redact", "delete"]
    setting: str = Field(description="The environment variable that sets it")


class RetentionReport(BaseModel):
    """What one retention pass did: rows redacted or deleted per data class."""

    at: datetime
    counts: dict[str, int]
    held_incidents: int


class SubjectIn(Strict):
    kind: SubjectKind = Field(description="reporter: matched on the signals' reporter metadata; user: a user name "
                                          "or email address")
    identifier: Identifier


class SubjectData(BaseModel):
    """Everything held about a person, as exported (JSON)."""

    kind: SubjectKind
    identifier: str
    generated_at: datetime
    counts: dict[str, int]
    data: dict[str, Any]


class ErasureOut(BaseModel):
    kind: SubjectKind
    counts: dict[str, int]
    kept_on_hold: int
