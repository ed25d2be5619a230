"""Translation tables: requests with the untouched original, people's language skills, the memory of
approved segment pairs, the glossary, and reviewers' marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, JSONType, UTCDateTime


class TranslationRequest(Base):
    """``state``: requested → in_translation → in_review → approved | returned (→ in_translation again);
    void when the source text changed. ``source_text`` is the original as it was sent, never edited."""

    __tablename__ = "translation_requests"
    __table_args__ = (Index("ix_translation_requests_source", "source_kind", "source_id"),
                      Index("ix_translation_requests_state", "state", "target_lang"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str] = mapped_column(String(64))
    source_lang: Mapped[str] = mapped_column(String(8))
    target_lang: Mapped[str] = mapped_column(String(8))
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    harm: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    translation: Mapped[str] = mapped_column(Text, default="")
    suggestion: Mapped[str] = mapped_column(Text, default="")
    suggestion_provider: Mapped[str] = mapped_column(String(40), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    translator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LanguageSkill(Base):
    __tablename__ = "language_skills"
    __table_args__ = (UniqueConstraint("user_id", "language", name="uq_language_skills_user_language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    level: Mapped[str] = mapped_column(String(12))


class MemorySegment(Base):
    """An approved pair of segments with where it came from (a request, a TMX file, the demo)."""

    __tablename__ = "translation_memory"
    __table_args__ = (Index("ix_translation_memory_pair", "source_lang", "target_lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_lang: Mapped[str] = mapped_column(String(8))
    target_lang: Mapped[str] = mapped_column(String(8))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("translation_requests.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GlossaryTerm(Base):
    """One concept: its term per language with the preferred and forbidden variants.

    ``variants``: ``{lang: {"preferred": str, "forbidden": [str, ...]}}``."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concept: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[str] = mapped_column(Text, default="")
    part_of_speech: Mapped[str] = mapped_column(String(20), default="noun")
    domain: Mapped[str] = mapped_column(String(20), default="general")
    do_not_translate: Mapped[bool] = mapped_column(Boolean, default=False)
    variants: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewMark(Base):
    """A reviewer's mark of one translation in one category (1 poor … 5 excellent). Each review of a
    request is a round of its own: a return's marks stay when the next review marks the new text."""

    __tablename__ = "translation_marks"
    __table_args__ = (UniqueConstraint("request_id", "round", "category",
                                       name="uq_translation_marks_request_round_category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("translation_requests.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer, default=1)
    category: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    translator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
