"""The analytics service: metrics over the warehouse, the SQL console, saved queries and history,
the schema browser, and the warehouse's sync and status.

Restricted incidents count only for those who may see them: the metrics leave out every restricted
incident the viewer may not open (saying how many only where the installation allows it); the
console gives users without the restricted permission the ``open`` tables, which hold none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents
from ..auth import ROLES, Actor, Perm
from ..clock import now
from ..config import get_settings
from ..errors import NotFound, PermissionDenied, QueryFailed, ValidationFailed
from . import metrics, parquet, postgres, sql, sync, warehouse
from .events import QueryDeleted, QuerySaved
from .models import QueryRun, SavedQuery
from .schemas import (
    ColumnDoc,
    ExportOut,
    HistoryOut,
    MetricFilter,
    MetricOut,
    Overview,
    QueryIn,
    QueryResult,
    SavedQueryIn,
    SavedQueryOut,
    Stage,
    StatusOut,
    SyncOut,
    TableDoc,
)
from .starters import BY_KEY, STARTERS

if TYPE_CHECKING:
    import ibis.expr.types as ir

DEFAULT_DAYS = 90
HISTORY_KEPT = 200  # per user


def period(flt: MetricFilter) -> tuple[date, date]:
    """The filter's first and last day (both included): the last 90 days when unset."""
    today = now().date()
    end = flt.end or today
    start = flt.start or (end - timedelta(days=DEFAULT_DAYS - 1))
    return start, end


def _scope(session: Session, actor: Actor, flt: MetricFilter) -> tuple[metrics.Scope, int]:
    """The metrics' scope for this viewer, and how many restricted incidents it leaves out."""
    actor.require(Perm.ANALYTICS_READ)
    first, last = period(flt)
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    hidden: set[str] = set()
    if not actor.can(Perm.INCIDENTS_RESTRICTED):
        with warehouse.reader() as con:
            restricted = [row[0] for row in con.execute("SELECT ref FROM incidents WHERE restricted").fetchall()]
        for ref in restricted:
            try:
                incidents.get(session, actor, ref)
            except (NotFound, PermissionDenied):
                hidden.add(ref)
    scope = metrics.Scope(start=start, end=end, harm=flt.harm, country=flt.country, language=flt.language,
                          severity=flt.severity, team=flt.team, hidden=frozenset(hidden))
    return scope, len(hidden)


@contextmanager
def _tables() -> Iterator[metrics.Tables]:
    """The warehouse tables as Ibis tables: the DuckDB file (read-only), or its PostgreSQL mirror."""
    import ibis

    if get_settings().analytics_engine == "postgres":
        from ..db import get_engine

        url = get_engine().url
        backend = ibis.postgres.connect(host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username,
                                        password=url.password or "", database=url.database)
        try:
            yield lambda name: backend.table(name, database=postgres.SCHEMA)
        finally:
            backend.disconnect()
        return
    with warehouse.reader() as con:
        backend = ibis.duckdb.from_connection(con)
        yield backend.table


def _rows(expr: ir.Table) -> tuple[list[str], list[list[Any]]]:
    columns, rows = metrics.run(expr)
    return columns, [list(row) for row in rows]


def metric(session: Session, actor: Actor, name: str, flt: MetricFilter) -> MetricOut:
    """One metric over the period and the period before it."""
    return metrics_of(session, actor, [name], flt)[name]


def metrics_of(session: Session, actor: Actor, names: list[str], flt: MetricFilter) -> dict[str, MetricOut]:
    """Several metrics over the same period and filters (the viewer's scope worked out once)."""
    unknown = [name for name in names if name not in metrics.METRICS]
    if unknown:
        raise NotFound(f"no metric {unknown[0]!r}; the metrics are: {', '.join(metrics.METRICS)}")
    scope, _hidden = _scope(session, actor, flt)
    first, last = period(flt)
    out = {}
    with _tables() as t:
        for name in names:
            build = metrics.METRICS[name]
            columns, rows = _rows(build(t, scope))
            _, previous = _rows(build(t, scope.previous()))
            out[name] = MetricOut(name=name, start=first, end=last, columns=columns, rows=rows, previous=previous)
    return out


def _one(expr: ir.Table) -> dict[str, Any]:
    columns, rows = metrics.run(expr)
    return dict(zip(columns, rows[0], strict=True)) if rows else {}


