"""Texts of the policy data in the product's two languages: ``{en: ..., ru: ...}``.

Every text a page shows from the data files (a regulator's role, a law's summary, a deadline's
action and wording, a harm's description) is written in English and in Russian; a reader picks the
user's locale and falls back to English. A plain string is still read, as the English text only, so
that a policy team's override file written before the texts became bilingual keeps working, and a
note typed into a correction form (in whatever language its author writes) is shown to everyone.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

LANGUAGES = ("en", "ru")
"""The languages every text of the packaged data is written in."""


class Text(BaseModel):
    """One text in English and (for every packaged file) Russian."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    ru: str | None = Field(default=None, min_length=1)

    def in_(self, locale: str) -> str:
        """The text in ``locale``; English when there is no text in that language."""
        return (self.ru if locale == "ru" else None) or self.en

    def __str__(self) -> str:
        return self.en


def _from_plain(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str):
        return {"en": value, "ru": value} if _is_russian(value) else {"en": value}
    return value


def _is_russian(value: str) -> bool:
    """A note written in Cyrillic, e.g. typed into the correction form by a Russian-speaking team."""
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 > len(letters)


Texts = Annotated[Text, BeforeValidator(_from_plain)]
"""A bilingual text field; a plain string is read as its English text."""
OptionalTexts = Annotated[Text | None, BeforeValidator(_from_plain)]
"""A bilingual text field that may be absent; an empty string is no text."""


def text_in(value: Text | None, locale: str) -> str:
    """``value`` in ``locale`` (English fallback); an empty string for no text."""
    return value.in_(locale) if value is not None else ""
