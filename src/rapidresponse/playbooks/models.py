"""Playbook tables: every version an incident ran, the run on each incident, its tasks, and the
stakeholder updates composed from its templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class PlaybookVersion(Base):
    """One exact text of a playbook, kept for ever once saved or used: a past incident shows the plan it
    ran even after the library changed. ``source`` is ``builtin``, ``directory`` or ``ui``."""

    __tablename__ = "playbook_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    playbook_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(12))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlaybookRun(Base):
    """A playbook applied to an incident. A replaced run stays, with status ``replaced``."""

    __tablename__ = "playbook_runs"
    __table_args__ = (Index("ix_playbook_runs_incident_status", "incident_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("playbook_versions.id"))
    status: Mapped[str] = mapped_column(String(12), default="active")
    conditions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Escalation id → when it fired (each fires once per run).
    fired: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The due time the comms lead was last reminded of (so each due time is reminded once).
    update_reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The due time the commander was told had passed with no update.
    update_escalated_for: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RunTask(Base):
    """A playbook step on an incident: which incident task carries it, whose role owns it, and
    whether its owner has been reminded and the commander told it is overdue."""

    __tablename__ = "playbook_run_tasks"
    __table_args__ = (UniqueConstraint("run_id", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("playbook_runs.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("incident_tasks.id", ondelete="SET NULL"))
    owner_role: Mapped[str] = mapped_column(String(20))
    after_step: Mapped[str | None] = mapped_column(String(64))
    within_minutes: Mapped[int | None] = mapped_column(Integer)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StakeholderUpdate(Base):
    """A message composed from a template for an audience: draft → (awaiting approval →) sent."""

    __tablename__ = "stakeholder_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("playbook_runs.id", ondelete="SET NULL"))
    template_id: Mapped[str | None] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    gate: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    approval_id: Mapped[int | None] = mapped_column(Integer)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
