"""`rapidresponse requests …`: register, list, show, record outcomes, draft and submit the reply."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["requests", *args])


def test_requests_cli_end_to_end(fake_clock: Any, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    legal = make_user("legal", username="cli-legal").username
    result = run("add", "--country", "KZ", "--regulator", "mci", "--sender", "Ақпарат комитеті",
                 "--legal-basis", "Закон № 18-VIII ст. 9(4)(2)", "--language", "kk",
                 "--received", "2026-02-27T18:30:00+05:00", "--item", "https://example.org/v/1", "--item", "vid:2",
                 "--json", "--as", legal)
    assert result.exit_code == 0, result.output
    req = json.loads(result.output)
    assert req["clock"]["due_local"] == "2026-02-28T18:30:00+05:00" and req["clock"]["level"] == "breached"
    first, second = (i["id"] for i in req["items"])
    assert run("outcome", str(req["id"]), str(second), "no_action", "--as", legal).exit_code == 2
    done = run("outcome", req["ref"], str(first), "removed_globally", "--as", legal)  # the reference or the id
    assert done.exit_code == 0 and f"item {first} of {req['ref']}: removed_globally" in done.output
    assert run("outcome", str(req["id"]), str(second), "nonsense", "--as", legal).exit_code == 2
    listing = json.loads(run("list", "--json", "--as", legal).output)
    assert listing["total"] == 1 and listing["items"][0]["id"] == req["id"]
    table = run("list", "--as", legal).output
    assert "KZ" in table and "open" in table and req["ref"] in table
    result = run("reply", str(req["id"]), "--draft", "--as", legal)
    assert result.exit_code == 0 and "Бүкіл әлемде жойылды." in result.output
    body = tmp_path / "reply.txt"
    body.write_text("Құрметті әріптестер!\n", encoding="utf-8")
    result = run("reply", str(req["id"]), "--body", str(body), "--submit", "--as", legal)
    assert result.exit_code == 0 and "(submitted, approval " in result.output
    shown = json.loads(run("show", str(req["id"]), "--json", "--as", legal).output)
    assert shown["reply"]["status"] == "submitted" and shown["items"][0]["outcome"] == "removed_globally"
    assert req["ref"] in run("show", req["ref"].lower(), "--as", legal).output
    assert run("show", "999", "--as", legal).exit_code == 2
    assert run("show", "REQ-2026-0999", "--as", legal).exit_code == 2
    result = run("add", "--country", "KZ", "--regulator", "rkn", "--sender", "x", "--legal-basis", "x",
                 "--language", "kk", "--received", "2026-02-27T18:30:00+05:00", "--item", "u", "--as", legal)
    assert result.exit_code == 2 and "has no regulator 'rkn'" in result.output
    assert run("add", "--country", "KZ", "--regulator", "mci", "--sender", "x", "--legal-basis", "x",
               "--language", "kk", "--received", "yesterday", "--item", "u", "--as", legal).exit_code == 2
    register = json.loads(run("letters", "--json", "--as", legal).output)  # the fake clock's year: 2026
    assert [(r["number"], r["request"], r["country"], r["regulator"]) for r in register] == [
        ("TS-0001/2026", req["id"], "KZ", "mci")]
    assert "TS-0001/2026" in run("letters", "--year", "2026", "--as", legal).output
    assert "No outgoing numbers issued in 2025" in run("letters", "--year", "2025", "--as", legal).output
    assert run("letters", "--year", "12", "--as", legal).exit_code == 2
    viewer = make_user("viewer", username="cli-viewer").username
    assert run("letters", "--as", viewer).exit_code != 0  # only those who handle requests read the register
