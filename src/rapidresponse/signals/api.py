"""REST API for signals: batch intake, listing, series and trends."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from ..db import unit_of_work
from ..http import ActorDep
from ..schemas import IsoDateTime, Page
from . import service, trends
from .schemas import (
    BatchIn,
    BatchResult,
    SeriesOut,
    SeriesQuery,
    SignalFilter,
    SignalOut,
    TrendOut,
    TrendSeriesOut,
    TrendSeriesQuery,
)

router = APIRouter(prefix="/api/v1", tags=["signals"])


@router.post("/signals:batch", response_model=BatchResult)
def ingest_batch(actor: ActorDep, body: BatchIn,
                 mode: Literal["partial", "all_or_nothing"] = "partial") -> BatchResult:
    """Send up to 10,000 signals. Idempotent on (source, external_id): a resent signal is a duplicate,
    not a second row. ``partial`` keeps the valid rows and lists why each other row was rejected;
    ``all_or_nothing`` stores nothing if any row is bad (422 problem+json listing them in ``rejected``)."""
    with unit_of_work() as s:
        return service.ingest(s, actor, body.signals, mode=mode, channel="api")


@router.get("/signals", response_model=Page[SignalOut])
def list_signals(actor: ActorDep, flt: Annotated[SignalFilter, Query()]) -> Page[SignalOut]:
    """Signals, newest first: filter by harm, country, language, source, time range, text, trend."""
    with unit_of_work(read_only=True) as s:
        items, total = service.list_signals(s, actor, flt)
        return Page[SignalOut](items=items, total=total, limit=flt.limit, offset=flt.offset)


@router.get("/series", response_model=SeriesOut)
def get_series(actor: ActorDep, query: Annotated[SeriesQuery, Query()]) -> SeriesOut:
    """Signal counts per bucket (a multiple of 5 minutes) for a harm × country × language slice."""
    with unit_of_work(read_only=True) as s:
        return service.series(s, actor, query)


@router.get("/trends", response_model=list[TrendOut])
def list_trends(actor: ActorDep, min_count: Annotated[int, Query(ge=1, le=1_000_000)] = 2,
                harm: Annotated[str | None, Query(max_length=60)] = None,
                since: IsoDateTime | None = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                order: Literal["recent", "growth"] = "recent") -> list[TrendOut]:
    """Near-duplicate report clusters, most recently active first (``order=growth``: fastest growing
    first), with growth over the last hour."""
    with unit_of_work(read_only=True) as s:
        return trends.list_trends(s, actor, min_count=min_count, harm=harm, since=since, limit=limit, order=order)


@router.get("/trends/{trend_id}", response_model=TrendOut)
def get_trend(actor: ActorDep, trend_id: int) -> TrendOut:
    with unit_of_work(read_only=True) as s:
        return trends.get_trend(s, actor, trend_id)


@router.get("/trends/{trend_id}/series", response_model=TrendSeriesOut)
def get_trend_series(actor: ActorDep, trend_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
                     query: Annotated[TrendSeriesQuery, Query()]) -> TrendSeriesOut:
    """One trend's signal counts per bucket (a multiple of 5 minutes) over [since, until)."""
    with unit_of_work(read_only=True) as s:
        return trends.trend_series(s, actor, trend_id, query)
