"""`rapidresponse detect …`: backtest detectors on labelled series and score them as NAB does."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..console import console, err_console, print_json
from .backtest import backtest
from .detectors import DEFAULT_DETECTOR, DETECTORS
from .scoring import score_backtest
from .series_io import SeriesFileError


def fail(message: str) -> typer.Exit:
    """One unwrapped line on stderr (file paths stay on one line), exit code 2."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


app = typer.Typer(help="Streaming spike detectors: backtest and score.", no_args_is_help=True)


@app.command("backtest")
def backtest_command(
    data_dir: Path = typer.Argument(..., help="Folder of <category>/<name>.csv files (timestamp,value)"),
    out: Path = typer.Option(..., "--out", help="Where to write <category>/<name>.csv with anomaly_score"),
    detector: str = typer.Option(DEFAULT_DETECTOR, help=f"One of: {', '.join(DETECTORS)}"),
) -> None:
    """Score every series with a detector, causally, row by row.

    A malformed file (missing column, bad number or timestamp, empty) is reported with its line and skipped;
    the other files are still scored, and the exit code is 2.
    """
    if detector not in DETECTORS:
        raise fail(f"unknown detector {detector!r} (choose from {', '.join(DETECTORS)})")
    if not data_dir.is_dir():
        raise fail(f"{data_dir}: not a directory")
    started = time.perf_counter()
    columns = (TextColumn("{task.description:10s}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = backtest(data_dir, out, detector, progress)
    elapsed = time.perf_counter() - started
    if not report.written and not report.errors:
        raise fail(f"{data_dir}: no <category>/<name>.csv files")
    console.print(f"{detector}: {len(report.written)} files, {report.rows} rows in {elapsed:.1f}s → {out}",
                  soft_wrap=True)
    for exc in report.errors:
        err_console.print(f"[red]error:[/red] {exc.detail}", highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(2)


@app.command("score")
def score_command(
    data_root: Path = typer.Argument(..., help="Benchmark root with labels/combined_windows.json and config/"),
    results_dir: Path = typer.Argument(..., help="Backtest output: <category>/<name>.csv or <detector>_<name>.csv"),
    detector_prefix: list[str] = typer.Option([], "--detector-prefix", help="Results file prefix; repeat"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables"),
    per_file: bool = typer.Option(False, "--per-file", help="Also show each file's raw score (standard)"),
) -> None:
    """NAB score of a backtest for every cost profile (threshold optimised over the corpus)."""
    for needed in (data_root / "labels" / "combined_windows.json", data_root / "config" / "profiles.json"):
        if not needed.is_file():
            raise fail(f"{needed}: not found")
    try:
        results = score_backtest(data_root, results_dir, detector_prefix)
    except SeriesFileError as exc:
        raise fail(exc.detail) from None
    if as_json:
        print_json([r.as_dict() if per_file else {**r.as_dict(), "per_file": None} for r in results])
        return
    table = Table("profile", "score", "threshold", "TP", "FP", "FN", "raw")
    for r in results:
        table.add_row(r.profile, f"{r.score:.2f}", f"{r.threshold:.6g}", str(r.tp), str(r.fp), str(r.fn),
                      f"{r.raw:.3f}")
    console.print(table)
    if per_file:
        files = Table("file", "raw score (standard)")
        for key, value in results[0].per_file.items():
            files.add_row(key, f"{value:.3f}")
        console.print(files)


from .triage_cli import register as _register_triage  # noqa: E402  (thresholds, tick, simulate)

_register_triage(app)
