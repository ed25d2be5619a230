"""`rapidresponse decisions …` (statements of reasons from the decision log) and the statement-file
commands `rapidresponse policy validate-sor` and `rapidresponse policy export-sor` (``sor_app``,
which the command line puts in the ``policy`` group)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape

from ..console import AsOption, actor_for, console, err_console, fail, handle_errors
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import sor_export, statements

app = typer.Typer(help="The content decision log and DSA statements of reasons.", no_args_is_help=True)
sor_app = typer.Typer(help="DSA statements of reasons in files.", no_args_is_help=True)


def _when(value: str, option: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not an ISO 8601 time (e.g. 2026-11-27T18:30:00+05:00)") from None


@app.command("export-sor")
@handle_errors
def export_sor(out: Path = typer.Option(..., "--out", help="Output directory"),
               fmt: str = typer.Option("json", "--format", help="json (API batches of ≤100) or csv"),
               since: str | None = typer.Option(None, help="Only decisions from this time (ISO 8601)"),
               until: str | None = typer.Option(None, help="Only decisions before this time (ISO 8601)"),
               as_user: str | None = AsOption) -> None:
    """Statements of reasons for recorded decisions affecting EU users; invalid ones are reported with the
    field and rule they break, and not exported (exit code 2)."""
    if fmt not in ("json", "csv"):
        raise fail(f"--format: {fmt!r} is not json or csv")
    actor = actor_for(as_user)
    start = _when(since, "--since") if since else None
    end = _when(until, "--until") if until else None
    with unit_of_work(read_only=True) as s:
        result = statements.build_sor(s, actor, since=start, until=end)
    files = result.write(out, fmt=fmt)
    for line in result.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(line)}", highlight=False)
    for line in result.error_lines():
        err_console.print(f"[red]error:[/red] {escape(line)}", highlight=False)
    for f in files:
        console.print(f"wrote {f}", highlight=False)
    console.print(f"exported {len(result.valid)} statements, rejected {len(result.rejected)}")
    if result.rejected:
        raise typer.Exit(2)


def _report(path: Path, checked: sor_export.Checked) -> None:
    for index, issue in checked.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(f'{path}: statement {index}: {issue}')}",
                          highlight=False)
    for rej in checked.rejected:
        for line in rej.lines(str(path)):
            err_console.print(f"[red]error:[/red] {escape(line)}", highlight=False)


@sor_app.command("validate-sor")
@handle_errors
def validate_sor(file: Path = typer.Argument(..., help="JSON statement(s): one, a list, or a bulk body")) -> None:
    """Check statements of reasons against the DSA Transparency Database rules."""
    checked = sor_export.check_all(sor_export.read_statements(file))
    _report(file, checked)
    total = len(checked.valid) + len(checked.rejected)
    if checked.rejected:
        err_console.print(f"{len(checked.rejected)} of {total} statements invalid", highlight=False)
        raise typer.Exit(2)
    console.print(f"[green]ok[/green]: {total} statements valid ({len(checked.warnings)} warnings)")


@sor_app.command("export-sor")
@handle_errors
def export_sor_file(file: Path = typer.Argument(..., help="JSON statements"),
                    out: Path = typer.Option(..., "--out", help="Output directory"),
                    fmt: str = typer.Option("json", "--format", help="json (API batches of ≤100) or csv")) -> None:
    """Export valid statements as API batches or CSV; invalid ones are reported, not exported."""
    if fmt not in ("json", "csv"):
        raise ValidationFailed(f"--format: {fmt!r} is not json or csv")
    result = sor_export.export(sor_export.read_statements(file), out, fmt=fmt, stem=file.stem)
    _report(file, result.checked)
    for f in result.files:
        console.print(f"wrote {f}", highlight=False)
    console.print(f"exported {result.exported} statements, rejected {len(result.checked.rejected)}")
    if result.checked.rejected:
        raise typer.Exit(2)
