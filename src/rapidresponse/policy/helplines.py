"""The helpline registry (``data/helplines.yaml``): crisis, child and suicide-prevention lines per
country, each with the organisation it was checked against and when.

An entry whose ``last_checked`` is more than six months before today (by the product's clock) is
stale: it is still listed, flagged, so that nobody shows a number nobody has checked lately without
knowing it. A team corrects or adds entries in ``$RAPIDRESPONSE_POLICY_DIR/helplines.yaml`` (matched
by ``id``). Support pages, search redirects and the playbooks (``helplines_text``) read it here.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from ..clock import now
from .loading import VersionText, load_document, override_dir
from .texts import OptionalTexts

STALE_AFTER_MONTHS = 6
NUMBER = re.compile(r"^\+?[0-9][0-9 ()-]{1,22}[0-9]$")


class HelplineKind(StrEnum):
    CRISIS = "crisis"
    CHILD = "child"
    SUICIDE_PREVENTION = "suicide_prevention"
    EMERGENCY = "emergency"


KIND_LABELS = {"crisis": {"en": "crisis line", "ru": "кризисная линия"},
               "child": {"en": "child helpline", "ru": "детский телефон доверия"},
               "suicide_prevention": {"en": "suicide prevention", "ru": "профилактика суицида"},
               "emergency": {"en": "emergency", "ru": "экстренные службы"}}


class HelplineName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    ru: str = Field(min_length=1)
    own: str | None = Field(default=None, min_length=1,
                            description="the line's own name (Kék Vonal), as written in both names, never translated")
    lang: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$",
                             description="the language of the own name; the line's first language when not given")

    @model_validator(mode="after")
    def _own_in_both(self) -> HelplineName:
        if self.own and not (self.own in self.en and self.own in self.ru):
            raise ValueError(f"the own name {self.own!r} must be written as it is in both the English and the "
                             "Russian name")
        return self

    def in_(self, locale: str) -> str:
        return self.ru if locale == "ru" else self.en

    def parts(self, locale: str) -> tuple[str, str, str]:
        """The name in ``locale`` cut around the line's own name: (before, own name, after); the own name
        is empty when there is none."""
        text = self.in_(locale)
        if not self.own:
            return text, "", ""
        before, own, after = text.partition(self.own)
        return before, own, after


class Helpline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    country: str = Field(pattern=r"^[A-Z]{2}$")
    kind: HelplineKind
    name: HelplineName
    number: str = Field(pattern=NUMBER.pattern)
    hours: OptionalTexts = None
    free: bool = False
    languages: tuple[str, ...] = ()
    source: str = Field(min_length=3, description="the organisation (and site) the number was checked against")
    url: HttpUrl | None = None
    last_checked: date

    @property
    def own_language(self) -> str:
        """The language of the line's own name (``hu`` for Kék Vonal)."""
        return self.name.lang or (self.languages[0] if self.languages else "und")

    def stale(self, today: date | None = None) -> bool:
        """Not checked within the last six months."""
        return self.last_checked < months_before(today or now().date(), STALE_AFTER_MONTHS)


class HelplinesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: VersionText
    reviewed: date
    helplines: list[Helpline] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> HelplinesFile:
        seen: set[str] = set()
        for h in self.helplines:
            if h.id in seen:
                raise ValueError(f"helpline {h.id!r} appears twice")
            seen.add(h.id)
        return self


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@lru_cache(maxsize=4)
def _load(_override: str | None) -> HelplinesFile:
    spec = load_document(HelplinesFile, "helplines.yaml")
    assert spec is not None
    return spec


def load_helplines() -> HelplinesFile:
    """The packaged registry with ``$RAPIDRESPONSE_POLICY_DIR/helplines.yaml`` merged over it."""
    over = override_dir()
    return _load(str(over) if over else None)


def clear_cache() -> None:
    _load.cache_clear()


def helplines_for(countries: list[str] | tuple[str, ...] | None = None) -> list[Helpline]:
    """The registry's lines for these countries (every country when none is given), by country and kind."""
    wanted = {c.upper() for c in countries} if countries else None
    order = list(HelplineKind)
    lines = [h for h in load_helplines().helplines if wanted is None or h.country in wanted]
    return sorted(lines, key=lambda h: (h.country, order.index(h.kind), h.id))


def helplines_text(countries: list[str] | tuple[str, ...], language: str) -> str:
    """One line per country for a template: "KZ: 150 (National child helpline 150); RU: …"."""
    lang = "en" if language == "en" else "ru"
    by_country: dict[str, list[str]] = {}
    for h in helplines_for(countries):
        if h.kind is HelplineKind.EMERGENCY:
            continue
        by_country.setdefault(h.country, []).append(f"{h.number} ({getattr(h.name, lang)})")
    if not by_country:
        return "—"
    return "; ".join(f"{code}: {', '.join(lines)}" for code, lines in by_country.items())
