"""Lexicon tables: one lexicon per harm category and language, its versions and its terms.

Every change to a lexicon makes a new version. A term row says in which version it was added and,
once removed, in which version it went, so any version's term list can be read back:
``added_in <= n and (removed_in is null or removed_in > n)``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class Lexicon(Base):
    __tablename__ = "lexicons"
    __table_args__ = (UniqueConstraint("harm", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    harm: Mapped[str] = mapped_column(String(60))  # taxonomy slug
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=0)  # the latest version
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LexiconVersion(Base):
    """One change to a lexicon: who made it, when, and what it did."""

    __tablename__ = "lexicon_versions"
    __table_args__ = (UniqueConstraint("lexicon_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lexicon_id: Mapped[int] = mapped_column(ForeignKey("lexicons.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(Text)  # schemas.VersionChange as JSON (a sentence in older rows)
    term_count: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LexiconTerm(Base):
    __tablename__ = "lexicon_terms"
    __table_args__ = (Index("ix_lexicon_terms_live", "lexicon_id", "removed_in"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lexicon_id: Mapped[int] = mapped_column(ForeignKey("lexicons.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(200))  # as written
    folded: Mapped[str] = mapped_column(String(400))  # normalise.fold(term): what is matched
    kind: Mapped[str] = mapped_column(String(12))  # term | coded | hashtag
    substring: Mapped[bool] = mapped_column(Boolean, default=False)  # match inside words too
    note: Mapped[str] = mapped_column(Text, default="")
    added_in: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer)
