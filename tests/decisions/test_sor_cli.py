"""`rapidresponse policy validate-sor` and `export-sor`: statement-of-reasons files, checked and exported
(the decisions domain's commands in the policy group)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from rapidresponse.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["policy", *args])


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_validate_and_export_sor(tmp_path: Path, make_statement: Callable[..., dict[str, Any]]) -> None:
    good = _write(tmp_path, [make_statement(puid=f"rr-{i}") for i in range(3)])
    assert run("validate-sor", str(good)).exit_code == 0
    result = run("export-sor", str(good), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "out" / "decisions-batch-0001.json").read_text())["statements"]) == 3
    result = run("export-sor", str(good), "--out", str(tmp_path / "csv"), "--format", "csv")
    assert result.exit_code == 0 and (tmp_path / "csv" / "decisions.csv").exists()


def test_invalid_sor_exits_2_with_file_field_and_rule(tmp_path: Path,
                                                      make_statement: Callable[..., dict[str, Any]]) -> None:
    bad = _write(tmp_path, [make_statement(), make_statement(puid="rr-2", decision_visibility=[
        "DECISION_VISIBILITY_OTHER"])])
    result = run("validate-sor", str(bad))
    assert result.exit_code == 2
    assert (f"{bad}: statement 1 (puid rr-2): decision_visibility_other: is required when decision_visibility has "
            "DECISION_VISIBILITY_OTHER [required_if]") in " ".join(result.output.split())
    result = run("export-sor", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "exported 1 statements, rejected 1" in result.output


def test_unreadable_sor_input_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = run("validate-sor", str(broken))
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert run("validate-sor", str(tmp_path / "missing.json")).exit_code == 2
    assert run("export-sor", str(broken), "--out", str(tmp_path), "--format", "xml").exit_code == 2
