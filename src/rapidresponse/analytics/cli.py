"""`rapidresponse sql "SELECT …"` and `rapidresponse analytics …`: query the warehouse, show the
metrics, bring the warehouse up to date, browse its tables, saved queries and history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import metrics, service
from . import sql as console_sql
from .schemas import MetricFilter, QueryIn

app = typer.Typer(help="The analytics warehouse: metrics, sync, tables, saved queries.", no_args_is_help=True)
FORMATS = ("table", "csv", "json", "parquet")


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise fail(f"--param takes name=value, not {pair!r}")
        out[name.strip()] = value
    return out


def _show(columns: list[str], rows: list[list[Any]] | list[tuple[Any, ...]], *, truncated: bool = False) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*(escape("NULL" if v is None else str(v)) for v in row))
    console.print(table)
    console.print(f"{len(rows)} rows" + (" (more matched: raise the limit or download)" if truncated else ""),
                  highlight=False)


@handle_errors
def sql_command(query: str = typer.Argument(..., help="A SELECT query (DuckDB SQL); '-' reads it from stdin"),
                fmt: str = typer.Option("table", "--format", "-f", help="table, csv, json or parquet"),
                param: list[str] = typer.Option([], "--param", "-p", help="name=value for $name; repeat"),
                limit: int | None = typer.Option(None, help="At most this many rows (up to the configured limit)"),
                output: Path | None = typer.Option(None, "--output", "-o", help="Write the rows to this file"),
                as_user: str | None = AsOption) -> None:
    """Run a read-only query on the analytics warehouse."""
    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; choose {', '.join(FORMATS)}")
    if fmt == "parquet" and output is None:
        raise fail("--format parquet needs --output FILE")
    text = sys.stdin.read() if query == "-" else query
    actor = actor_for(as_user)
    with unit_of_work() as s:
        result = service.run_query(s, actor, QueryIn(sql=text, params=_params(param), limit=limit))
    if fmt == "table":
        _show(result.columns, result.rows, truncated=result.truncated)
        return
    data = console_sql.encode(result.table, fmt)
    if output is not None:
        output.write_bytes(data)
        console.print(f"{result.table.num_rows} rows written to {output}", highlight=False)
    else:
        sys.stdout.write(data.decode())


def _filter(start: str | None, end: str | None, harm: str | None, country: str | None, language: str | None,
            severity: int | None, team: str | None) -> MetricFilter:
    return MetricFilter.model_validate({k: v for k, v in {"start": start, "end": end, "harm": harm,
                                                          "country": country, "language": language,
                                                          "severity": severity, "team": team}.items()
                                        if v is not None})


@app.command("metric")
@handle_errors
def metric(name: str = typer.Argument(..., help=f"One of: {', '.join(metrics.METRICS)}"),
           start: str | None = typer.Option(None, help="First day (ISO date; default 90 days ago)"),
           end: str | None = typer.Option(None, help="Last day (ISO date; default today)"),
           harm: str | None = None, country: str | None = None, language: str | None = None,
           severity: int | None = None, team: str | None = None,
           as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """One metric over the period, and the period of the same length before it."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.metric(s, actor, name, _filter(start, end, harm, country, language, severity, team))
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(f"[bold]{name}[/bold] {out.start} – {out.end}", highlight=False)
    _show(out.columns, out.rows)
    console.print(f"previous period: {out.previous}", highlight=False)


