"""Hash-list tables: PDQ hash lists from sharing partners, their versions and entries, and the
matches found at intake.

Like lexicons, every change makes a new version, and an entry row records the version that added
it and the one that removed it, so a list's content at any version can be read back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer(), "sqlite")


class HashList(Base):
    __tablename__ = "hash_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    harm: Mapped[str] = mapped_column(String(60))  # taxonomy slug
    source: Mapped[str] = mapped_column(String(120))  # the sharing partner
    description: Mapped[str] = mapped_column(Text, default="")
    max_distance: Mapped[int] = mapped_column(Integer, default=31)  # Hamming distance that still matches
    version: Mapped[int] = mapped_column(Integer, default=0)
    stamp: Mapped[str] = mapped_column(String(32), default="")  # random, new with every version: the index watermark
    entry_count: Mapped[int] = mapped_column(Integer, default=0)  # live entries in the latest version
    last_import_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HashListVersion(Base):
    __tablename__ = "hash_list_versions"
    __table_args__ = (UniqueConstraint("list_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(Text)  # schemas.VersionChange as JSON (a sentence in older rows)
    entry_count: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HashEntry(Base):
    __tablename__ = "hash_entries"
    __table_args__ = (Index("ix_hash_entries_live", "list_id", "removed_in"),
                      Index("ix_hash_entries_hash", "list_id", "hash"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id", ondelete="CASCADE"))
    hash: Mapped[str] = mapped_column(String(64))  # 64 lowercase hex digits
    label: Mapped[str] = mapped_column(String(200), default="")  # the partner's label or harm tag
    source: Mapped[str] = mapped_column(String(200), default="")  # who contributed it, per the partner
    added_on: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the partner added it
    note: Mapped[str] = mapped_column(Text, default="")
    added_in: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer)


class HashMatch(Base):
    """A signal whose media hash is within a list's distance of one of its entries (found at intake)."""

    __tablename__ = "hash_matches"
    __table_args__ = (UniqueConstraint("signal_id", "entry_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    signal_id: Mapped[int] = mapped_column(BigId, index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("hash_lists.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(BigId)
    distance: Mapped[int] = mapped_column(Integer)
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime)