def overview(session: Session, actor: Actor, flt: MetricFilter) -> Overview:
    """The headline figures of the period (and the previous one, for the response times)."""
    scope, hidden = _scope(session, actor, flt)
    first, last = period(flt)
    with _tables() as t:
        _, stage_rows = metrics.run(metrics.response_times(t, scope))
        _, before_rows = metrics.run(metrics.response_times(t, scope.previous()))
        exposure = _one(metrics.exposure(t, scope))
        previous = _one(metrics.exposure(t, scope.previous()))
        _, deadline_rows = metrics.run(metrics.deadlines(t, scope))
        cadence = _one(metrics.cadence(t, scope))
        recurrence = _one(metrics.recurrence(t, scope))
    before = {row[0]: row[2] for row in before_rows}
    by_stage = {row[0]: row for row in stage_rows}
    stages = [Stage(stage=name, incidents=int(by_stage[name][1]) if name in by_stage else 0,
                    median=_round(by_stage[name][2]) if name in by_stage else None,
                    p90=_round(by_stage[name][3]) if name in by_stage else None,
                    previous_median=_round(before.get(name))) for name in metrics.STAGES]
    return Overview(
        start=first, end=last, incidents=int(exposure.get("incidents") or 0),
        previous_incidents=int(previous.get("incidents") or 0), stages=stages,
        exposure_signals=int(exposure.get("signals") or 0), exposure_reports=int(exposure.get("reports") or 0),
        deadlines_met=sum(int(r[2] or 0) for r in deadline_rows),
        deadlines_breached=sum(int(r[3] or 0) for r in deadline_rows),
        deadlines_open=sum(int(r[4] or 0) for r in deadline_rows),
        updates_sent=int(cadence.get("sent") or 0), updates_overdue=int(cadence.get("overdue") or 0),
        recurring=int(recurrence.get("recurring") or 0),
        restricted_hidden=hidden if get_settings().analytics_show_restricted_count else 0, synced_at=_synced_at())


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _synced_at() -> datetime | None:
    with warehouse.reader() as con:
        row = con.execute("SELECT max(synced_at) FROM _positions").fetchone()
    return row[0].replace(tzinfo=UTC) if row and row[0] else None


# --- the SQL console --------------------------------------------------------------------------------


def _schema(actor: Actor) -> str:
    return "main" if actor.can(Perm.INCIDENTS_RESTRICTED) else "open"


def run_query(session: Session, actor: Actor, data: QueryIn, *, saved_query_id: int | None = None) -> sql.Result:
    """Run the console query read-only (QueryFailed says why not) and keep it in the user's history."""
    actor.require(Perm.ANALYTICS_QUERY)
    settings = get_settings()
    limit = min(data.limit or settings.console_row_limit, settings.console_row_limit)
    started = now()
    try:
        if settings.analytics_engine == "postgres":
            result = postgres.run(data.sql, full=actor.can(Perm.INCIDENTS_RESTRICTED), params=data.params or None,
                                  limit=limit, timeout=settings.console_timeout_seconds)
        else:
            result = sql.run(data.sql, schema=_schema(actor), params=data.params or None, limit=limit,
                             timeout=settings.console_timeout_seconds)
    except QueryFailed as exc:
        _remember(session, actor, data.sql, saved_query_id, started, 0, 0, exc.detail)
        raise
    _remember(session, actor, data.sql, saved_query_id, started, int(result.seconds * 1000), result.table.num_rows,
              None)
    return result


def result_out(result: sql.Result) -> QueryResult:
    return QueryResult(columns=result.columns, types=result.types, rows=[list(r) for r in result.rows],
                       row_count=result.table.num_rows, truncated=result.truncated,
                       milliseconds=int(result.seconds * 1000))


def _remember(session: Session, actor: Actor, text: str, saved_query_id: int | None, at: datetime,
              milliseconds: int, rows: int, error: str | None) -> None:
    if actor.user_id is None:
        return
    run = QueryRun(user_id=actor.user_id, sql=text, saved_query_id=saved_query_id, ran_at=at,
                   milliseconds=milliseconds, rows=rows, error=error)
    session.add(run)
    session.flush()
    if run.id % 20:  # trim the history now and then, not at every query
        return
    keep = select(QueryRun.id).where(QueryRun.user_id == actor.user_id).order_by(QueryRun.id.desc()) \
        .limit(HISTORY_KEPT)
    session.execute(delete(QueryRun).where(QueryRun.user_id == actor.user_id, QueryRun.id.not_in(keep)))


def history(session: Session, actor: Actor, *, limit: int = 50) -> list[HistoryOut]:
    """The user's own last queries, newest first."""
    actor.require(Perm.ANALYTICS_QUERY)
    rows = session.execute(select(QueryRun).where(QueryRun.user_id == actor.user_id)
                           .order_by(QueryRun.id.desc()).limit(limit)).scalars()
    return [HistoryOut(id=r.id, sql=r.sql, ran_at=r.ran_at, milliseconds=r.milliseconds, rows=r.rows, error=r.error)
            for r in rows]


