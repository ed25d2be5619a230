"""Request tables: regulator and law-enforcement requests, the items they name, and the reply letter.

Incidents are related, not owned: a request keeps the incident's id and ref (no foreign key), and
reads the incident only through the incidents service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class RegulatorRequest(Base):
    """A regulator's or law enforcement's request, with the legal clock it started."""

    __tablename__ = "policy_requests"
    __table_args__ = (Index("ix_policy_requests_open_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(20), unique=True)  # REQ-2026-0001: numbered per year, like incidents
    country: Mapped[str] = mapped_column(String(2))
    regulator: Mapped[str] = mapped_column(String(60))  # regulator id in the country profile
    sender: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(120), default="")  # the sender's outgoing number
    legal_basis: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The deadline as the profile said when the request came in: a corrected profile never moves a clock.
    deadline_name: Mapped[str] = mapped_column(String(60))
    deadline_instrument: Mapped[str] = mapped_column(String(300))
    deadline_hours: Mapped[float] = mapped_column(Float)
    deadline_time: Mapped[str] = mapped_column(String(10))  # calendar | business
    deadline_confidence: Mapped[str] = mapped_column(String(12))
    deadline_defaulted: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | answered
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    incident_ref: Mapped[str | None] = mapped_column(String(20))
    warned: Mapped[list[int]] = mapped_column(JSONType, default=list)  # percentages already warned about
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalations: Mapped[int] = mapped_column(Integer, default=0)  # breach escalations sent so far
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last one
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RequestCounter(Base):
    """The last request number issued in a year (``REQ-<year>-<number>``, starting at 1 each year)."""

    __tablename__ = "request_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RequestItem(Base):
    """One URL or content id named in a request, and what was done about it."""

    __tablename__ = "policy_request_items"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("policy_requests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(2000))
    outcome: Mapped[str | None] = mapped_column(String(24))  # removed_globally | restricted_in_country | no_action
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReplyLetter(Base):
    """The reply to a request: a draft from templates, edited, approved by legal, then logged as sent."""

    __tablename__ = "policy_request_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("policy_requests.id", ondelete="CASCADE"), unique=True)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="draft")  # draft | submitted | sent
    approval_id: Mapped[int | None] = mapped_column(Integer)
    sent_sha256: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class LetterCounter(Base):
    """The last outgoing number issued in a year (numbering starts again at 1 each year)."""

    __tablename__ = "letter_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class OutgoingLetter(Base):
    """The outgoing-number register: one number per reply letter, kept when the letter is redrafted."""

    __tablename__ = "letter_register"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("policy_requests.id", ondelete="CASCADE"), unique=True)
    regulator: Mapped[str] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(2))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
