"""The harm taxonomy: areas and the harms under them, as data (``data/taxonomy.yaml``).

Every node carries its DSA statement category and keywords, the platform policy clause, a
default harm weight for the severity matrix (1–4), the specialist team and the exposure
intensity responders face when reviewing it. A harm inherits whatever it leaves unset from its
area; the loaded ``Taxonomy`` holds fully resolved nodes. The file names the teams in both
languages (``teams``); a team it does not name is shown by its slug.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..errors import NotFound
from . import dsa
from .loading import VersionText, load_document, override_dir
from .texts import OptionalTexts, Text, Texts

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")


def _category(value: object) -> dsa.Category:
    if not isinstance(value, str) or not dsa.is_category(value):
        raise ValueError(f"{value!r} is not a DSA statement category (v2 STATEMENT_CATEGORY_*)")
    return dsa.Category(value)


def _keyword(value: str) -> str:
    if not dsa.is_keyword(value):
        raise ValueError(f"{value!r} is not a DSA category_specification keyword (v2 KEYWORD_*)")
    return value


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug (lower case letters, digits and _)")
    return value


DsaCategory = Annotated[dsa.Category, BeforeValidator(_category)]
DsaKeyword = Annotated[str, AfterValidator(_keyword)]
Slug = Annotated[str, AfterValidator(_slug)]


class Exposure(StrEnum):
    """How hard the material is on the people who review it (drives wellness budgets)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    EXTREME = "extreme"

    @property
    def weight(self) -> int:
        return {"low": 1, "medium": 2, "high": 4, "extreme": 8}[self.value]


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    ru: str = Field(min_length=1)


class DsaMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    category: DsaCategory
    additional_categories: tuple[DsaCategory, ...] = ()
    keywords: tuple[DsaKeyword, ...] = ()

    @model_validator(mode="after")
    def _keywords_fit(self) -> DsaMapping:
        cats = {self.category, *self.additional_categories}
        for kw in self.keywords:
            if not dsa.keyword_fits(kw, set(cats)):
                raise ValueError(f"keyword {kw} belongs under {dsa.KEYWORD_CATEGORY[kw]}, "
                                 f"not {', '.join(sorted(cats))}: add that category to additional_categories")
        return self


class _NodeFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: Slug
    name: Names
    description: OptionalTexts = None


class HarmSpec(_NodeFields):
    dsa: DsaMapping | None = None
    policy_clause: OptionalTexts = None
    severity: int | None = Field(default=None, ge=1, le=4)
    team: Slug | None = None
    exposure: Exposure | None = None


class AreaSpec(_NodeFields):
    dsa: DsaMapping
    policy_clause: Texts
    severity: int = Field(ge=1, le=4)
    team: Slug
    exposure: Exposure
    incident_type: str | None = None
    harms: list[HarmSpec] = Field(default_factory=list)


class TeamSpec(BaseModel):
    """A specialist team the nodes name (``team: youth_safety``), with its name in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    slug: Slug
    name: Names


class TaxonomyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: VersionText
    reviewed: date
    teams: list[TeamSpec] = Field(default_factory=list)
    areas: list[AreaSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_slugs(self) -> TaxonomyFile:
        seen: set[str] = set()
        for area in self.areas:
            for slug in [area.slug, *(h.slug for h in area.harms)]:
                if slug in seen:
                    raise ValueError(f"slug {slug!r} appears twice; slugs are unique across the taxonomy")
                seen.add(slug)
        return self


class HarmNode(BaseModel):
    """A resolved taxonomy node: an area (``parent`` None) or a harm within one."""

    model_config = ConfigDict(frozen=True)
    slug: str
    parent: str | None
    name: Names
    description: Text | None
    dsa: DsaMapping
    policy_clause: str = Field(description="the clause in English, as statements of reasons cite it")
    policy_clause_text: Text = Field(description="the clause in both languages, as pages show it")
    severity: int
    team: str
    exposure: Exposure
    incident_type: str | None
    children: tuple[str, ...] = ()

    @property
    def is_area(self) -> bool:
        return self.parent is None


class Taxonomy:
    def __init__(self, spec: TaxonomyFile) -> None:
        self.version = spec.version
        self.reviewed = spec.reviewed
        self.nodes: dict[str, HarmNode] = {}
        self.areas: list[HarmNode] = []
        self.teams: dict[str, Names] = {team.slug: team.name for team in spec.teams}
        for area in spec.areas:
            node = HarmNode(slug=area.slug, parent=None, name=area.name, description=area.description,
                            dsa=area.dsa, policy_clause=area.policy_clause.en,
                            policy_clause_text=area.policy_clause, severity=area.severity,
                            team=area.team, exposure=area.exposure, incident_type=area.incident_type,
                            children=tuple(h.slug for h in area.harms))
            self.nodes[area.slug] = node
            self.areas.append(node)
            for h in area.harms:
                self.nodes[h.slug] = HarmNode(
                    slug=h.slug, parent=area.slug, name=h.name, description=h.description,
                    dsa=h.dsa or area.dsa, policy_clause=(h.policy_clause or area.policy_clause).en,
                    policy_clause_text=h.policy_clause or area.policy_clause,
                    severity=h.severity or area.severity, team=h.team or area.team,
                    exposure=h.exposure or area.exposure, incident_type=area.incident_type)

    def team_name(self, slug: str, locale: str) -> str | None:
        """A team's name in ``locale`` (Russian for ``ru``, English otherwise); None for a team the file
        does not name."""
        names = self.teams.get(slug)
        return (names.ru if locale == "ru" else names.en) if names else None

    def get(self, slug: str) -> HarmNode:
        try:
            return self.nodes[slug]
        except KeyError:
            raise NotFound(f"unknown harm {slug!r} (see `rapidresponse policy taxonomy`)") from None

    def __contains__(self, slug: object) -> bool:
        return slug in self.nodes

    def children(self, slug: str) -> list[HarmNode]:
        return [self.nodes[c] for c in self.get(slug).children]

    def harms(self) -> list[HarmNode]:
        """Every node, areas first then their harms, in file order."""
        return [n for a in self.areas for n in (a, *self.children(a.slug))]


@lru_cache(maxsize=4)
def _load(_override: str | None) -> Taxonomy:
    spec = load_document(TaxonomyFile, "taxonomy.yaml")
    assert spec is not None
    return Taxonomy(spec)


def load_taxonomy() -> Taxonomy:
    """The packaged taxonomy with ``$RAPIDRESPONSE_POLICY_DIR/taxonomy.yaml`` merged over it."""
    over = override_dir()
    return _load(str(over) if over else None)


def clear_cache() -> None:
    _load.cache_clear()


def dsa_fields_for_harm(slug: str, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """``category``, ``category_addition`` and ``category_specification`` of a statement of reasons
    about a harm (a taxonomy slug)."""
    node = (taxonomy or load_taxonomy()).get(slug)
    out: dict[str, Any] = {"category": node.dsa.category.value}
    if node.dsa.additional_categories:
        out["category_addition"] = [c.value for c in node.dsa.additional_categories]
    if node.dsa.keywords:
        out["category_specification"] = list(node.dsa.keywords)
    return out
