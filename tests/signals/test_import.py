"""`rapidresponse signals import`: CSV, JSONL and Parquet, malformed files, rejects, idempotent re-runs."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from signalkit import signal_row
from sqlalchemy import func, select
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event
from rapidresponse.signals.models import Signal

runner = CliRunner()
FIELDS = ["external_id", "source", "occurred_at", "text", "harm", "country", "language", "metadata"]


def run(*args: str) -> Any:
    return runner.invoke(app, ["signals", *args, "--as", "importer"])


def _stored() -> list[str]:
    with unit_of_work(read_only=True) as s:
        return sorted(s.execute(select(Signal.external_id)).scalars())


def _batches() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(Event)
                             .where(Event.type == "signals.batch_ingested")).scalar_one())


def _csv_line(row: dict[str, Any]) -> bytes:
    values = [json.dumps(row[f], ensure_ascii=False) if f == "metadata" else str(row.get(f) or "") for f in FIELDS]
    out: list[str] = []
    w = csv.writer(_Into(out))
    w.writerow(values)
    return out[0].encode("utf-8")


class _Into:
    def __init__(self, out: list[str]) -> None:
        self.out = out

    def write(self, s: str) -> None:
        self.out.append(s)


def test_csv_keeps_every_good_row_and_lists_the_bad(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("analyst", username="importer")
    path, rejects = tmp_path / "reports.csv", tmp_path / "rejects.csv"
    body = [",".join(FIELDS).encode() + b"\r\n"]
    body += [_csv_line(signal_row(i, text=f"Қазақстан, «кайф» {i}")) for i in range(5)]
    body.insert(3, b"bad-utf8,user_report,2026-03-01T08:00:00Z,\xff\xfe broken,,KZ,ru,{}\r\n")
    body.insert(4, b"short,user_report\r\n")
    body.append(_csv_line(signal_row(9, source="gossip")))
    body.append(b"\r\n")  # blank lines are skipped, not rejected
    path.write_bytes(b"".join(body))
    result = run("import", str(path), "--rejects", str(rejects), "--batch", "2")
    assert result.exit_code == 0, result.output
    assert "read 8, inserted 5, duplicates 0, rejected 3" in result.output
    assert _stored() == ["r-0", "r-1", "r-2", "r-3", "r-4"]
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(Signal.text).where(Signal.external_id == "r-4")).scalar_one() == "Қазақстан, «кайф» 4"
    bad = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [r["row"] for r in bad] == ["4", "5", "9"]  # line numbers, the header is line 1
    assert "not UTF-8" in bad[0]["reason"] and "2 fields" in bad[1]["reason"] and "source" in bad[2]["reason"]
    assert bad[1]["raw"] == "short,user_report"
    assert _batches() == 3
    again = run("import", str(path))
    assert "inserted 0, duplicates 5, rejected 3" in again.output and _batches() == 3


def test_csv_with_wrong_columns_stores_nothing(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("analyst", username="importer")
    path = tmp_path / "wrong.csv"
    path.write_text("id,kind,when\n1,user_report,2026-03-01T08:00:00Z\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "wrong columns: unknown column(s) id, kind, when; missing column(s) external_id, occurred_at, source" in said
    assert _stored() == []
    assert run("import", str(tmp_path / "missing.csv")).exit_code == 2
    assert run("import", str(path), "--format", "xml").exit_code == 2


def test_jsonl_with_a_huge_line_and_garbage(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("responder", username="importer")
    path, rejects = tmp_path / "feed.jsonl", tmp_path / "rejects.csv"
    with path.open("wb") as fh:
        fh.write(json.dumps(signal_row(0), ensure_ascii=False).encode() + b"\n")
        fh.write(b'{"external_id": "huge", "text": "' + b"x" * 3_000_000 + b'"}\n')
        fh.write(json.dumps(signal_row(1)).encode() + b"\n")
        fh.write(b"[1, 2]\n{not json\n")
        fh.write(json.dumps(signal_row(2)).encode())  # no final newline
    result = run("import", str(path), "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert "read 6, inserted 3, duplicates 0, rejected 3" in result.output
    assert _stored() == ["r-0", "r-1", "r-2"]
    bad = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [r["row"] for r in bad] == ["2", "4", "5"]
    assert "over 1048576 bytes" in bad[0]["reason"] and "object" in bad[1]["reason"] and "JSON" in bad[2]["reason"]


def _table(start: int, n: int) -> pa.Table:
    rows = [signal_row(i) for i in range(start, start + n)]
    for r in rows:
        r["metadata"] = json.dumps(r["metadata"])
    return pa.Table.from_pylist([{k: r[k] for k in FIELDS if k != "metadata"} for r in rows])


def test_parquet_by_row_groups_and_truncated(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("admin", username="importer")
    path = tmp_path / "signals.parquet"
    pq.write_table(_table(0, 25), path, row_group_size=10)
    assert pq.ParquetFile(path).num_row_groups == 3
    result = run("import", str(path), "--batch", "8")
    assert result.exit_code == 0, result.output
    assert "read 25, inserted 25" in result.output and len(_stored()) == 25
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    cut = run("import", str(truncated))
    assert cut.exit_code == 2 and "not a readable Parquet file" in cut.output
    wrong = tmp_path / "wrong.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": 1}]), wrong)
    assert run("import", str(wrong)).exit_code == 2


def test_trends_command(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("admin", username="importer")
    path = tmp_path / "copies.jsonl"
    lines = [json.dumps(signal_row(i, text=f"смотри собачий кайф челлендж в школе №{i % 3} сегодня"))
             for i in range(12)]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert run("import", str(path)).exit_code == 0
    data = json.loads(run("trends", "--json").output)
    assert len(data) == 1 and data[0]["count"] == 12 and len(data[0]["samples"]) == 5
