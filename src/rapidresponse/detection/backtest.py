"""Backtest: run a detector over every ``DATA_DIR/<category>/<name>.csv`` and write the scores beside it.

All readable files are replayed through one detector bank (row i of every file in one vectorised step), so
a backtest of many files costs about as much as its longest file. A malformed file is reported (file and
line) and skipped; the others are still scored, and the command exits with code 2 at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .base import run_batch
from .detectors import bank_factory
from .series_io import Series, SeriesFileError, find_series_files, read_series, write_scores


@dataclass
class BacktestReport:
    written: list[Path] = field(default_factory=list)
    errors: list[SeriesFileError] = field(default_factory=list)
    rows: int = 0


Progress = Callable[[str, int, int], None]


def backtest(data_dir: Path, out_dir: Path, detector: str, progress: Progress | None = None) -> BacktestReport:
    factory = bank_factory(detector)
    report = BacktestReport()
    files = find_series_files(data_dir)
    loaded: list[tuple[str, Series]] = []
    for k, (key, path) in enumerate(files):
        try:
            loaded.append((key, read_series(path)[0]))
        except SeriesFileError as exc:
            report.errors.append(exc)
        if progress:
            progress("reading", k + 1, len(files))
    scores = run_batch(factory, [(s.epoch, s.values) for _, s in loaded],
                       (lambda done, total: progress("detecting", done, total)) if progress else None)
    for k, ((key, series), sc) in enumerate(zip(loaded, scores, strict=True)):
        target = out_dir / key
        write_scores(target, series, sc)
        report.written.append(target)
        report.rows += len(series)
        if progress:
            progress("writing", k + 1, len(loaded))
    return report
