"""Policy tables: the corrections a policy team made to country profiles.

The profiles themselves are data files (packaged, then the team's ``RAPIDRESPONSE_POLICY_DIR``);
a correction made in the UI is a row here, so every process reads the same one. Rows are never
changed: a later correction of the same deadline supersedes an earlier one, which stays readable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class CountryProfileCorrection(Base):
    """One correction of one statutory deadline of a country profile: the values it now has."""

    __tablename__ = "country_profile_corrections"
    __table_args__ = (Index("ix_country_profile_corrections_deadline", "country", "deadline", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    deadline: Mapped[str] = mapped_column(String(60))
    hours: Mapped[float | None] = mapped_column(Float)  # None: the law gives no hour count
    time: Mapped[str] = mapped_column(String(10))  # calendar | business
    confidence: Mapped[str] = mapped_column(String(12))  # verified | uncertain
    notes: Mapped[str] = mapped_column(Text, default="")
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_by: Mapped[str] = mapped_column(String(120))
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime)
