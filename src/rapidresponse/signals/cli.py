"""`rapidresponse signals …`: import files, consume a stream, list trends."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..cli_common import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import importing, trends
from .readers import Format

app = typer.Typer(help="Signals: import files, consume a stream, trends.", no_args_is_help=True)


@app.command("import")
@handle_errors
def import_command(
    file: Path = typer.Argument(..., help="CSV (with a header), JSONL or Parquet file of signals"),
    fmt: str | None = typer.Option(None, "--format", help="csv|jsonl|parquet (default: from the extension)"),
    rejects: Path | None = typer.Option(None, "--rejects", help="Write rejected rows here (CSV: row, reason, raw)"),
    batch: int = typer.Option(5000, "--batch", help="Signals per transaction (1-10000)"),
    as_user: str | None = AsOption,
) -> None:
    """Import a file of signals, streaming; bad rows are rejected (with a reason), never fatal."""
    if fmt is not None and fmt not in ("csv", "jsonl", "parquet"):
        raise ValidationFailed(f"--format must be csv, jsonl or parquet, not {fmt!r}")
    actor = actor_for(as_user)
    columns = (TextColumn("importing {task.fields[name]}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("import", total=None, name=file.name)
        summary = importing.import_file(
            actor, file, fmt=cast(Format | None, fmt), batch=batch, rejects=rejects,
            progress=lambda n: progress.advance(task, n),
            on_total=lambda total: progress.update(task, total=total))
    console.print(f"read {summary.read}, inserted [green]{summary.inserted}[/green], duplicates "
                  f"{summary.duplicates}, rejected [{'red' if summary.rejected else 'green'}]{summary.rejected}"
                  f"[/]", highlight=False)
    for reason in summary.reasons:
        console.print(f"  {reason}", highlight=False, markup=False)
    if summary.rejected and rejects:
        console.print(f"rejected rows written to {rejects}", highlight=False)


@app.command("trends")
@handle_errors
def trends_command(
    min_count: int = typer.Option(2, help="Only trends with at least this many signals"),
    harm: str | None = typer.Option(None, help="Harm category slug"),
    limit: int = typer.Option(20, help="How many"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    as_user: str | None = AsOption,
) -> None:
    """Near-duplicate clusters of reports, most recently active first, with hourly growth."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        found = trends.list_trends(s, actor, min_count=min_count, harm=harm, limit=limit)
    if as_json:
        print_json([t.model_dump() for t in found])
        return
    table = Table("id", "count", "last hour", "growth", "harm", "last seen", "label")
    for t in found:
        growth = "new" if t.growth is None and t.last_hour else ("–" if t.growth is None else f"×{t.growth:g}")
        table.add_row(str(t.id), str(t.count), str(t.last_hour), growth, t.harm or "",
                      t.last_seen.strftime("%Y-%m-%d %H:%M"), t.label[:60])
    console.print(table)
