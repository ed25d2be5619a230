"""Country profiles as data: ``data/countries/<ISO>.yaml``, one per jurisdiction.

A profile knows the country's languages (BCP 47), IANA time zones (the first is the one legal
clocks run in), regulators, the laws that bear on content, statutory deadlines, business hours,
the ``holidays`` key for its public holidays and EU membership. EU members list ``includes:
[eu]`` and so gain the shared EU instruments (DSA, TCO) from ``data/shared/eu.yaml``; the
country's own entries win on a name clash. Deadlines whose law gives no hour count carry
``hours: null`` and run on the regional 24-hour default, with a warning.

This module reads the files; :mod:`.profiles` lays the corrections stored in the database over them.
"""

from __future__ import annotations

import re
import time as time_module
from datetime import date, time
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from ..errors import NotFound
from .loading import (
    DATA_DIR,
    PolicyDataError,
    VersionText,
    list_names,
    load_document,
    merge,
    override_dir,
    signature,
    validate,
)
from .texts import OptionalTexts, Texts

DEFAULT_DEADLINE_HOURS = 24.0
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|\d{3}))?$")
ISO_CODE = re.compile(r"^[A-Z]{2}$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone known to tzdata") from None
    return value


def _language(value: str) -> str:
    if not BCP47.match(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag (e.g. kk, ru, uz-Latn, sr-Cyrl-RS)")
    return value


@lru_cache(maxsize=1)
def _holiday_countries() -> frozenset[str]:
    from holidays.registry import EntityLoader  # the codes alone: no country's calendar is loaded

    return frozenset(EntityLoader.get_country_codes())


def _holiday_key(value: str) -> str:
    if value not in _holiday_countries():
        raise ValueError(f"{value!r} is not a country the holidays package knows")
    return value


Zone = Annotated[str, AfterValidator(_zone)]
Language = Annotated[str, AfterValidator(_language)]
HolidayKey = Annotated[str, AfterValidator(_holiday_key)]


class Confidence(StrEnum):
    VERIFIED = "verified"
    UNCERTAIN = "uncertain"


class Trigger(StrEnum):
    ORDER = "order"
    NOTICE = "notice"
    PROACTIVE = "proactive"


class TimeKind(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalName(_Strict):
    en: str = Field(min_length=1)
    native: str = Field(min_length=1)
    ru: str | None = Field(default=None, min_length=1, description="the Russian name, where it is not native")

    def in_language(self, lang: str, native_language: str) -> str:
        """The name as a letter in ``lang`` writes it: native in the native language, Russian in
        Russian when there is one, English otherwise."""
        if lang == native_language:
            return self.native
        if lang == "ru" and self.ru:
            return self.ru
        return self.en

    def in_(self, locale: str) -> str:
        """The name as a page in ``locale`` shows it: Russian for a Russian-locale user, English otherwise."""
        return (self.ru if locale == "ru" else None) or self.en


class Regulator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: LocalName
    abbreviation: OptionalTexts = Field(
        default=None, description="the short name: English (a plain string) and the one Russian texts use, if any")
    aliases: tuple[str, ...] = Field(default=(), description="short names people write (Роскомнадзор, РКН)")
    role: OptionalTexts = None
    url: HttpUrl | None = None
    confidence: Confidence = Confidence.VERIFIED

    def short_name(self, locale: str) -> str:
        """The abbreviation a page in ``locale`` shows (``Роскомнадзор (РКН)``, ``ANCOM``), or an empty string.

        A Russian page shows only an abbreviation written for Russian texts: a foreign short name
        without one (``RpMS``) is no Russian, and the regulator's Russian name stands instead."""
        if self.abbreviation is None:
            return ""
        return self.abbreviation.ru or "" if locale == "ru" else self.abbreviation.en

    def label(self, locale: str) -> str:
        """The regulator as a page in ``locale`` names it: ``Name (ABBR)``, or the name alone."""
        short = self.short_name(locale)
        return self.name.in_(locale) + (f" ({short})" if short else "")


class Law(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: LocalName
    citation: OptionalTexts = None
    in_force: date | None = None
    summary: OptionalTexts = None
    source_url: HttpUrl | None = None
    confidence: Confidence


class Deadline(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    instrument: Texts
    regulator: str | None = None
    trigger: Trigger
    hours: float | None = Field(gt=0, le=24 * 365, description="null: the law gives no hour count")
    time: TimeKind = TimeKind.CALENDAR
    label: OptionalTexts = Field(default=None, description="what the request or duty is called on pages")
    action: Texts
    wording: OptionalTexts = None
    confidence: Confidence
    source_url: HttpUrl
    notes: OptionalTexts = None
    harms: tuple[str, ...] = ()

    @property
    def defaulted(self) -> bool:
        return self.hours is None

    @property
    def clock_hours(self) -> float:
        return DEFAULT_DEADLINE_HOURS if self.hours is None else self.hours

    @property
    def warning(self) -> str | None:
        if self.hours is None:
            return (f"{self.name}: the law gives no hour count ({self.wording or 'no fixed clock'}); "
                    f"using the {DEFAULT_DEADLINE_HOURS:g} h regional default")
        if self.confidence == Confidence.UNCERTAIN:
            return f"{self.name}: {self.hours:g} h is uncertain; check {self.source_url}"
        return None


class BusinessHours(_Strict):
    start: time = time(9, 0)
    end: time = time(18, 0)
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")

    @model_validator(mode="after")
    def _check(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError("business hours must end after they start")
        bad = [d for d in self.days if d not in WEEKDAYS]
        if bad or not self.days:
            raise ValueError(f"business days must be among {', '.join(WEEKDAYS)} (got {bad or 'none'})")
        return self

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAYS.index(d) for d in self.days)


class Languages(_Strict):
    official: tuple[Language, ...] = Field(min_length=1)
    common: tuple[Language, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.official, *self.common)))


def _unique(items: tuple[Any, ...], key: str, what: str) -> None:
    seen: set[str] = set()
    for item in items:
        value = getattr(item, key)
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice")
        seen.add(value)


class CountryProfile(_Strict):
    code: str = Field(pattern=ISO_CODE.pattern)
    version: VersionText
    reviewed: date
    name: LocalName
    eu_member: bool
    includes: tuple[str, ...] = ()
    languages: Languages
    time_zones: tuple[Zone, ...] = Field(min_length=1)
    holidays: HolidayKey
    business_hours: BusinessHours = BusinessHours()
    regulators: tuple[Regulator, ...] = ()
    laws: tuple[Law, ...] = ()
    deadlines: tuple[Deadline, ...] = Field(min_length=1)
    notes: OptionalTexts = None

    @model_validator(mode="after")
    def _consistent(self) -> CountryProfile:
        _unique(self.regulators, "id", "regulator")
        _unique(self.laws, "id", "law")
        _unique(self.deadlines, "name", "deadline")
        known = {r.id for r in self.regulators}
        for d in self.deadlines:
            if d.regulator and d.regulator not in known:
                raise ValueError(f"deadline {d.name!r} names regulator {d.regulator!r}, which is not listed")
        if self.eu_member and "eu" not in self.includes:
            raise ValueError("an EU member must include the shared EU instruments (includes: [eu])")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The zone legal clocks run in: the first listed (the capital's)."""
        return ZoneInfo(self.time_zones[0])

    def deadline(self, name: str | None = None) -> Deadline:
        """The named deadline, or the shortest one when no name is given."""
        if name is None:
            return self.shortest_deadline()
        for d in self.deadlines:
            if d.name == name:
                return d
        names = ", ".join(d.name for d in self.deadlines)
        raise NotFound(f"{self.code} has no deadline {name!r} (known: {names})")

    def shortest_deadline(self) -> Deadline:
        return min(self.deadlines, key=lambda d: (d.clock_hours, d.defaulted, d.name))

    def regulator(self, regulator_id: str) -> Regulator | None:
        return next((r for r in self.regulators if r.id == regulator_id), None)

    @property
    def warnings(self) -> list[str]:
        return [w for d in self.deadlines if (w := d.warning)]


def _with_includes(code: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Lay the country document over the shared documents it includes."""
    for name in doc.get("includes") or ():
        shared = load_document(SharedFile, f"shared/{name}.yaml", required=False)
        if shared is None:
            raise PolicyDataError(f"countries/{code}.yaml: includes: no shared policy file {name!r}")
        base = shared.model_dump(mode="json", exclude_none=True)
        merged = merge(base, doc, source="", provenance={})
        for key in ("regulators", "laws", "deadlines"):  # the country's own entries first
            own = {_ident(i) for i in doc.get(key) or ()}
            merged[key] = sorted(merged.get(key) or [], key=lambda i, own=own: _ident(i) not in own)
        doc = merged
    return doc


def _ident(item: Any) -> Any:
    return item.get("id", item.get("name")) if isinstance(item, dict) else None


class SharedFile(BaseModel):
    """A fragment shared by several profiles (e.g. the EU instruments)."""

    model_config = ConfigDict(extra="forbid")
    version: VersionText
    reviewed: date
    regulators: list[dict[str, Any]] = Field(default_factory=list)
    laws: list[dict[str, Any]] = Field(default_factory=list)
    deadlines: list[dict[str, Any]] = Field(default_factory=list)


class _RawCountry(BaseModel):
    model_config = ConfigDict(extra="allow")


def _load_one(code: str) -> CountryProfile:
    raw = load_document(_RawCountry, f"countries/{code}.yaml")
    assert raw is not None
    doc = raw.model_dump()
    shared_keys = ("regulators", "laws", "deadlines")
    merged = _with_includes(code, doc)
    # The shared fragment's own version/reviewed never replace the country's.
    merged.update({k: doc[k] for k in ("version", "reviewed") if k in doc})
    merged = {k: v for k, v in merged.items() if k in doc or k in shared_keys}
    return validate(CountryProfile, merged, base=_source(code), provenance={})


def _source(code: str) -> str:
    over = override_dir()
    if over and (over / "countries" / f"{code}.yaml").exists():
        return f"countries/{code}.yaml (with override {over / 'countries' / f'{code}.yaml'})"
    return str(DATA_DIR / "countries" / f"{code}.yaml")


@lru_cache(maxsize=4)
def _load_all(_override: str | None, _signature: tuple[tuple[str, int], ...]) -> dict[str, CountryProfile]:
    return {code: _load_one(code) for code in list_names("countries")}


_checked: list[Any] = [0.0, None]  # (monotonic time, key) of the last look at the override files
RECHECK_SECONDS = 2.0


def load_files() -> tuple[object, dict[str, CountryProfile]]:
    """Every profile from the data files (packaged, with ``$RAPIDRESPONSE_POLICY_DIR`` laid over them),
    by ISO code, and a key that changes when the files do (looked at every couple of seconds)."""
    at = time_module.monotonic()
    if _checked[1] is None or at - _checked[0] > RECHECK_SECONDS:
        over = override_dir()
        _checked[:] = [at, (str(over) if over else None, signature("countries"))]
    key = _checked[1]
    return key, _load_all(*key)


def clear_cache() -> None:
    _load_all.cache_clear()
    _checked[:] = [0.0, None]
