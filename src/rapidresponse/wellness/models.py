"""Wellness tables. Exposure rows hold who, which harm class, how intense, how long and when, never
the content. A check-in keeps no user: the receipt that someone checked in is a separate row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class ViewingPreference(Base):
    """A person's safe-viewing settings: one set for content in general, one for the sensitive classes."""

    __tablename__ = "wellness_viewing"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    general: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sensitive: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Exposure(Base):
    __tablename__ = "wellness_exposures"
    __table_args__ = (Index("ix_wellness_exposures_user_at", "user_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    harm: Mapped[str] = mapped_column(String(60))
    intensity: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    seconds: Mapped[int] = mapped_column(Integer)
    incident_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Budget(Base):
    """Minutes a day and a week at one intensity: the team's (``user_id`` 0) or one person's own."""

    __tablename__ = "wellness_budgets"
    __table_args__ = (UniqueConstraint("user_id", "intensity", name="uq_wellness_budgets"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, default=0)
    intensity: Mapped[str] = mapped_column(String(10))
    daily_minutes: Mapped[int | None] = mapped_column(Integer)
    weekly_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Surge(Base):
    """Limits raised for a while during a major incident, with the reason."""

    __tablename__ = "wellness_surges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    factor: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    incident_ref: Mapped[str | None] = mapped_column(String(40))
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckIn(Base):
    """An anonymous check-in after an incident: no user, and only the day it was given."""

    __tablename__ = "wellness_checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_ref: Mapped[str] = mapped_column(String(40), index=True)
    day: Mapped[date] = mapped_column(Date)
    wellbeing: Mapped[int] = mapped_column(SmallInteger)  # 1 (struggling) .. 5 (fine)
    workload: Mapped[int] = mapped_column(SmallInteger)  # 1 (light) .. 5 (too much)
    wants_support: Mapped[bool] = mapped_column(Boolean, default=False)


class CheckInReceipt(Base):
    """That a person has checked in about an incident (so they are asked once), not what they said."""

    __tablename__ = "wellness_checkin_receipts"
    __table_args__ = (UniqueConstraint("user_id", "incident_ref", name="uq_wellness_checkin_receipts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    incident_ref: Mapped[str] = mapped_column(String(40))


class Resource(Base):
    """Support the team offers (an employee assistance line, a counsellor's hours), set by an admin."""

    __tablename__ = "wellness_resources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
