"""Decision tables: content decisions per item and the appeals against them.

Incidents are related, not owned: a decision keeps the incident's id and ref (no foreign key), and
reads the incident only through the incidents service.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class ContentDecision(Base):
    """One moderation decision on one item: what was done, on what ground, where, and how."""

    __tablename__ = "policy_decisions"
    __table_args__ = (Index("ix_policy_decisions_decided", "decided_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    puid: Mapped[str] = mapped_column(String(500), unique=True)  # the platform's unique id of the item
    content_url: Mapped[str] = mapped_column(String(2000), default="")
    content_type: Mapped[str] = mapped_column(String(40))  # DSA CONTENT_TYPE_*
    content_type_other: Mapped[str] = mapped_column(String(500), default="")  # what "other" is
    content_language: Mapped[str | None] = mapped_column(String(16))
    content_date: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    ground: Mapped[str] = mapped_column(String(12))  # policy | law
    policy_clause: Mapped[str] = mapped_column(Text, default="")
    legal_ground: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text)
    harm: Mapped[str] = mapped_column(String(60), index=True)  # taxonomy slug
    territorial_scope: Mapped[list[str]] = mapped_column(JSONType, default=list)  # [] = worldwide
    automated_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    automated_decision: Mapped[str] = mapped_column(String(12))  # fully | partially | not
    source_type: Mapped[str] = mapped_column(String(20))
    source_identity: Mapped[str] = mapped_column(String(500), default="")
    facts: Mapped[str] = mapped_column(Text)
    end_date: Mapped[date | None] = mapped_column(Date)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    incident_ref: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Appeal(Base):
    """A complaint against a decision (DSA Art. 20) and its outcome."""

    __tablename__ = "policy_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("policy_decisions.id", ondelete="CASCADE"), index=True)
    appellant: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | upheld | reversed | modified
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DecisionDraft(Base):
    """A decision prepared from a regulator request's item outcome, waiting to be completed and recorded
    (the request's country, legal basis and item are already in ``fields``, a ``DecisionCreate``)."""

    __tablename__ = "decision_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(Integer, index=True)
    request_ref: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer, unique=True)
    outcome: Mapped[str] = mapped_column(String(24))
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)  # the decision it became
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
