"""Running an analyst's SQL on the warehouse, safely.

Read-only by construction: the connection opens the file read-only, with external access (files,
network, ATTACH, COPY), extension loading and Python replacement scans off, which DuckDB will not
let a query turn back on. Before it runs, the statement is parsed by DuckDB itself
(``json_serialize_sql``): it must be one SELECT, every table it names must be a warehouse table or
one of its own CTEs, and it may call no table function but ``range``, ``generate_series`` and
``unnest``. Users who may not see restricted incidents are given the ``open`` schema (the same
tables without them) and may not name another. A query is stopped after the timeout, and returns
at most the row limit.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import QueryFailed
from . import warehouse

if TYPE_CHECKING:
    import duckdb
    import pyarrow

TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
MAX_SQL = 20_000


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    table: pyarrow.Table
    truncated: bool
    seconds: float

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        return list(zip(*(self.table.column(i).to_pylist() for i in range(self.table.num_columns)), strict=True))


def _walk(node: Any, found: dict[str, set[Any]]) -> None:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "BASE_TABLE":
            found["tables"].add((node.get("catalog_name", ""), node.get("schema_name", ""), node["table_name"]))
        elif kind == "TABLE_FUNCTION":
            function = node.get("function") or {}
            found["functions"].add(str(function.get("function_name", "?")))
        cte_map = node.get("cte_map")
        if isinstance(cte_map, dict):
            found["ctes"].update(entry["key"] for entry in cte_map.get("map", []))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def check(con: duckdb.DuckDBPyConnection, sql: str, *, schema: str) -> None:
    """QueryFailed unless ``sql`` is one SELECT over the warehouse tables ``schema`` allows."""
    if not sql.strip():
        raise QueryFailed("write a SELECT query")
    if len(sql) > MAX_SQL:
        raise QueryFailed(f"the query is longer than {MAX_SQL} characters")
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()[0][0])
    if tree.get("error"):
        message = str(tree.get("error_message", "invalid SQL"))
        if "Only SELECT" in message:
            raise QueryFailed("the console runs read-only SELECT queries only (no INSERT, UPDATE, DELETE, "
                              "CREATE, ATTACH, COPY, SET, PRAGMA, INSTALL or LOAD)")
        raise QueryFailed(message.splitlines()[0])
    statements = tree.get("statements", [])
    if len(statements) != 1:
        raise QueryFailed("run one query at a time")
    found: dict[str, set[Any]] = {"tables": set(), "functions": set(), "ctes": set()}
    _walk(statements[0], found)
    bad_functions = sorted(found["functions"] - TABLE_FUNCTIONS)
    if bad_functions:
        raise QueryFailed(f"{bad_functions[0]}() is not available in the console: it reads only the warehouse "
                          "tables (no files, URLs or other databases)")
    allowed = set(warehouse.relations())
    schemas = {"", schema} if schema == "open" else {"", "main", "open"}
    for catalog, table_schema, name in sorted(found["tables"]):
        if not catalog and not table_schema and name in found["ctes"]:
            continue
        if catalog or table_schema not in schemas or name not in allowed:
            qualified = ".".join(part for part in (catalog, table_schema, name) if part)
            raise QueryFailed(f"no table {qualified!r} in the warehouse; the tables are: {', '.join(sorted(allowed))}")


class _Watchdog:
    """One thread that interrupts queries past their deadline (cheaper than a timer per query)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running: dict[int, tuple[float, duckdb.DuckDBPyConnection]] = {}
        self.thread: threading.Thread | None = None
        self.next = 0

    def watch(self, con: duckdb.DuckDBPyConnection, seconds: float) -> int:
        with self.lock:
            self.next += 1
            self.running[self.next] = (time.monotonic() + seconds, con)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="console-timeouts", daemon=True)
                self.thread.start()
            return self.next

    def done(self, token: int) -> None:
        with self.lock:
            self.running.pop(token, None)

    def _loop(self) -> None:
        while True:
            time.sleep(0.05)
            now = time.monotonic()
            with self.lock:
                late = [token for token, (deadline, _con) in self.running.items() if deadline <= now]
                for token in late:
                    self.running.pop(token)[1].interrupt()


_watchdog = _Watchdog()
atexit.register(lambda: _watchdog.running.clear())  # interrupt nothing once the interpreter stops


def run(sql: str, *, schema: str, params: dict[str, Any] | None = None, limit: int, timeout: float) -> Result:
    """Check and run ``sql`` on a read-only connection; QueryFailed names what went wrong."""
    import duckdb
    import pyarrow as pa

    with warehouse.reader() as con:
        check(con, sql, schema=schema)
        con.execute(f"SET search_path = '{schema}'")
        started = time.perf_counter()
        token = _watchdog.watch(con, timeout)
        try:
            reader = con.sql(sql, params=params or None).to_arrow_reader(min(limit + 1, 100_000))
            batches: list[pa.RecordBatch] = []
            count = 0
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > limit:
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema)
        except duckdb.InterruptException:
            raise QueryFailed(f"the query ran longer than {timeout:g} s and was stopped") from None
        except duckdb.PermissionException:
            raise QueryFailed("the console cannot read files, URLs or other databases") from None
        except duckdb.InvalidInputException as exc:
            if "parameter" in str(exc).lower() or "prepared statement" in str(exc).lower():
                raise QueryFailed(f"parameters: {str(exc).splitlines()[0]}") from None
            raise QueryFailed(str(exc).splitlines()[0]) from None
        except duckdb.Error as exc:
            raise QueryFailed(str(exc).splitlines()[0]) from None
        finally:
            _watchdog.done(token)
        seconds = time.perf_counter() - started
    truncated = table.num_rows > limit
    table = table.slice(0, limit)
    return Result(columns=table.column_names, types=[str(f.type) for f in table.schema], table=table,
                  truncated=truncated, seconds=seconds)


def rows_table(columns: list[str], rows: list[Any] | list[tuple[Any, ...]], *,
               empty: str = "string") -> pyarrow.Table:
    """Rows (sequences in ``columns`` order) as an Arrow table; no rows give typed empty columns."""
    import pyarrow as pa

    if rows:
        return pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows])
    return pa.table({c: pa.array([], getattr(pa, empty)()) for c in columns})


MEDIA = {"csv": ("text/csv; charset=utf-8", "csv"), "json": ("application/json", "json"),
         "parquet": ("application/vnd.apache.parquet", "parquet")}


def encode(table: pyarrow.Table, fmt: str) -> bytes:
    """Rows as a CSV, JSON (a list of objects) or Parquet file."""
    import io

    if fmt == "csv":
        import pyarrow.csv as pacsv

        out = io.BytesIO()
        pacsv.write_csv(table, out)
        return out.getvalue()
    if fmt == "parquet":
        import pyarrow.parquet as pq

        out = io.BytesIO()
        pq.write_table(table, out)
        return out.getvalue()
    if fmt == "json":
        return json.dumps(table.to_pylist(), ensure_ascii=False, default=str).encode()
    raise QueryFailed(f"unknown format {fmt!r}; choose csv, json or parquet")