def _query_out(q: SavedQuery, owners: dict[int, str]) -> SavedQueryOut:
    return SavedQueryOut(id=q.id, key=f"q{q.id}", name=q.name, description=q.description, sql=q.sql,
                         parameters=q.parameters, owner=owners.get(q.owner_id), shared_with=q.shared_with,
                         starter=False, updated_at=q.updated_at)


def _visible(actor: Actor) -> Any:
    return or_(SavedQuery.owner_id == actor.user_id, SavedQuery.shared_with == actor.role)


def list_queries(session: Session, actor: Actor) -> list[SavedQueryOut]:
    """The user's saved queries, those shared with their role, then the queries shipped with the product."""
    actor.require(Perm.ANALYTICS_QUERY)
    rows = list(session.execute(select(SavedQuery).where(_visible(actor)).order_by(SavedQuery.name)).scalars())
    owners = auth.usernames(session, {q.owner_id for q in rows})
    starters = [SavedQueryOut(id=None, key=s.key, name=s.name, description=s.description, sql=s.sql,
                              parameters=[{"name": n, "default": d} for n, d in s.parameters], owner=None,
                              shared_with=None, starter=True, updated_at=None) for s in STARTERS]
    return [_query_out(q, owners) for q in rows] + starters


def get_query(session: Session, actor: Actor, key: str) -> SavedQueryOut:
    """A saved query (``q<id>``) the user may see, or a shipped one by its name."""
    actor.require(Perm.ANALYTICS_QUERY)
    if key in BY_KEY:
        return next(q for q in list_queries(session, actor) if q.key == key)
    q = _saved(session, actor, key)
    return _query_out(q, auth.usernames(session, {q.owner_id}))


def _saved(session: Session, actor: Actor, key: str, *, own: bool = False) -> SavedQuery:
    ident = key[1:] if key.startswith("q") else key
    q = session.get(SavedQuery, int(ident)) if ident.isdigit() and len(ident) < 10 else None
    if q is None or not (q.owner_id == actor.user_id or q.shared_with == actor.role):
        raise NotFound(f"no saved query {key}")
    if own and q.owner_id != actor.user_id and not actor.can(Perm.USERS_MANAGE):
        raise PermissionDenied("only its owner changes or deletes a saved query")
    return q


def _validate(data: SavedQueryIn) -> None:
    if data.shared_with is not None and data.shared_with not in ROLES:
        raise ValidationFailed(f"unknown role {data.shared_with!r}; choose one of {', '.join(ROLES)}",
                               field="shared_with")
    names = [p.name for p in data.parameters]
    if len(set(names)) != len(names):
        raise ValidationFailed("each parameter is named once", field="parameters")
    if get_settings().analytics_engine == "duckdb":  # a saved query must at least be one allowed SELECT
        with warehouse.reader() as con:
            sql.check(con, data.sql, schema="main")


def save_query(session: Session, actor: Actor, data: SavedQueryIn) -> SavedQueryOut:
    actor.require(Perm.ANALYTICS_QUERY)
    if actor.user_id is None:
        raise ValidationFailed("saved queries belong to a user")
    _validate(data)
    at = now()
    q = SavedQuery(name=data.name, description=data.description, sql=data.sql,
                   parameters=[p.model_dump() for p in data.parameters], owner_id=actor.user_id,
                   shared_with=data.shared_with, created_at=at, updated_at=at)
    session.add(q)
    session.flush()
    events.record(session, actor, QuerySaved(subject_id=q.id, name=q.name, shared_with=q.shared_with))
    return _query_out(q, {actor.user_id: actor.username})


def update_query(session: Session, actor: Actor, key: str, data: SavedQueryIn) -> SavedQueryOut:
    actor.require(Perm.ANALYTICS_QUERY)
    q = _saved(session, actor, key, own=True)
    _validate(data)
    q.name, q.description, q.sql, q.shared_with = data.name, data.description, data.sql, data.shared_with
    q.parameters = [p.model_dump() for p in data.parameters]
    q.updated_at = now()
    events.record(session, actor, QuerySaved(subject_id=q.id, name=q.name, shared_with=q.shared_with, created=False))
    return _query_out(q, auth.usernames(session, {q.owner_id}))


