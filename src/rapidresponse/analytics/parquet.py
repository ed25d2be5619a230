"""The warehouse as Parquet files, for an engine bigger than one machine (Spark, Trino, a data lake):
every table as ``<table>.parquet``, and the signals in daily partitions
(``signals/day=YYYY-MM-DD/data.parquet``, Hive style).

A day's partition is written again only when signals arrived for it since it was last written (the
warehouse remembers the highest signal id each day's file holds), so a year of signals is written
once and then one or two days a pass. Each file is written beside its final name and moved into
place, so a reader never sees half a file and a pass killed halfway leaves the earlier files whole.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from . import warehouse

if TYPE_CHECKING:
    import duckdb


@dataclass
class ExportResult:
    directory: Path
    tables: int
    days: int


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path, params: list[object] | None = None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    con.execute(f"COPY ({query}) TO '{_literal(partial)}' (FORMAT parquet, COMPRESSION zstd)", params or [])
    os.replace(partial, target)


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def export(con: duckdb.DuckDBPyConnection, directory: Path) -> ExportResult:
    """Write the tables and the signal days that changed (``con`` writes the warehouse)."""
    con.execute("CREATE TABLE IF NOT EXISTS _exports (day DATE PRIMARY KEY, last_id BIGINT)")
    tables = 0
    for table in warehouse.TABLES:
        if table.name == "signals":
            continue
        _copy(con, f"SELECT * FROM main.{table.name}", directory / f"{table.name}.parquet")
        tables += 1
    changed: list[tuple[date, int]] = con.execute("""
        SELECT day, now.last_id FROM (SELECT CAST(occurred_at AS DATE) AS day, max(id) AS last_id
                                  FROM signals GROUP BY ALL) AS now
        LEFT JOIN _exports AS done USING (day)
        WHERE done.last_id IS NULL OR now.last_id > done.last_id ORDER BY day""").fetchall()
    for day, last_id in changed:
        _copy(con, "SELECT * FROM signals WHERE occurred_at >= CAST(? AS DATE) AND "
                   "occurred_at < CAST(? AS DATE) + INTERVAL 1 DAY ORDER BY id",
              directory / "signals" / f"day={day.isoformat()}" / "data.parquet", [day, day])
        con.execute("INSERT OR REPLACE INTO _exports VALUES (?, ?)", [day, last_id])
    return ExportResult(directory=directory, tables=tables, days=len(changed))
