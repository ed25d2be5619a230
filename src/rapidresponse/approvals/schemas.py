"""Shapes of approvals: what the service returns and what the API and the CLI take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..schemas import Strict


class ApprovalOut(BaseModel):
    """One approval request: the exact text, who must approve it, and the decision so far."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    kind: str
    subject_type: str
    subject_id: str
    incident_id: int | None
    title: str
    text: str
    text_sha256: str
    required_role: str
    status: str
    requested_by_id: int | None = Field(default=None, exclude=True, description="Not in the API's answers")
    requested_at: datetime
    decided_by_id: int | None = Field(default=None, exclude=True, description="Not in the API's answers")
    decided_at: datetime | None
    comment: str


class Decision(Strict):
    decision: Literal["approved", "rejected"]
    text_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] = Field(
        description="SHA-256 of the exact text you read (approvals are bound to it)")
    comment: Annotated[str, StringConstraints(max_length=4000)] = ""
