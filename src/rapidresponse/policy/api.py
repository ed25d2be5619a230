"""REST API: country profiles (with the stored corrections), the helpline registry and the harm taxonomy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from ..auth import Perm
from ..db import unit_of_work
from ..http import ActorDep
from .helplines import helplines_for
from .overview import summary
from .profiles import get_country, load_countries
from .taxonomy import load_taxonomy

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/policy/countries")
def countries(actor: ActorDep) -> list[dict[str, Any]]:
    """Every country profile at a glance: languages, zone, regulator, the tightest deadline."""
    actor.require(Perm.POLICY_READ)
    with unit_of_work(read_only=True) as s:
        return [summary(p) for p in load_countries(s).values()]


@router.get("/policy/countries/{code}")
def country(actor: ActorDep, code: Annotated[str, Path(min_length=2, max_length=2)]) -> dict[str, Any]:
    """One country profile in full (packaged data with the overrides and corrections applied)."""
    actor.require(Perm.POLICY_READ)
    with unit_of_work(read_only=True) as s:
        return get_country(code, s).model_dump(mode="json")


@router.get("/policy/taxonomy")
def taxonomy(actor: ActorDep) -> dict[str, Any]:
    """The harm taxonomy: areas and harms with DSA categories, weights, teams and exposure."""
    actor.require(Perm.POLICY_READ)
    t = load_taxonomy()
    return {"version": t.version, "reviewed": t.reviewed.isoformat(),
            "nodes": [n.model_dump(mode="json") for n in t.harms()]}


@router.get("/policy/helplines")
def helplines(actor: ActorDep, country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None
              ) -> list[dict[str, Any]]:
    """The helpline registry (crisis, child, suicide-prevention and emergency lines), of one country or
    all; ``stale`` marks an entry not checked for six months."""
    actor.require(Perm.POLICY_READ)
    with unit_of_work(read_only=True) as s:
        codes = [get_country(country, s).code] if country else None
    return [{**h.model_dump(mode="json"), "stale": h.stale()} for h in helplines_for(codes)]
