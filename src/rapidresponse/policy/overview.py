"""What the interfaces show of the policy data: country summaries, the REECA tile map, incident rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .countries import CountryProfile
from .rules import Obligation, checklist
from .taxonomy import load_taxonomy

# A schematic map of the region: (column, row) of each country's tile, west to east, north to south.
TILES: dict[str, tuple[int, int]] = {
    "EE": (3, 0), "LV": (3, 1), "LT": (2, 1), "RU": (5, 1), "PL": (1, 2), "BY": (3, 2), "KZ": (7, 2),
    "CZ": (0, 3), "SK": (1, 3), "UA": (3, 3), "KG": (8, 3), "HU": (1, 4), "RO": (2, 4), "MD": (3, 4),
    "GE": (5, 4), "UZ": (7, 4), "TJ": (8, 4), "BG": (2, 5), "AM": (5, 5), "AZ": (6, 5), "TM": (7, 5),
    "SI": (0, 4), "HR": (0, 5), "RS": (1, 5), "BA": (0, 6), "XK": (1, 6), "MK": (2, 6), "ME": (0, 7), "AL": (1, 7),
}


def summary(p: CountryProfile) -> dict[str, Any]:
    d = p.shortest_deadline()
    reg = p.regulator(d.regulator) if d.regulator else (p.regulators[0] if p.regulators else None)
    return {"code": p.code, "name": p.name.en, "name_ru": p.name.in_("ru"), "native_name": p.name.native,
            "languages": list(p.languages.all), "zone": p.time_zones[0],
            "regulator": reg.short_name("en") or reg.name.en if reg else None,
            "regulator_ru": reg.short_name("ru") or reg.name.in_("ru") if reg else None, "eu_member": p.eu_member,
            "shortest_deadline": {"name": d.name, "label": d.label.model_dump() if d.label else None,
                                  "hours": d.clock_hours, "time": d.time.value, "defaulted": d.defaulted,
                                  "confidence": d.confidence.value},
            "version": p.version, "reviewed": p.reviewed.isoformat()}


def urgency(hours: float) -> str:
    """A colour class for a deadline: the tighter, the hotter."""
    if hours <= 1:
        return "u1"
    if hours < 24:
        return "u2"
    if hours <= 24:
        return "u3"
    return "u4"


def tile_map(profiles: dict[str, CountryProfile]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for code, p in profiles.items():
        col, row = TILES.get(code, (9, len(out) % 6))
        s = summary(p)
        out.append({**s, "x": col * 74, "y": row * 64, "urgency": urgency(s["shortest_deadline"]["hours"])})
    return out


@dataclass
class IncidentRules:
    ref: str
    countries: list[str]
    harms: list[str]
    unknown_harms: list[str] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "countries": self.countries, "harms": self.harms,
                "unknown_harms": self.unknown_harms, "obligations": [o.as_dict() for o in self.obligations]}


def rules_for(*, ref: str, countries: list[str], harms: list[str],
              profiles: dict[str, CountryProfile] | None = None) -> IncidentRules:
    """The checklist for an incident in ``countries`` labelled with ``harms``. Harm labels that are not
    taxonomy slugs (``dangerous-acts``) are matched after folding ``-`` to ``_``; the rest are listed
    as unknown."""
    taxonomy = load_taxonomy()
    known: list[str] = []
    unknown: list[str] = []
    for label in harms:
        slug = label.strip().lower().replace("-", "_")
        (known if slug in taxonomy else unknown).append(slug if slug in taxonomy else label)
    return IncidentRules(ref=ref, countries=list(countries), harms=known, unknown_harms=unknown,
                         obligations=checklist(countries, known, profiles=profiles) if countries else [])
