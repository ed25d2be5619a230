"""Analytics tables in the operational database: saved console queries and each user's query history.
(The warehouse itself is a DuckDB file: see ``warehouse.py``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class SavedQuery(Base):
    __tablename__ = "analytics_queries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    sql: Mapped[str] = mapped_column(Text)
    # [{"name": "country", "default": "KZ"}]: the query's $name parameters and their defaults
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    owner_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    shared_with: Mapped[str | None] = mapped_column(String(40))  # a role that may run it too
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QueryRun(Base):
    """One query a user ran in the console (its text, not its rows)."""

    __tablename__ = "analytics_query_runs"
    __table_args__ = (Index("ix_analytics_query_runs_user_at", "user_id", "ran_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    sql: Mapped[str] = mapped_column(Text)
    saved_query_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("analytics_queries.id",
                                                                           ondelete="SET NULL"))
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)
    milliseconds: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
