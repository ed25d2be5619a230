"""Signal tables: the signals themselves, 5-minute series buckets and near-duplicate trends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")
PENDING = text("processed_at IS NULL")


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_signals_harm_occurred", "harm", "occurred_at"),
        # Text search is ``text_folded LIKE '%…%'``: on PostgreSQL a trigram index serves it (pg_trgm).
        Index("ix_signals_text_folded_trgm", "text_folded", postgresql_using="gin",
              postgresql_ops={"text_folded": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        # The pipeline stage (``stage``) claims pending signals lowest id first, and detection waits for the
        # oldest pending one: two partial indexes that hold only the pending rows, so they stay small.
        Index("ix_signals_pending", "id", postgresql_where=PENDING, sqlite_where=PENDING),
        Index("ix_signals_pending_occurred", "occurred_at", postgresql_where=PENDING, sqlite_where=PENDING),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    content_id: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    text_folded: Mapped[str] = mapped_column(Text, default="")
    media_hash: Mapped[str | None] = mapped_column(String(128))
    url: Mapped[str | None] = mapped_column(String(2000))
    harm: Mapped[str | None] = mapped_column(String(60))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(16))
    reporter_type: Mapped[str | None] = mapped_column(String(40))
    meta: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    trend_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Enrichment at intake (pipeline.enrich): the detected language and how sure it is (whatever the
    # reporter said), and the lexicon terms found in the text ({harm, language, term, term_id, kind,
    # start, end} with spans in ``text``); ``lexicon_harm`` is the harm most of them belong to.
    language_detected: Mapped[str | None] = mapped_column(String(16))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    lexicon_matches: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    lexicon_harm: Mapped[str | None] = mapped_column(String(60), index=True)
    # When the pipeline stage enriched, counted and clustered the signal; NULL while it waits (accepted,
    # stored, not yet processed). The stage sets it in the transaction that does the work: exactly once.
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SeriesBucket(Base):
    """Signal counts per harm × country × language × 5-minute bucket ("" stands for unknown)."""

    __tablename__ = "signal_series"
    __table_args__ = (Index("ix_signal_series_bucket", "bucket"),)  # the detection tick reads one bucket

    harm: Mapped[str] = mapped_column(String(60), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    language: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Trend(Base):
    """A group of near-duplicate report texts (MinHash LSH over folded text)."""

    __tablename__ = "signal_trends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    label: Mapped[str] = mapped_column(Text)
    harm: Mapped[str | None] = mapped_column(String(60))
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    signature: Mapped[list[int]] = mapped_column(JSONType, default=list)
    samples: Mapped[list[int]] = mapped_column(JSONType, default=list)


class TrendBucket(Base):
    """Signal counts per trend × 5-minute bucket, kept up at intake like ``SeriesBucket``."""

    __tablename__ = "signal_trend_series"

    trend_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

