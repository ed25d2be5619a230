"""Reading and writing ``timestamp,value[,anomaly_score]`` CSV files, with errors that name the file and line."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]


class SeriesFileError(ValidationFailed):
    """A series file that cannot be read: names the file and, where it applies, the line."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}", path=str(path), line=line)
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Series:
    """One file: raw timestamp strings (written back unchanged), epoch seconds (UTC) and values (NaN = missing)."""

    path: Path
    raw_timestamps: list[str]
    raw_values: list[str]
    epoch: FloatArray
    values: FloatArray

    def __len__(self) -> int:
        return len(self.raw_timestamps)


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 (``2014-04-01 00:05:00``, optional fraction and offset); naive times are UTC."""
    ts = datetime.fromisoformat(text.strip())
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def read_series(path: Path, *, score_column: bool = False) -> tuple[Series, FloatArray | None]:
    """Read ``timestamp,value`` (and ``anomaly_score`` when ``score_column``).

    An empty ``value`` cell is a missing bucket (NaN); anything else that is not a finite number is an error.
    Rows are processed in file order. Repeated or slightly backwards timestamps are accepted (real exports
    have them around clock changes); detectors only use timestamps for the seasonal phase.
    """
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise SeriesFileError(path, f"cannot read file ({exc})") from None
    if not rows:
        raise SeriesFileError(path, "empty file (expected a header 'timestamp,value')", 1)
    header = [h.strip().lower() for h in rows[0]]
    needed = ["timestamp", "value"] + (["anomaly_score"] if score_column else [])
    missing = [h for h in needed if h not in header]
    if missing:
        raise SeriesFileError(path, f"missing column(s) {', '.join(missing)} in header {rows[0]!r}", 1)
    it, iv = header.index("timestamp"), header.index("value")
    isc = header.index("anomaly_score") if score_column else -1
    width = max(it, iv, isc) + 1
    raw_ts: list[str] = []
    raw_vals: list[str] = []
    epoch: list[float] = []
    values: list[float] = []
    scores: list[float] = []
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if len(row) < width:
            raise SeriesFileError(path, f"expected at least {width} columns, got {len(row)}", lineno)
        try:
            t = parse_timestamp(row[it]).timestamp()
        except ValueError:
            raise SeriesFileError(path, f"bad timestamp {row[it]!r}", lineno) from None
        values.append(_number(path, lineno, "value", row[iv], allow_empty=True))
        if score_column:
            scores.append(_number(path, lineno, "anomaly_score", row[isc], allow_empty=False))
        raw_ts.append(row[it])
        raw_vals.append(row[iv])
        epoch.append(t)
    if not raw_ts:
        raise SeriesFileError(path, "no data rows after the header", 2)
    series = Series(path, raw_ts, raw_vals, np.asarray(epoch), np.asarray(values))
    return series, (np.asarray(scores) if score_column else None)


def _number(path: Path, lineno: int, column: str, text: str, *, allow_empty: bool) -> float:
    if allow_empty and not text.strip():
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise SeriesFileError(path, f"bad number {text!r} in column {column}", lineno) from None
    if not math.isfinite(value):
        raise SeriesFileError(path, f"{column} must be a finite number, got {text!r}", lineno)
    return value


def write_scores(path: Path, series: Series, scores: FloatArray) -> None:
    """Write ``timestamp,value,anomaly_score``, one row per input row in input order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["timestamp", "value", "anomaly_score"])
        for ts, val, sc in zip(series.raw_timestamps, series.raw_values, scores.tolist(), strict=True):
            w.writerow([ts, val, f"{sc:.10g}"])
    tmp.replace(path)


def find_series_files(data_dir: Path) -> list[tuple[str, Path]]:
    """``(category/name.csv, path)`` for every ``DATA_DIR/<category>/<name>.csv``, sorted."""
    return sorted((f"{p.parent.name}/{p.name}", p) for p in data_dir.glob("*/*.csv") if p.is_file())
