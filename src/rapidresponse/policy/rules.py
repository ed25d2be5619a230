"""The applicable-rules checklist: from an incident's countries and harms, what must be done.

Clocks come from the country profiles (a deadline applies when it names no harms, or names the
incident's harm or its area); the DSA duties that are not clocks started by a request (Art. 17
statements of reasons, Art. 24(5) submission to the Transparency Database) come from EU
membership. Each obligation keeps its source and confidence so the checklist can be trusted
only as far as its data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import NotFound
from .countries import DEFAULT_DEADLINE_HOURS, Confidence, CountryProfile, Deadline
from .profiles import load_countries
from .taxonomy import Taxonomy, load_taxonomy

DSA_URL = "https://eur-lex.europa.eu/eli/reg/2022/2065/oj"


@dataclass
class Obligation:
    key: str
    title: str
    instrument: str
    trigger: str
    clock: str
    confidence: Confidence
    source_url: str
    countries: list[str] = field(default_factory=list)
    hours: float | None = None
    time: str | None = None
    deadline: str | None = None
    warning: str | None = None
    title_ru: str | None = None
    clock_ru: str | None = None
    instrument_ru: str | None = None

    def in_(self, locale: str) -> tuple[str, str, str]:
        """The obligation's clock, title and instrument as a page in ``locale`` shows them (English fallback)."""
        if locale == "ru":
            return self.clock_ru or self.clock, self.title_ru or self.title, self.instrument_ru or self.instrument
        return self.clock, self.title, self.instrument

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "confidence": self.confidence.value}


def _clock(d: Deadline) -> str:
    wording = d.wording.en if d.wording else ""
    if d.hours is None:
        return f"{wording or 'no fixed clock'} (default {DEFAULT_DEADLINE_HOURS:g} h)"
    unit = ("business hour" if d.time == "business" else "hour") + ("" if d.hours == 1 else "s")
    return f"{d.hours:g} {unit}" + (f" ({wording})" if wording else "")


def _ru_hours(hours: float, business: bool = False) -> str:
    """``24 часа``, ``1 рабочий час``, ``5 рабочих часов``: Russian plural forms of an hour count."""
    n = int(hours)
    if hours != n:
        form = 1
    elif n % 10 == 1 and n % 100 != 11:
        form = 0
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        form = 1
    else:
        form = 2
    words = (("рабочий час", "рабочих часа", "рабочих часов") if business else ("час", "часа", "часов"))[form]
    return f"{hours:g} {words}"


def _clock_ru(d: Deadline) -> str:
    wording = d.wording.in_("ru") if d.wording else ""
    if d.hours is None:
        return f"{wording or 'срок не установлен'} (по умолчанию {_ru_hours(DEFAULT_DEADLINE_HOURS)})"
    return _ru_hours(d.hours, d.time == "business") + (f" ({wording})" if wording else "")


def _applies(d: Deadline, harm_keys: set[str]) -> bool:
    return not d.harms or bool(set(d.harms) & harm_keys)


def _harm_keys(harms: Iterable[str], taxonomy: Taxonomy) -> set[str]:
    keys: set[str] = set()
    for slug in harms:
        node = taxonomy.get(slug)
        keys.add(node.slug)
        if node.parent:
            keys.add(node.parent)
        else:
            keys.update(node.children)
    return keys


