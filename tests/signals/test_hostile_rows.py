"""A hostile row (NUL characters, nesting a thousand levels deep, oversized metadata) is rejected on
its own, with a reason, wherever signals enter: the API batch, file import and the stream consumer;
the valid rows around it are stored."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from signalkit import signal_row
from sqlalchemy import select
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.signals import service
from rapidresponse.signals.consumer import ConsumeStats, store
from rapidresponse.signals.models import Signal
from rapidresponse.signals.streams import Delivery

runner = CliRunner()
DEEP = '{"a":' * 1000 + "1" + "}" * 1000


def _stored() -> list[str]:
    with unit_of_work(read_only=True) as s:
        return sorted(s.execute(select(Signal.external_id)).scalars())


def _import(path: Path, rejects: Path) -> Any:
    return runner.invoke(app, ["signals", "import", str(path), "--rejects", str(rejects), "--as", "importer"])


def _rejected(rejects: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(rejects.open(encoding="utf-8")))


def test_batch_rejects_nul_text_row_by_row(make_user: Callable[..., Actor]) -> None:
    rows = [signal_row(0), signal_row(1, text="before\x00after"), signal_row(2, metadata={"k": "v\x00"}),
            signal_row(3, external_id="r-\x00"), signal_row(4)]
    with unit_of_work() as s:
        got = service.ingest(s, make_user("analyst"), rows)
    assert got.inserted == 2 and [e.row for e in got.rejected] == [1, 2, 3]
    assert all("NUL" in e.reason for e in got.rejected)
    assert _stored() == ["r-0", "r-4"]


def test_csv_import_with_a_nul_row_keeps_the_others(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("analyst", username="importer")
    path, rejects = tmp_path / "reports.csv", tmp_path / "rejects.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "source", "occurred_at", "text"])
        for i in range(3):
            row = signal_row(i, text="zero\x00byte" if i == 1 else "fine")
            w.writerow([row["external_id"], row["source"], row["occurred_at"], row["text"]])
    result = _import(path, rejects)
    assert result.exit_code == 0, result.output
    assert "inserted 2, duplicates 0, rejected 1" in result.output
    assert _stored() == ["r-0", "r-2"]
    bad = _rejected(rejects)
    assert [r["row"] for r in bad] == ["3"] and "NUL" in bad[0]["reason"]


def test_jsonl_import_rejects_deep_nesting_and_nul(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("analyst", username="importer")
    path, rejects = tmp_path / "reports.jsonl", tmp_path / "rejects.csv"
    deep_metadata = json.dumps(signal_row(3))[:-1] + ', "metadata": ' + '{"a":' * 40 + "1" + "}" * 41
    lines = [json.dumps(signal_row(0)), DEEP, json.dumps(signal_row(2, text="a\x00b")),
             deep_metadata,
             json.dumps(signal_row(4, metadata={"blob": "x" * 70_000})), json.dumps(signal_row(5))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _import(path, rejects)
    assert result.exit_code == 0, result.output
    assert "read 6, inserted 2, duplicates 0, rejected 4" in result.output
    assert _stored() == ["r-0", "r-5"]
    reasons = {r["row"]: r["reason"] for r in _rejected(rejects)}
    assert "nested more than 16 levels" in reasons["2"] and "NUL" in reasons["3"]
    assert "nested more than 16 levels" in reasons["4"] and "at most 65536" in reasons["5"]


def test_csv_metadata_nested_too_deep_is_a_reject(make_user: Callable[..., Actor], tmp_path: Path) -> None:
    make_user("analyst", username="importer")
    path, rejects = tmp_path / "reports.csv", tmp_path / "rejects.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "source", "occurred_at", "metadata"])
        for i, meta in enumerate(["{}", DEEP, '{"ok": [1, 2]}']):
            row = signal_row(i)
            w.writerow([row["external_id"], row["source"], row["occurred_at"], meta])
    result = _import(path, rejects)
    assert result.exit_code == 0, result.output
    assert _stored() == ["r-0", "r-2"]
    assert "metadata: JSON nested more than 16 levels" in _rejected(rejects)[0]["reason"]


def test_stream_messages_with_nul_or_deep_nesting_are_rejected_alone(make_user: Callable[..., Actor]) -> None:
    messages = [json.dumps(signal_row(0)).encode(), DEEP.encode(),
                json.dumps(signal_row(2, text="a\x00b")).encode(), json.dumps(signal_row(3)).encode()]
    stats = ConsumeStats()
    store(make_user("analyst"), [Delivery(m, i) for i, m in enumerate(messages)], stats, "stream:test")
    assert (stats.received, stats.inserted, stats.rejected) == (4, 2, 2)
    assert _stored() == ["r-0", "r-3"]
