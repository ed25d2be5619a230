"""Shapes of the jurisdictions' data other domains use: country codes and language tags as the
profiles write them, and the stored corrections of a profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from .countries import BCP47, ISO_CODE


def _country(value: str) -> str:
    value = value.strip().upper()
    if not ISO_CODE.match(value):
        raise ValueError(f"{value[:10]!r} is not an ISO 3166-1 alpha-2 country code (e.g. KZ)")
    return value


def _language(value: str) -> str:
    value = value.strip()
    if not BCP47.match(value):
        raise ValueError(f"{value[:20]!r} is not a language tag (e.g. kk, ru, uz-Latn)")
    return value


CountryCode = Annotated[str, AfterValidator(_country)]
"""An ISO 3166-1 alpha-2 code, upper-cased (``kz`` → ``KZ``)."""
LanguageTag = Annotated[str, AfterValidator(_language)]
"""A BCP 47 language tag as the profiles write them (``kk``, ``uz-Latn``)."""


class Correction(BaseModel):
    """A stored correction of one deadline; ``current`` is False once a later one superseded it."""

    model_config = ConfigDict(frozen=True)

    id: int
    country: str
    deadline: str
    hours: float | None
    time: str
    confidence: str
    notes: str
    corrected_by: str
    corrected_at: datetime
    current: bool