@app.command("overview")
@handle_errors
def overview(start: str | None = None, end: str | None = None, harm: str | None = None,
             country: str | None = None, language: str | None = None, severity: int | None = None,
             team: str | None = None, as_json: bool = typer.Option(False, "--json"),
             as_user: str | None = AsOption) -> None:
    """The headline figures of the period."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.overview(s, actor, _filter(start, end, harm, country, language, severity, team))
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(f"[bold]{out.start} – {out.end}[/bold]: {out.incidents} incidents "
                  f"(previous period {out.previous_incidents})", highlight=False)
    table = Table("stage", "incidents", "median (min)", "p90 (min)", "previous median")
    for st in out.stages:
        table.add_row(st.stage, str(st.incidents), *(f"{v:.1f}" if v is not None else "—"
                                                     for v in (st.median, st.p90, st.previous_median)))
    console.print(table)
    console.print(f"exposure before mitigation: {out.exposure_signals} signals ({out.exposure_reports} reports); "
                  f"regulator deadlines met {out.deadlines_met}, breached {out.deadlines_breached}, "
                  f"open {out.deadlines_open}; recurring {out.recurring}", highlight=False)


@app.command("sync")
@handle_errors
def sync_now(as_user: str | None = AsOption) -> None:
    """Bring the warehouse up to date now (the worker does so every minute)."""
    actor = actor_for(as_user)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def progress(source: str, done: int, total: int) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(source, total=total)
            bar.update(tasks[source], completed=done, total=total)

        with unit_of_work(read_only=True) as s:
            out = service.sync_now(s, actor, progress)
    console.print(f"{out.events} events, {out.signals} signals and {out.incidents} incidents in {out.seconds} s",
                  highlight=False)


@app.command("export")
@handle_errors
def export(directory: Path | None = typer.Argument(None, help="Where to write (default: the configured "
                                                                "RAPIDRESPONSE_ANALYTICS_EXPORT_DIR)"),
           as_user: str | None = AsOption) -> None:
    """Write the warehouse as Parquet (each table, signals in daily partitions) for Spark or Trino."""
    from ..config import get_settings

    target = directory or get_settings().analytics_export_dir
    if target is None:
        raise fail("name a directory, or set RAPIDRESPONSE_ANALYTICS_EXPORT_DIR")
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.export(s, actor, target)
    console.print(f"{out.tables} tables and {out.days} days of signals written to {out.directory}", highlight=False)


@app.command("status")
@handle_errors
def status(as_user: str | None = AsOption) -> None:
    """Where the warehouse is and how far behind."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.status(s, actor)
    print_json(out.model_dump(mode="json"))


@app.command("tables")
@handle_errors
def tables(name: str | None = typer.Argument(None, help="Show this table's columns"),
           as_user: str | None = AsOption) -> None:
    """The tables the console may query (and, for one, its documented columns)."""
    docs = service.tables(actor_for(as_user))
    if name is None:
        _show(["table", "rows", "description"], [[t.name, t.rows, t.description] for t in docs])
        return
    doc = next((t for t in docs if t.name == name), None)
    if doc is None:
        raise fail(f"no table {name!r}; the tables are: {', '.join(t.name for t in docs)}")
    console.print(f"[bold]{doc.name}[/bold]: {escape(doc.description)}", highlight=False)
    _show(["column", "type", "description"], [[c.name, c.type, c.description] for c in doc.columns])


@app.command("queries")
@handle_errors
def queries(as_user: str | None = AsOption) -> None:
    """Your saved queries, those shared with your role, and the starter queries."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = service.list_queries(s, actor)
    _show(["key", "name", "owner", "shared with"],
          [[q.key, q.name, q.owner or "starter", q.shared_with or ""] for q in rows])


@app.command("run")
@handle_errors
def run_saved(key: str, param: list[str] = typer.Option([], "--param", "-p", help="name=value; repeat"),
              as_user: str | None = AsOption) -> None:
    """Run a saved (q<id>) or starter query."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        result = service.run_saved(s, actor, key, _params(param))
    _show(result.columns, result.rows, truncated=result.truncated)


@app.command("history")
@handle_errors
def history(limit: int = typer.Option(20, min=1, max=200), as_user: str | None = AsOption) -> None:
    """Your last console queries."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = service.history(s, actor, limit=limit)
    _show(["ran at (UTC)", "ms", "rows", "query / error"],
          [[h.ran_at.strftime("%d.%m %H:%M"), h.milliseconds, h.rows, h.error or h.sql[:80]] for h in rows])
