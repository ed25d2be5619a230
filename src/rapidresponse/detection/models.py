"""Detection tables: the tick cursor, thresholds per series family, suppression rules, alerts and cases.

Scores are not stored per bucket: they are a deterministic function of the stored series (the detector is
causal and replayable), so only what people act on is kept: an alert keeps the crossings (bucket, score,
observed, expected) that opened and updated it, which is also what the chart marks. A row per series per
bucket would be 28.8 million rows a day at 100,000 live series for no decision anyone takes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class DetectionCursor(Base):
    """How far the detection tick got: the replay anchor and the last bucket processed (one row per detector)."""

    __tablename__ = "detection_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    detector: Mapped[str] = mapped_column(String(40))
    anchor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DetectionSnapshot(Base):
    """The detector bank's state as it was after the tick that moved the cursor to ``processed_until``
    (written after that tick committed): a restarted worker loads the latest one that matches its format,
    detector configuration and the cursor's anchor, and replays only the buckets after it (see ``snapshot.py``).
    ``data`` is a compressed ``numpy`` archive; ``digest`` its SHA-256."""

    __tablename__ = "detection_snapshots"
    __table_args__ = (Index("ix_detection_snapshots_name_until", "name", "processed_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    format: Mapped[int] = mapped_column(Integer)
    config: Mapped[str] = mapped_column(String(64))
    anchor: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_until: Mapped[datetime] = mapped_column(UTCDateTime)
    series: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Threshold(Base):
    """The score at which a series of this family (a harm, or ``*`` for the default) raises an alert."""

    __tablename__ = "detection_thresholds"

    family: Mapped[str] = mapped_column(String(60), primary_key=True)
    threshold: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(120), default="system")


class Suppression(Base):
    """A rule that stops alerts on matching series until it expires (patterns: exact value or ``*``)."""

    __tablename__ = "detection_suppressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    harm: Mapped[str] = mapped_column(String(60), default="*")
    country: Mapped[str] = mapped_column(String(8), default="*")
    language: Mapped[str] = mapped_column(String(16), default="*")
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(120))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Alert(Base):
    """A series' score crossed its threshold. ``open_series`` is the series key while the alert is live
    (open, acknowledged, snoozed) and NULL after: the unique index keeps one live alert per series."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_series_bucket", "harm", "country", "language", "last_bucket"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    harm: Mapped[str] = mapped_column(String(60))
    country: Mapped[str] = mapped_column(String(8))
    language: Mapped[str] = mapped_column(String(16))
    open_series: Mapped[str | None] = mapped_column(String(100), unique=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    first_bucket: Mapped[datetime] = mapped_column(UTCDateTime)
    last_bucket: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    first_signal_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float] = mapped_column(Float)
    peak_score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    growth: Mapped[float] = mapped_column(Float)
    crossings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    context: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    suppression_id: Mapped[int | None] = mapped_column(ForeignKey("detection_suppressions.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    """A triage case, opened from an alert or from a manual report (press, regulator, partner…)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), unique=True)
    harm: Mapped[str] = mapped_column(String(60), default="")
    countries: Mapped[list[str]] = mapped_column(JSONType, default=list)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    series: Mapped[list[str]] = mapped_column(JSONType, default=list)
    signal_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    assignee: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    first_signal_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    opened_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
