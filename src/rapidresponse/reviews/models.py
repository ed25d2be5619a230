"""Post-incident reviews, their key moments, sign-offs, feedback and exit criteria; action items;
and the links between an incident and earlier reviewed incidents of the same harm and country."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class Review(Base):
    """One review per incident: ``state`` draft → in_review → meeting_held → published."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    language: Mapped[str] = mapped_column(String(5), default="en")
    sections: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    whys: Mapped[list[str]] = mapped_column(JSONType, default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_attendees: Mapped[list[str]] = mapped_column(JSONType, default=list)
    meeting_notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Moment(Base):
    """A key moment of the incident, in the order the review tells it; ``event_id`` links the
    timeline event it was drafted from (None for one a reviewer added)."""

    __tablename__ = "review_moments"
    __table_args__ = (Index("ix_review_moments_review", "review_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(Integer)


class Signoff(Base):
    __tablename__ = "review_signoffs"
    __table_args__ = (UniqueConstraint("review_id", "role", name="uq_review_signoffs_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    comment: Mapped[str] = mapped_column(Text, default="")


class Feedback(Base):
    """A participant's short feedback; an anonymous one keeps no author."""

    __tablename__ = "review_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    went_well: Mapped[str] = mapped_column(Text, default="")
    went_poorly: Mapped[str] = mapped_column(Text, default="")
    wellbeing: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Criterion(Base):
    """An exit criterion of the incident's playbook: ``state`` open, met or waived (with a reason)."""

    __tablename__ = "review_criteria"
    __table_args__ = (UniqueConstraint("review_id", "position", name="uq_review_criteria_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text_en: Mapped[str] = mapped_column(Text)
    text_ru: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="open")
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActionItem(Base):
    """An improvement a review asks for: ``status`` open → in_progress → done (with evidence) or
    cancelled. An item of kind playbook may carry a proposed playbook (YAML) to save as a version."""

    __tablename__ = "action_items"
    __table_args__ = (Index("ix_action_items_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_playbook: Mapped[str] = mapped_column(Text, default="")
    playbook_version: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Recurrence(Base):
    """``incident_id`` was declared for a harm and country an earlier reviewed incident had."""

    __tablename__ = "incident_recurrences"
    __table_args__ = (UniqueConstraint("incident_id", "earlier_id", name="uq_incident_recurrences"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    harm: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
