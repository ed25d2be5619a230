"""The risk register's tables: a risk per harm × country, its versioned assessments and its mitigations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class Risk(Base):
    """A harm in a country (or a region's code) with its current rating: the last approved assessment."""

    __tablename__ = "risks"
    __table_args__ = (UniqueConstraint("harm", "country", name="uq_risks_harm_country"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    harm: Mapped[str] = mapped_column(String(60), index=True)
    country: Mapped[str] = mapped_column(String(8), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    area: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    # The rating in force (from the last approved assessment; the first draft's until one is approved).
    likelihood: Mapped[int] = mapped_column(SmallInteger)
    impact: Mapped[int] = mapped_column(SmallInteger)
    residual_likelihood: Mapped[int] = mapped_column(SmallInteger)
    residual_impact: Mapped[int] = mapped_column(SmallInteger)
    version: Mapped[int] = mapped_column(Integer, default=0)  # approved assessments so far
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    baseline: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # indicators when last approved
    flagged_reason: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assessment(Base):
    """One version of a risk's assessment, through draft → in review (policy and legal) → approved."""

    __tablename__ = "risk_assessments"
    __table_args__ = (UniqueConstraint("risk_id", "number", name="uq_risk_assessments_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[int] = mapped_column(Integer, ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    likelihood: Mapped[int] = mapped_column(SmallInteger)
    impact: Mapped[int] = mapped_column(SmallInteger)
    residual_likelihood: Mapped[int] = mapped_column(SmallInteger)
    residual_impact: Mapped[int] = mapped_column(SmallInteger)
    likelihood_reason: Mapped[str] = mapped_column(Text, default="")
    impact_reason: Mapped[str] = mapped_column(Text, default="")
    why: Mapped[str] = mapped_column(Text, default="")  # what changed since the last version, and why
    indicators: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # as read when drafted
    # {"policy": {"by": "pavel", "at": "2026-…"}, "legal": …}: the reviews it has
    reviews: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")  # a reviewer's when returned
    author_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Mitigation(Base):
    """What is done about a risk: a playbook, lexicon, hash list, detection threshold or action item."""

    __tablename__ = "risk_mitigations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    risk_id: Mapped[int] = mapped_column(Integer, ForeignKey("risks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(200), default="")  # the playbook slug, lexicon, list name, item id…
    description: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestSchedule(Base):
    """When the weekly leadership digest goes out, and to whom (one row, set by an admin)."""

    __tablename__ = "risk_digest_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    weekday: Mapped[int] = mapped_column(SmallInteger, default=0)  # 0 Monday … 6 Sunday
    hour: Mapped[int] = mapped_column(SmallInteger, default=9)  # local hour in ``timezone``
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)  # usernames
    last_week: Mapped[str | None] = mapped_column(String(10))  # the ISO week last sent, e.g. 2026-W49
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
