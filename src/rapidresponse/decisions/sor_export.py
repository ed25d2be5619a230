"""Statement-of-reasons files: reading our input, writing API batches (JSON) and CSV.

Input is a JSON file holding one statement, a list of statements, or the bulk body
``{"statements": [...]}``. JSON exports are bulk bodies for ``POST /api/v1/statements`` with at
most 100 statements each; CSV has one column per API field, arrays and objects as JSON text.
Everything is UTF-8 with Cyrillic, Kazakh, Georgian and Armenian text written as is. A statement
with errors is reported (index, puid, one line per broken rule) and not exported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationFailed
from .sor import ARRAY_FIELDS, FIELDS, Issue, SorInvalid, StatementOfReasons, parse

BATCH_LIMIT = 100


@dataclass
class Rejected:
    index: int
    puid: str
    issues: list[Issue]

    def lines(self, source: str = "") -> list[str]:
        where = f"{source}: " if source else ""
        return [f"{where}statement {self.index} (puid {self.puid or '?'}): {i}" for i in self.issues
                if i.level == "error"]


@dataclass
class Checked:
    valid: list[tuple[int, StatementOfReasons]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[tuple[int, Issue]] = field(default_factory=list)


@dataclass
class ExportResult:
    files: list[Path]
    exported: int
    checked: Checked


def read_statements(path: Path) -> list[Any]:
    """The statements in a JSON input file (raises ``ValidationFailed`` naming the file)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ValidationFailed(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if isinstance(doc, dict) and "statements" in doc:
        doc = doc["statements"]
    if isinstance(doc, dict):
        return [doc]
    if not isinstance(doc, list):
        raise ValidationFailed(f"{path}: expected a statement, a list of statements or {{\"statements\": [...]}}")
    return doc


def check_all(statements: Iterable[Any]) -> Checked:
    out = Checked()
    for index, raw in enumerate(statements):
        puid = str(raw.get("puid", "")) if isinstance(raw, Mapping) else ""
        try:
            model, issues = parse(raw) if isinstance(raw, Mapping) else parse({"": raw})
        except SorInvalid as exc:
            out.rejected.append(Rejected(index, puid, exc.issues))
            continue
        out.valid.append((index, model))
        out.warnings.extend((index, i) for i in issues)
    return out


def batches(statements: list[StatementOfReasons], size: int = BATCH_LIMIT) -> list[dict[str, Any]]:
    if not 1 <= size <= BATCH_LIMIT:
        raise ValidationFailed(f"batch size must be 1..{BATCH_LIMIT} (the API's limit)")
    return [{"statements": [s.to_api() for s in statements[i:i + size]]} for i in range(0, len(statements), size)]


def write_json(statements: list[StatementOfReasons], out_dir: Path, *, stem: str = "sor",
               size: int = BATCH_LIMIT) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for n, body in enumerate(batches(statements, size), start=1):
        path = out_dir / f"{stem}-batch-{n:04d}.json"
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        files.append(path)
    return files


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_csv(statements: list[StatementOfReasons], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        _write_rows(csv.writer(fh), statements)
    return path


def csv_text(statements: list[StatementOfReasons]) -> str:
    """The CSV export as text (for a download)."""
    buf = io.StringIO()
    _write_rows(csv.writer(buf), statements)
    return buf.getvalue()


def _write_rows(writer: Any, statements: list[StatementOfReasons]) -> None:
    writer.writerow(FIELDS)
    for s in statements:
        row = s.to_api()
        writer.writerow([_cell(row.get(f)) for f in FIELDS])


def read_csv(path: Path) -> list[dict[str, Any]]:
    """Statements back from a CSV export (arrays and objects decoded, empty cells dropped)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            item: dict[str, Any] = {}
            for key, cell in row.items():
                if cell == "":
                    continue
                item[key] = json.loads(cell) if key in ARRAY_FIELDS or key == "content_id" else cell
            out.append(item)
    return out


def export(statements: list[Any], out_dir: Path, *, fmt: str = "json", stem: str = "sor") -> ExportResult:
    """Check every statement, export the valid ones; the result lists the rejected ones."""
    checked = check_all(statements)
    valid = [m for _, m in checked.valid]
    if fmt == "json":
        files = write_json(valid, out_dir, stem=stem) if valid else []
    elif fmt == "csv":
        files = [write_csv(valid, out_dir / f"{stem}.csv")] if valid else []
    else:
        raise ValidationFailed(f"unknown export format {fmt!r} (json or csv)")
    return ExportResult(files=files, exported=len(valid), checked=checked)
