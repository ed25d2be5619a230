"""REST API for analytics: the overview and each metric, the SQL console, saved queries and
history, the schema browser, and the warehouse's status and sync."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Response

from ..db import unit_of_work
from ..http import ActorDep
from . import metrics, service, sql
from .schemas import (
    HistoryOut,
    MetricFilter,
    MetricOut,
    Overview,
    ParamValue,
    QueryIn,
    QueryResult,
    SavedQueryIn,
    SavedQueryOut,
    StatusOut,
    SyncOut,
    TableDoc,
)

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
Filter = Annotated[MetricFilter, Query()]
MetricName = Annotated[str, Path(pattern="^(" + "|".join(metrics.METRICS) + ")$")]
Key = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z0-9_]+$")]
FileFormat = Annotated[Literal["json", "csv", "parquet"], Query(alias="format")]


def _file(table: Any, fmt: str, name: str) -> Response:
    media, extension = sql.MEDIA[fmt]
    return Response(sql.encode(table, fmt), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


@router.get("/overview", response_model=Overview)
def overview(actor: ActorDep, flt: Filter) -> Overview:
    """The period's headline figures: response times (median, 90th percentile, and the previous
    period's median), exposure before mitigation, regulator deadlines, updates, recurrence."""
    with unit_of_work(read_only=True) as s:
        return service.overview(s, actor, flt)


class MetricQuery(MetricFilter):
    format: Literal["json", "csv", "parquet"] = "json"


@router.get("/metrics/{metric}", response_model=MetricOut, responses={200: {"content": {"text/csv": {}}}})
def metric(actor: ActorDep, metric: MetricName, query: Annotated[MetricQuery, Query()]) -> Any:
    """One metric over the period and the period before it; ``format=csv`` (or ``parquet``) downloads
    its table."""
    fmt = query.format
    with unit_of_work(read_only=True) as s:
        out = service.metric(s, actor, metric, MetricFilter.model_validate(query.model_dump(exclude={"format"})))
    if fmt == "json":
        return out
    return _file(sql.rows_table(out.columns, out.rows), fmt, f"{metric}-{out.start}-{out.end}")


@router.post("/query", response_model=QueryResult, responses={200: {"content": {"text/csv": {}}}})
def query(actor: ActorDep, body: QueryIn, fmt: FileFormat = "json") -> Any:
    """Run a read-only SELECT on the warehouse (``$name`` parameters from ``params``); ``format=csv``
    or ``parquet`` downloads the rows instead."""
    with unit_of_work() as s:
        result = service.run_query(s, actor, body)
    return service.result_out(result) if fmt == "json" else _file(result.table, fmt, "query")


@router.get("/tables", response_model=list[TableDoc])
def tables(actor: ActorDep) -> list[TableDoc]:
    """The tables the console may query, their documented columns and row counts."""
    return service.tables(actor)


@router.get("/queries", response_model=list[SavedQueryOut])
def list_queries(actor: ActorDep) -> list[SavedQueryOut]:
    """Your saved queries, those shared with your role, and the starter queries."""
    with unit_of_work(read_only=True) as s:
        return service.list_queries(s, actor)


@router.post("/queries", status_code=201, response_model=SavedQueryOut)
def save_query(actor: ActorDep, body: SavedQueryIn, response: Response) -> SavedQueryOut:
    with unit_of_work() as s:
        out = service.save_query(s, actor, body)
    response.headers["Location"] = f"/api/v1/analytics/queries/{out.key}"
    return out


@router.get("/queries/{key}", response_model=SavedQueryOut)
def get_query(actor: ActorDep, key: Key) -> SavedQueryOut:
    with unit_of_work(read_only=True) as s:
        return service.get_query(s, actor, key)


@router.put("/queries/{key}", response_model=SavedQueryOut)
def update_query(actor: ActorDep, key: Key, body: SavedQueryIn) -> SavedQueryOut:
    with unit_of_work() as s:
        return service.update_query(s, actor, key, body)


@router.delete("/queries/{key}", status_code=204)
def delete_query(actor: ActorDep, key: Key) -> Response:
    with unit_of_work() as s:
        service.delete_query(s, actor, key)
    return Response(status_code=204)


@router.post("/queries/{key}/run", response_model=QueryResult, responses={200: {"content": {"text/csv": {}}}})
def run_saved(actor: ActorDep, key: Key,
              params: Annotated[dict[str, ParamValue], Body(max_length=40)] | None = None,
              fmt: FileFormat = "json") -> Any:
    """Run a saved or starter query; parameters you leave out take their defaults."""
    with unit_of_work() as s:
        result = service.run_saved(s, actor, key, params or {})
    return service.result_out(result) if fmt == "json" else _file(result.table, fmt, key)


@router.get("/history", response_model=list[HistoryOut])
def history(actor: ActorDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[HistoryOut]:
    """Your last console queries, newest first."""
    with unit_of_work(read_only=True) as s:
        return service.history(s, actor, limit=limit)


@router.get("/status", response_model=StatusOut)
def status(actor: ActorDep) -> StatusOut:
    """How far the warehouse is behind the event log and the signal store."""
    with unit_of_work(read_only=True) as s:
        return service.status(s, actor)


@router.post("/sync", response_model=SyncOut)
def sync_now(actor: ActorDep) -> SyncOut:
    """Bring the warehouse up to date now (the worker does so every minute)."""
    with unit_of_work(read_only=True) as s:
        return service.sync_now(s, actor)
