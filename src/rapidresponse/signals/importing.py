"""File import: stream a file through the readers, ingest it batch by batch, write a rejects file.

Each batch is its own unit of work, so a file larger than memory loads with bounded memory and an
interrupted import is resumed by running it again: rows already stored count as duplicates. Stored rows
are accepted signals, pending for the pipeline stage; :func:`process_imported` runs the stage until
every signal stored so far is processed (what ``signals import`` does unless told not to wait).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..auth import SYSTEM, Actor, Perm
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import readers, service, stage
from .readers import Format, Item
from .schemas import MAX_BATCH

Progress = Callable[[int], None]


@dataclass
class Summary:
    read: int = 0
    inserted: int = 0
    duplicates: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)  # the first few, for the summary line


def _items(path: Path, fmt: Format, stack: ExitStack) -> tuple[Iterator[tuple[Item, int]], int]:
    if fmt == "parquet":
        items = readers.read_parquet(path)
        first = next(items, None)  # opens the file: an unreadable one fails here, before anything is stored
        total = readers.parquet_rows(path) if first else 0
        return (_chain(first, items), total)
    fh = stack.enter_context(path.open("rb"))
    reader = readers.read_csv(fh) if fmt == "csv" else readers.read_jsonl(fh)
    first = next(reader, None)  # reads the header: wrong columns fail before anything is stored
    return _chain(first, reader), path.stat().st_size


def _chain(first: tuple[Item, int] | None, rest: Iterator[tuple[Item, int]]) -> Iterator[tuple[Item, int]]:
    if first is not None:
        yield first
        yield from rest


def import_file(actor: Actor, path: Path, *, fmt: Format | None = None, batch: int = 5000,
                rejects: Path | None = None, progress: Progress | None = None,
                on_total: Callable[[int], None] | None = None) -> Summary:
    """Import ``path``; bad rows go to ``rejects`` (CSV: row, reason, raw) and never stop the import."""
    actor.require(Perm.SIGNALS_WRITE)
    if not 1 <= batch <= MAX_BATCH:
        raise ValidationFailed(f"--batch must be between 1 and {MAX_BATCH}")
    if not path.is_file():
        raise ValidationFailed(f"{path}: no such file")
    fmt = fmt or readers.detect_format(path)
    summary = Summary()
    with ExitStack() as stack:
        items, total = _items(path, fmt, stack)
        if on_total:
            on_total(total)
        writer = _rejects_writer(stack, rejects)
        pending: list[Item] = []
        for item, size in items:
            summary.read += 1
            if item.error:
                _reject(summary, writer, item.row, item.error, item.raw)
            else:
                pending.append(item)
            if len(pending) >= batch:
                _flush(actor, pending, summary, writer, fmt)
                pending = []
            if progress:
                progress(size)
        if pending:
            _flush(actor, pending, summary, writer, fmt)
    return summary


def _rejects_writer(stack: ExitStack, rejects: Path | None) -> Any:
    if rejects is None:
        return None
    fh: IO[str] = stack.enter_context(rejects.open("w", encoding="utf-8", newline=""))
    writer = csv.writer(fh)
    writer.writerow(["row", "reason", "raw"])
    return writer


def _reject(summary: Summary, writer: Any, row: int, reason: str, raw: str) -> None:
    summary.rejected += 1
    if len(summary.reasons) < 5:
        summary.reasons.append(f"row {row}: {reason}")
    if writer is not None:
        writer.writerow([row, reason, raw[:100_000]])


def _flush(actor: Actor, pending: list[Item], summary: Summary, writer: Any, fmt: str) -> None:
    rows = [item.data or {} for item in pending]
    with unit_of_work() as s:
        result = service.ingest(s, actor, rows, channel=f"file:{fmt}")
    summary.inserted += result.inserted
    summary.duplicates += result.duplicates
    for err in result.rejected:
        item = pending[err.row]
        _reject(summary, writer, item.row, err.reason, item.raw)


def process_imported(progress: Progress | None = None, on_total: Callable[[int], None] | None = None,
                     timeout: float = 3600.0) -> bool:
    """Run the pipeline stage here (beside any worker) until every signal stored so far is processed;
    False when some are still pending after ``timeout`` seconds (held by a worker that is stuck)."""
    with unit_of_work(read_only=True) as s:
        top = service.last_id(s, SYSTEM)
    if on_total:
        on_total(stage.pending_count(up_to_id=top))
    return stage.wait_processed(top, timeout=timeout, progress=progress)


__all__ = ["Summary", "import_file", "process_imported"]
