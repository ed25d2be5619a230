"""On-call tables: teams, schedules with layers, overrides and swaps, escalation policies, routing
rules, pages and who each page reached."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class Team(Base):
    __tablename__ = "oncall_teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # Webhook endpoints (of the notify domain) that receive this team's pages.
    webhook_endpoint_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Schedule(Base):
    __tablename__ = "oncall_schedules"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("oncall_teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))  # public holidays for overrides and the rota
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Layer(Base):
    """A rotation: people take turns, one shift each; higher levels cover lower ones."""

    __tablename__ = "oncall_layers"
    __table_args__ = (UniqueConstraint("schedule_id", "level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("oncall_schedules.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    user_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    handoff_time: Mapped[str] = mapped_column(String(5))  # HH:MM local
    shift_length: Mapped[int] = mapped_column(Integer)
    shift_unit: Mapped[str] = mapped_column(String(8))  # hours | days | weeks
    # [{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}], local time; empty: always on.
    restrictions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Override(Base):
    __tablename__ = "oncall_overrides"
    __table_args__ = (Index("ix_oncall_overrides_schedule_start", "schedule_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("oncall_schedules.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Swap(Base):
    """A request that ``target`` takes ``[starts_at, ends_at)`` for ``requester``; accepting it adds
    an override."""

    __tablename__ = "oncall_swaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("oncall_schedules.id", ondelete="CASCADE"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    target_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="requested")  # accepted | declined | cancelled
    override_id: Mapped[int | None] = mapped_column(ForeignKey("oncall_overrides.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Policy(Base):
    """Escalation: ordered steps, each waiting ``delay_minutes`` for an acknowledgement, repeated."""

    __tablename__ = "oncall_policies"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("oncall_teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # [{"kind": "schedule"|"user"|"role", "target": "<id | username | incident role>", "delay_minutes": n}]
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    repeat: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Route(Base):
    """Which incidents page a team, and through which policy (empty lists match anything)."""

    __tablename__ = "oncall_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("oncall_teams.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("oncall_policies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    incident_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    countries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    min_severity: Mapped[int] = mapped_column(Integer, default=2)  # SEV1..this level pages
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Page(Base):
    """triggered → acknowledged → resolved; the worker escalates a triggered page step by step."""

    __tablename__ = "oncall_pages"
    __table_args__ = (Index("ix_oncall_pages_due", "status", "next_escalation_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("oncall_teams.id", ondelete="CASCADE"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("oncall_policies.id", ondelete="SET NULL"))
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)  # related, not owned: no FK
    incident_ref: Mapped[str | None] = mapped_column(String(20))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str] = mapped_column(String(300))
    severity: Mapped[int | None] = mapped_column(Integer)
    dedup_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="triggered")
    step: Mapped[int] = mapped_column(Integer, default=0)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    triggered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    next_escalation_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    seconds_to_ack: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PageTarget(Base):
    """One person a page reached, at which step and round."""

    __tablename__ = "oncall_page_targets"
    __table_args__ = (UniqueConstraint("page_id", "user_id", "step", "cycle"),
                      Index("ix_oncall_page_targets_user", "user_id", "notified_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("oncall_pages.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    step: Mapped[int] = mapped_column(Integer)
    cycle: Mapped[int] = mapped_column(Integer)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False: they have no working contact method, so the page went on to the next step at once.
    reached: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class WarRoom(Base):
    """A Telegram chat that follows an incident: its notes and status changes are posted there, and
    chat-ops commands in it act on that incident."""

    __tablename__ = "oncall_war_rooms"
    __table_args__ = (UniqueConstraint("incident_id", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(Integer, index=True)  # related, not owned: no FK
    incident_ref: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(24), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeedKey(Base):
    """The key in a person's calendar-feed link: re-issuing it gives a new link and ends the old one;
    revoking it (``key`` None) ends the feed until a new one is issued. A person without a row has the
    link signed with no key, as before keys existed."""

    __tablename__ = "oncall_feed_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    key: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
