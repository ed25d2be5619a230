"""REST API for global search: the same query, kinds and visibility rules as the /search page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from ..db import unit_of_work
from ..http import ActorDep
from . import search

router = APIRouter(prefix="/api/v1", tags=["search"])
MAX_QUERY = 200


class SearchHit(BaseModel):
    kind: str = Field(description=f"One of {', '.join(search.KINDS)}")
    title: str
    href: str = Field(description="The page that shows it (empty for people)")
    detail: str = Field(default="", description="Its state, source or username")


class SearchOut(BaseModel):
    hits: list[SearchHit] = Field(description=f"At most {search.SHOWN} of each kind, kind by kind")
    kinds: list[str] = Field(description="The kinds with hits, in order")


@router.get("/search", response_model=SearchOut)
def search_everything(actor: ActorDep,
                      q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, pattern="^[^\\x00]+$",
                                              description="Every word must match (no NUL)")]) -> SearchOut:
    """Incidents, cases, alerts, requests, decisions, playbooks, people and signals matching every word of
    ``q``: only kinds your role may read, and never an incident you may not see (nor what hangs on it)."""
    with unit_of_work(read_only=True) as s:
        found = search.search(s, actor, q)
    hits = [SearchHit(kind=h.kind, title=h.title, href=h.href, detail=h.detail)
            for kind in search.KINDS for h in found.get(kind, [])]
    return SearchOut(hits=hits, kinds=[k for k in search.KINDS if k in found])