def _eu_duties(eu: list[str]) -> list[Obligation]:
    return [
        Obligation(key="EU:dsa_art17", countries=eu, instrument="DSA Regulation (EU) 2022/2065, Art. 17",
                   title="Give affected users a statement of reasons for every restriction (visibility, monetary, "
                         "service, account) of content or accounts of EU users.",
                   trigger="decision", clock="at the latest when the restriction is imposed",
                   confidence=Confidence.VERIFIED, source_url=DSA_URL,
                   instrument_ru="Регламент (ЕС) 2022/2065 (Акт о цифровых услугах), ст. 17",
                   title_ru="Предоставлять затронутым пользователям обоснование каждого ограничения (видимости, "
                            "монетизации, обслуживания, аккаунта) контента или аккаунтов пользователей из ЕС.",
                   clock_ru="не позднее момента введения ограничения"),
        Obligation(key="EU:dsa_art24_5", countries=eu, instrument="DSA Regulation (EU) 2022/2065, Art. 24(5)",
                   title="Submit the statements of reasons to the Commission's Transparency Database "
                         "(`rapidresponse policy export-sor`).",
                   trigger="decision", clock="without undue delay", confidence=Confidence.VERIFIED,
                   source_url=DSA_URL,
                   instrument_ru="Регламент (ЕС) 2022/2065 (Акт о цифровых услугах), ст. 24(5)",
                   title_ru="Направлять обоснования в базу данных прозрачности Европейской комиссии "
                            "(`rapidresponse policy export-sor`).",
                   clock_ru="без неоправданной задержки"),
    ]


def checklist(countries: Iterable[str], harms: Iterable[str], *,
              profiles: dict[str, CountryProfile] | None = None,
              taxonomy: Taxonomy | None = None) -> list[Obligation]:
    """Obligations for an incident in ``countries`` (ISO codes) about ``harms`` (taxonomy slugs)."""
    profiles = profiles if profiles is not None else load_countries()
    harm_keys = _harm_keys(harms, taxonomy or load_taxonomy())
    by_key: dict[tuple[object, ...], Obligation] = {}
    missing: list[Obligation] = []
    eu: list[str] = []
    for code in dict.fromkeys(c.upper() for c in countries):
        profile = profiles.get(code)
        if profile is None:
            missing.append(Obligation(
                key=f"{code}:no_profile", countries=[code], instrument="(no country profile)",
                title=f"No country profile for {code}: check local law; unknown deadlines default to "
                      f"{DEFAULT_DEADLINE_HOURS:g} h.", trigger="order", clock=f"{DEFAULT_DEADLINE_HOURS:g} hours",
                hours=DEFAULT_DEADLINE_HOURS, confidence=Confidence.UNCERTAIN, source_url="",
                warning=f"{code}: no country profile",
                title_ru=f"Нет профиля страны {code}: проверьте местное законодательство; для неизвестных сроков "
                         f"по умолчанию действует {_ru_hours(DEFAULT_DEADLINE_HOURS)}.",
                clock_ru=_ru_hours(DEFAULT_DEADLINE_HOURS), instrument_ru="(нет профиля страны)"))
            continue
        if profile.eu_member:
            eu.append(code)
        for d in profile.deadlines:
            if not _applies(d, harm_keys):
                continue
            ident = (d.name, d.instrument.en, d.hours, d.time, str(d.source_url), d.action.en)
            if ident in by_key:
                by_key[ident].countries.append(code)
                continue
            by_key[ident] = Obligation(
                key=f"{code}:{d.name}", countries=[code], title=d.action.en, instrument=d.instrument.en,
                trigger=d.trigger.value, clock=_clock(d), hours=d.clock_hours, time=d.time.value,
                deadline=d.name, confidence=d.confidence, source_url=str(d.source_url), warning=d.warning,
                title_ru=d.action.in_("ru"), clock_ru=_clock_ru(d), instrument_ru=d.instrument.in_("ru"))
    out = (_eu_duties(eu) if eu else []) + list(by_key.values()) + missing
    for ob in out:
        if len(ob.countries) > 1 and ob.deadline:
            ob.key = f"{'+'.join(ob.countries)}:{ob.deadline}"
    return sorted(out, key=lambda o: (o.hours if o.hours is not None else -1, o.key))


def require_known(countries: Iterable[str]) -> None:
    """Raise ``NotFound`` for a country code without a profile."""
    profiles = load_countries()
    for code in countries:
        if code.upper() not in profiles:
            raise NotFound(f"no country profile {code!r} (known: {', '.join(profiles)})")