def delete_query(session: Session, actor: Actor, key: str) -> None:
    actor.require(Perm.ANALYTICS_QUERY)
    q = _saved(session, actor, key, own=True)
    events.record(session, actor, QueryDeleted(subject_id=q.id, name=q.name))
    session.delete(q)


def run_saved(session: Session, actor: Actor, key: str, params: dict[str, Any]) -> sql.Result:
    """Run a saved or shipped query; parameters not given take their defaults."""
    q = get_query(session, actor, key)
    known = {p["name"]: p.get("default") for p in q.parameters}
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ValidationFailed(f"the query has no parameter {unknown[0]!r}", field="params")
    values = {**known, **params}
    return run_query(session, actor, QueryIn(sql=q.sql, params=values), saved_query_id=q.id)


# --- the schema browser, sync and status ------------------------------------------------------------


def tables(actor: Actor) -> list[TableDoc]:
    """Every table the console may query, with its documented columns and row count."""
    actor.require(Perm.ANALYTICS_QUERY)
    schema = _schema(actor)
    out = []
    with warehouse.reader() as con:
        for table in warehouse.TABLES:
            row = con.execute(f"SELECT count(*) FROM {schema}.{table.name}").fetchone()
            out.append(TableDoc(name=table.name, description=table.doc, rows=int(row[0]) if row else 0,
                                columns=[ColumnDoc(name=c.name, type=c.type, description=c.doc)
                                         for c in table.columns],
                                example=f"SELECT * FROM {table.name} LIMIT 20"))
        for name, (doc, _sql) in warehouse.VIEWS.items():
            described = con.execute(f"DESCRIBE {schema}.{name}").fetchall()
            docs = warehouse.VIEW_COLUMNS
            out.append(TableDoc(name=name, description=doc, rows=None,
                                columns=[ColumnDoc(name=r[0], type=r[1], description=docs.get(r[0], ""))
                                         for r in described],
                                example=f"SELECT * FROM {name} ORDER BY bucket DESC LIMIT 20"))
    return out


def sync_now(session: Session, actor: Actor, progress: sync.Progress | None = None) -> SyncOut:
    """Bring the warehouse up to date now (the worker does it every minute)."""
    actor.require(Perm.ANALYTICS_QUERY)
    result = sync.run(session, progress=progress)
    return SyncOut(events=result.events, signals=result.signals, incidents=result.incidents,
                   seconds=round(result.seconds, 2))


def export(session: Session, actor: Actor, directory: Path) -> ExportOut:
    """Write the warehouse as Parquet into ``directory`` now (signals in daily partitions)."""
    actor.require(Perm.ANALYTICS_QUERY)
    sync.run(session)
    with sync.writer() as con:
        out = parquet.export(con, directory)
    return ExportOut(directory=str(out.directory), tables=out.tables, days=out.days)


def sync_tick(session: Session) -> sync.SyncResult:
    """The worker's pass: whatever has come in since the last one."""
    return sync.run(session)


def status(session: Session, actor: Actor) -> StatusOut:
    actor.require(Perm.ANALYTICS_READ)
    lag = sync.measure_lag(session)
    with warehouse.reader() as con:
        done = sync.positions(con)
    return StatusOut(path=str(warehouse.path()), positions=done, behind=sync.behind(session, done),
                     lag_seconds=lag, synced_at=_synced_at())


# --- backup and restore --------------------------------------------------------------------------

def copy_warehouse(dest: Path) -> bool:
    """Copy the warehouse file to ``dest`` while no sync writes to it; False when there is none yet.

    The file is held open read-only during the copy: a sync in another process cannot open it for
    writing meanwhile (it waits, or tries again on its next run), and one in this process waits for
    the writer's flag. The warehouse is derived from the event log, so a sync can also rebuild it."""
    import shutil

    import duckdb

    file = warehouse.path()
    if not file.exists():
        return False
    with warehouse.writing(file):  # this process's readers let go and its sync waits
        con = warehouse.retrying(lambda: duckdb.connect(str(file), read_only=True, config=dict(warehouse.READ_CONFIG)))
        try:
            shutil.copyfile(file, dest)
        finally:
            con.close()
    return True


def restore_warehouse(src: Path, *, replace: bool = False) -> bool:
    """Put a backed-up warehouse file in place; an existing one is kept unless ``replace``."""
    import shutil

    file = warehouse.path()
    if file.exists() and not replace:
        return False
    file.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.writing(file):
        tmp = file.with_suffix(".restoring")
        shutil.copyfile(src, tmp)
        file.unlink(missing_ok=True)
        file.with_name(file.name + ".wal").unlink(missing_ok=True)
        tmp.replace(file)
    return True
