"""Reading and writing hash-list CSV files as hash-sharing partners exchange them.

Liberal in what it reads: a header naming the hash column (``hash``, ``pdq``, ``signal_value``…) and
optionally label/harm, source/partner, added date and note, in any order and letter case; or no
header at all when the first cell is already a hash (columns then: hash, label, source, added, note).
Comma, semicolon, tab or pipe separated; UTF-8 with or without a BOM; CRLF or LF line ends. One
record per line (a quoted field may not span lines). Strict on the hash: 64 hex digits, 256 bits.

A bad row (a hash of the wrong length or with a non-hex digit, bad UTF-8, a NUL byte, an unreadable
date, an over-long line) is rejected with its line number and the reason, and never costs a good row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import ValidationFailed
from . import pdq

MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_LINE = 10_000
MAX_LABEL = 200
MAX_NOTE = 2000
COLUMNS = ("hash", "label", "source", "added", "note")
ALIASES = {
    "hash": ("hash", "pdq", "pdq_hash", "pdqhash", "hash_value", "signal_value", "value", "indicator"),
    "label": ("label", "labels", "harm", "category", "tag", "tags", "classification"),
    "source": ("source", "partner", "contributor", "origin", "submitter"),
    "added": ("added", "added_on", "added_at", "date", "created", "created_at", "timestamp", "first_seen"),
    "note": ("note", "notes", "comment", "comments", "description"),
}
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y/%m/%d")


@dataclass(frozen=True)
class CsvEntry:
    line: int
    hash: str
    label: str = ""
    source: str = ""
    added_on: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class CsvReject:
    line: int
    reason: str
    raw: str = ""


def parse_date(value: str) -> datetime | None:
    """ISO 8601 (date or date-time, naive means UTC), ``YYYY-MM-DD HH:MM[:SS]``, ``DD.MM.YYYY``, or Unix seconds
    (or milliseconds); empty is None; anything else is a ValueError."""
    text = value.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,13}", text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None or not 1990 <= parsed.year <= 2200:
        raise ValueError(f"cannot read the date {text[:40]!r} (use ISO 8601 like 2026-03-01 or Unix seconds)")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if raw.strip():
            yield number, raw


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _columns(cells: list[str]) -> dict[str, int] | None:
    """Column positions from a header row; None when the row is data (its first cell is a hash)."""
    if cells and pdq.is_pdq(cells[0]):
        return None
    names = [c.strip().strip('"').lower().replace(" ", "_").replace("-", "_") for c in cells]
    found: dict[str, int] = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names and names.index(alias) not in found.values():
                found[key] = names.index(alias)
                break
    if "hash" not in found:
        shown = ", ".join(repr(c[:40]) for c in cells[:8])
        raise ValidationFailed(f"line 1: no hash column in the header ({shown}); name it hash (or pdq, "
                               "signal_value), or start the file with a row whose first cell is a hash")
    return found


def _split(text: str, delimiter: str) -> list[str]:
    return next(csv.reader([text], delimiter=delimiter), [])


def read(data: bytes) -> tuple[list[CsvEntry], list[CsvReject]]:
    """Entries and rejected rows of a CSV file given as bytes (at most ``MAX_CSV_BYTES``)."""
    if len(data) > MAX_CSV_BYTES:
        raise ValidationFailed(f"the file is {len(data)} bytes; at most {MAX_CSV_BYTES} (split it)")
    rows = _lines(data)
    first = next(rows, None)
    if first is None:
        raise ValidationFailed("the file is empty: no header and no hashes")
    try:
        header = first[1].decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed("line 1: the header is not valid UTF-8") from None
    delimiter = _delimiter(header)
    columns = _columns(_split(header, delimiter))
    entries: list[CsvEntry] = []
    rejects: list[CsvReject] = []
    todo: Iterable[tuple[int, bytes]] = rows
    if columns is None:
        columns = {name: i for i, name in enumerate(COLUMNS)}
        todo = [first, *rows]
    for number, raw in todo:
        entry = _row(number, raw, delimiter, columns, rejects)
        if entry is not None:
            entries.append(entry)
    return entries, rejects


def _row(number: int, raw: bytes, delimiter: str, columns: dict[str, int], rejects: list[CsvReject]
         ) -> CsvEntry | None:
    shown = raw[:200].decode("utf-8", "replace").replace("\x00", "\\0")

    def reject(reason: str) -> None:
        rejects.append(CsvReject(line=number, reason=reason, raw=shown))

    if len(raw) > MAX_LINE:
        reject(f"the line is {len(raw)} bytes long; at most {MAX_LINE}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        reject(f"not valid UTF-8 (byte {exc.start + 1})")
        return None
    if "\x00" in text:
        reject("contains a NUL byte")
        return None
    try:
        cells = _split(text, delimiter)
    except csv.Error as exc:
        reject(f"not a CSV row: {exc}")
        return None

    def cell(name: str) -> str:
        i = columns.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    if not cell("hash"):
        reject("no hash in this row")
        return None
    try:
        value = pdq.parse_hash(cell("hash"))
        added = parse_date(cell("added"))
    except ValidationFailed as exc:
        reject(f"hash: {exc.detail}")
        return None
    except ValueError as exc:
        reject(f"added: {exc}")
        return None
    return CsvEntry(line=number, hash=value, label=cell("label")[:MAX_LABEL], source=cell("source")[:MAX_LABEL],
                    added_on=added, note=cell("note")[:MAX_NOTE])


def write(rows: Iterable[tuple[str, str, str, datetime | None, str]]) -> Iterator[str]:
    """CSV text (header then rows of hash, label, source, added, note), in chunks."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n, (value, label, source, added, note) in enumerate(rows, start=1):
        writer.writerow([value, label, source, added.isoformat() if added else "", note])
        if n % 1000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
