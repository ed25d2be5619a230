"""Streaming readers for signal files (CSV, JSONL, Parquet).

Each reader yields :class:`Item` s one at a time, so a file larger than memory streams through. A
line that is too long, not UTF-8 or not parseable becomes an item with an ``error`` (a reject), never
an exception; only a file that cannot be read at all (wrong columns, not Parquet) raises
:class:`FileUnreadable` before any row is read.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from ..errors import ValidationFailed
from ..extras import need
from ..schemas import bounded_json
from .schemas import SignalIn

Format = Literal["csv", "jsonl", "parquet"]
MAX_LINE_BYTES = 1_048_576  # a longer line is a reject, read past in chunks, never held in memory
COLUMNS = set(SignalIn.model_fields)
REQUIRED = {"external_id", "source", "occurred_at"}


class FileUnreadable(ValidationFailed):
    """The file as a whole cannot be read (wrong format, wrong columns)."""


@dataclass
class Item:
    row: int  # line number (CSV, JSONL) or 1-based row number (Parquet)
    data: dict[str, Any] | None
    raw: str
    error: str | None = None


def detect_format(path: Path) -> Format:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "parquet"):
        return suffix  # type: ignore[return-value]
    if suffix in ("jsonl", "ndjson", "json"):
        return "jsonl"
    raise FileUnreadable(f"{path.name}: cannot tell the format from the extension; pass --format csv|jsonl|parquet")


def _lines(fh: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line bytes or None when over ``limit``, bytes consumed) for each physical line."""
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            consumed = len(line)
            while line and not line.endswith(b"\n"):
                line = fh.readline(1 << 20)
                consumed += len(line)
            yield number, None, consumed
            continue
        yield number, line, len(line)


def read_jsonl(fh: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[Item, int]]:
    for number, line, size in _lines(fh, limit):
        if line is None:
            yield Item(number, None, f"<{size} bytes>", f"line is over {limit} bytes"), size
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Item(number, None, line[:2000].decode("utf-8", "replace"), f"not UTF-8 ({exc.reason} at byte "
                       f"{exc.start})"), size
            continue
        if not text.strip():
            continue
        try:
            data = bounded_json(text)
        except json.JSONDecodeError as exc:
            yield Item(number, None, text.rstrip("\r\n"), f"not JSON: {exc.msg} at column {exc.colno}"), size
            continue
        except ValueError as exc:
            yield Item(number, None, text.rstrip("\r\n"), str(exc)), size
            continue
        if not isinstance(data, dict):
            yield Item(number, None, text.rstrip("\r\n"), "a line must hold one JSON object"), size
            continue
        yield Item(number, data, text.rstrip("\r\n")), size


def _csv_row(header: list[str], values: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in zip(header, values, strict=True):
        if key == "metadata":
            data[key] = bounded_json(value) if value.strip() else {}
        elif value != "" or key == "text":
            data[key] = value
    return data


def read_csv(fh: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[Item, int]]:
    lines = _lines(fh, limit)
    header: list[str] | None = None
    for number, line, size in lines:
        if line is None:
            if header is None:
                raise FileUnreadable(f"the header line is over {limit} bytes")
            yield Item(number, None, f"<{size} bytes>", f"line is over {limit} bytes"), size
            continue
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            if header is None:
                raise FileUnreadable("the header line is not UTF-8") from None
            yield Item(number, None, line[:2000].decode("utf-8", "replace"),
                       f"not UTF-8 ({exc.reason} at byte {exc.start})"), size
            continue
        if not text.strip():
            continue
        values = next(csv.reader([text]))
        if header is None:
            header = _check_header(values)
            continue
        raw = text.rstrip("\r\n")
        if len(values) != len(header):
            yield Item(number, None, raw, f"{len(values)} fields where the header has {len(header)}"), size
            continue
        try:
            yield Item(number, _csv_row(header, values), raw), size
        except json.JSONDecodeError as exc:
            yield Item(number, None, raw, f"metadata: not JSON ({exc.msg})"), size
        except ValueError as exc:
            yield Item(number, None, raw, f"metadata: {exc}"), size
    if header is None:
        raise FileUnreadable("the file is empty: a CSV file starts with a header line")


def _check_header(values: list[str]) -> list[str]:
    header = [v.strip() for v in values]
    unknown = [c for c in header if c not in COLUMNS]
    missing = sorted(REQUIRED - set(header))
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        raise FileUnreadable(f"wrong columns: {'; '.join(parts)} (known: {', '.join(sorted(COLUMNS))})")
    return header


def parquet_rows(path: Path) -> int:
    """How many rows a Parquet file holds (from its footer)."""
    need("pyarrow", "parquet")
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def read_parquet(path: Path) -> Iterator[tuple[Item, int]]:
    """Row group by row group; a row group that cannot be decoded is one reject, the others still load."""
    need("pyarrow", "parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise FileUnreadable(f"{path.name} is not a readable Parquet file ({exc})") from None
    _check_header([c for c in pf.schema_arrow.names])
    row = 0
    for group in range(pf.num_row_groups):
        expected = pf.metadata.row_group(group).num_rows
        try:
            records = pf.read_row_group(group).to_pylist()
        except (pa.ArrowException, OSError) as exc:
            yield Item(row + 1, None, f"<row group {group}>",
                       f"row group {group} (rows {row + 1}–{row + expected}) cannot be read: {exc}"), expected
            row += expected
            continue
        for record in records:
            row += 1
            data = {k: v for k, v in record.items() if v is not None}
            yield Item(row, data, json.dumps(data, ensure_ascii=False, default=str)), 1
