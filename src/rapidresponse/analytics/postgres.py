"""Analytics on PostgreSQL: the warehouse mirrored into the operational database, and the console
run there under roles that can read nothing else.

With ``RAPIDRESPONSE_ANALYTICS_ENGINE=postgres`` each sync copies the warehouse's tables into the
schema ``analytics`` (signals appended from the last id copied, the other tables replaced whenever
new events came in, each in one transaction with its position) and keeps the schema
``analytics_open``: views without restricted incidents. Two group roles get SELECT on these and on
nothing else: ``rr_analytics`` (both schemas) and ``rr_analytics_open`` (the views). The console
logs in as a member of one of them (``RAPIDRESPONSE_ANALYTICS_POSTGRES_URL`` and
``…_OPEN_URL``), in a read-only transaction with a statement timeout, through the extended query
protocol (one statement, no way to end the transaction and run another).
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

from ..config import get_settings
from ..errors import FeatureUnavailable, QueryFailed
from . import warehouse

if TYPE_CHECKING:
    import duckdb
    import psycopg

    from .sql import Result

SCHEMA, OPEN = "analytics", "analytics_open"
ROLE, OPEN_ROLE = "rr_analytics", "rr_analytics_open"
TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "BOOLEAN": "boolean",
         "TIMESTAMP": "timestamp", "DOUBLE": "double precision", "JSON": "jsonb"}
LOCK = 0x616E616C  # pg_advisory_xact_lock: one mirror at a time
RESTRICTED = f"(SELECT ref FROM {SCHEMA}.incidents WHERE restricted)"
SERIES = ("SELECT harm, country, language, date_bin('5 minutes', occurred_at, TIMESTAMP '2000-01-01') AS bucket, "
          "count(*) AS count FROM {schema}.signals GROUP BY 1, 2, 3, 4")


def _open_view(table: warehouse.Table) -> str:
    """The PostgreSQL form of the ``open`` view (warehouse._open says what it hides)."""
    columns = [c.name for c in table.columns]
    if table.restricted_by is None:
        return f"SELECT {', '.join(columns)} FROM {SCHEMA}.{table.name}"
    chosen = [f"CASE WHEN {c} IN {RESTRICTED} THEN NULL ELSE {c} END AS {c}"
              if table.name == "incidents" and c in ("merged_into", "recurrence_of") else c for c in columns]
    where = [f"({table.restricted_by} IS NULL OR {table.restricted_by} NOT IN {RESTRICTED})"]
    if "payload" in columns:
        where.append(f"NOT EXISTS (SELECT 1 FROM {SCHEMA}.incidents r WHERE r.restricted AND "
                     f"strpos(t.payload::text, r.ref) > 0)")
    return f"SELECT {', '.join(chosen)} FROM {SCHEMA}.{table.name} t WHERE {' AND '.join(where)}"


def ensure(conn: Connection) -> None:
    """The schemas, tables, views, roles and grants (idempotent; run inside the mirror's transaction)."""
    run = conn.exec_driver_sql
    run(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    run(f"CREATE SCHEMA IF NOT EXISTS {OPEN}")
    run(f"CREATE TABLE IF NOT EXISTS {SCHEMA}._mirror (source text PRIMARY KEY, position bigint NOT NULL)")
    for table in warehouse.TABLES:
        columns = ", ".join(f"{c.name} {TYPES[c.type]}" for c in table.columns)
        run(f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{table.name} ({columns})")
        run(f"CREATE OR REPLACE VIEW {OPEN}.{table.name} AS {_open_view(table)}")
    run(f"CREATE OR REPLACE VIEW {SCHEMA}.series AS {SERIES.format(schema=SCHEMA)}")
    run(f"CREATE OR REPLACE VIEW {OPEN}.series AS {SERIES.format(schema=OPEN)}")
    for role in (ROLE, OPEN_ROLE):
        run(f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    relations = [*(t.name for t in warehouse.TABLES), "series"]
    run(f"GRANT USAGE ON SCHEMA {SCHEMA}, {OPEN} TO {ROLE}")
    run(f"GRANT USAGE ON SCHEMA {OPEN} TO {OPEN_ROLE}")
    run(f"GRANT SELECT ON {', '.join(f'{SCHEMA}.{r}' for r in relations)} TO {ROLE}")
    run(f"GRANT SELECT ON {', '.join(f'{OPEN}.{r}' for r in relations)} TO {ROLE}, {OPEN_ROLE}")


def _raw(conn: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under SQLAlchemy's (for COPY and prepared statements)."""
    return cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)


def _copy(conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    with _raw(conn).cursor() as cursor, cursor.copy(
            f"COPY {SCHEMA}.{table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def mirror(duck: duckdb.DuckDBPyConnection, engine: Engine, *, batch: int) -> int:
    """Copy what changed in the warehouse into PostgreSQL; returns the rows copied."""
    if engine.dialect.name != "postgresql":
        raise FeatureUnavailable("analytics on PostgreSQL needs the operational database on PostgreSQL")
    copied = 0
    state = dict(duck.execute("SELECT source, position FROM _positions").fetchall())
    events, identity = state.get("events", 0), state.get("identity")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK})")
        if conn.exec_driver_sql(f"SELECT to_regclass('{SCHEMA}._mirror')").scalar() is not None:
            positions = conn.exec_driver_sql(f"SELECT source, position FROM {SCHEMA}._mirror")
            done: dict[str, int] = {row[0]: row[1] for row in positions}
        else:
            done = {}
        if done.get("layout") != warehouse.LAYOUT or done.get("identity") != identity:
            # another layout, another (or a rebuilt) warehouse: copy it afresh
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {OPEN} CASCADE")
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            ensure(conn)
            _position(conn, "layout", warehouse.LAYOUT)
            _position(conn, "identity", identity or 0)
            done = {}
        if done.get("events") != events:
            for table in warehouse.TABLES:
                if table.name == "signals":
                    continue
                columns = [c.name for c in table.columns]
                rows = duck.execute(f"SELECT {', '.join(columns)} FROM main.{table.name}").fetchall()
                conn.exec_driver_sql(f"TRUNCATE {SCHEMA}.{table.name}")
                _copy(conn, table.name, columns, rows)
                copied += len(rows)
            _position(conn, "events", events)
    columns = [c.name for c in warehouse.BY_NAME["signals"].columns]
    while True:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK})")
            after = conn.exec_driver_sql(f"SELECT position FROM {SCHEMA}._mirror WHERE source = 'signals'").scalar()
            rows = duck.execute(f"SELECT {', '.join(columns)} FROM signals WHERE id > ? ORDER BY id LIMIT ?",
                                [after or 0, batch]).fetchall()
            if not rows:
                return copied
            _copy(conn, "signals", columns, rows)
            _position(conn, "signals", rows[-1][0])
            copied += len(rows)


def _position(conn: Connection, source: str, position: int) -> None:
    conn.exec_driver_sql(f"INSERT INTO {SCHEMA}._mirror VALUES (%(s)s, %(p)s) ON CONFLICT (source) DO UPDATE "
                         "SET position = excluded.position", {"s": source, "p": position})


_engines: dict[str, Engine] = {}
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _console_engine(full: bool) -> Engine:
    settings = get_settings()
    url = settings.analytics_postgres_url if full else settings.analytics_postgres_open_url
    if not url:
        name = "RAPIDRESPONSE_ANALYTICS_POSTGRES_URL" if full else "RAPIDRESPONSE_ANALYTICS_POSTGRES_OPEN_URL"
        raise FeatureUnavailable(f"the console on PostgreSQL logs in as a member of {ROLE if full else OPEN_ROLE}: "
                                 f"set {name}")
    if url not in _engines:
        _engines[url] = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)
    return _engines[url]


def run(sql: str, *, full: bool, params: dict[str, Any] | None, limit: int, timeout: float) -> Result:
    """Run the query as the console's role, read-only, within the timeout; QueryFailed says why not."""
    import psycopg
    from sqlalchemy.exc import DBAPIError

    from .sql import Result, rows_table

    if not sql.strip():
        raise QueryFailed("write a SELECT query")
    names = set(_PARAM.findall(sql))
    missing = sorted(names - set(params or {}))
    if missing:
        raise QueryFailed(f"parameters: no value for ${missing[0]}")
    text, values = (_PARAM.sub(r"%(\1)s", sql.replace("%", "%%")), params) if names else (sql, None)
    started = time.perf_counter()
    try:
        with _console_engine(full).connect() as conn:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(int(timeout * 1000), 1)}")
            conn.exec_driver_sql(f"SET LOCAL search_path = {SCHEMA if full else OPEN}")
            with _raw(conn).cursor() as cursor:
                # prepared: the extended query protocol takes one statement, so no query can end the
                # read-only transaction (and its timeout) and go on after it
                cursor.execute(text, values, prepare=True)
                if cursor.description is None:
                    raise QueryFailed("the console runs read-only SELECT queries only")
                columns = [d[0] for d in cursor.description]
                rows = cursor.fetchmany(limit + 1)
            conn.rollback()
    except DBAPIError as exc:
        raise QueryFailed(_explain(exc.orig)) from None
    except psycopg.Error as exc:
        raise QueryFailed(_explain(exc)) from None
    table = rows_table(columns, rows[:limit], empty="null")
    return Result(columns=columns, types=[str(f.type) for f in table.schema], table=table,
                  truncated=len(rows) > limit, seconds=time.perf_counter() - started)


def _explain(error: BaseException | None) -> str:
    import psycopg.errors as pe

    first = (str(error) if error else "the query failed").strip().splitlines()[0]
    if isinstance(error, pe.InsufficientPrivilege):
        return f"the console reads only the analytics tables ({first})"
    if isinstance(error, pe.ReadOnlySqlTransaction):
        return "the console runs read-only SELECT queries only"
    if isinstance(error, pe.QueryCanceled):
        return "the query ran longer than the console's timeout and was stopped"
    if "multiple commands" in first:
        return "run one query at a time"
    return first
