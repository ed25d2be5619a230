"""The privacy commands: the policy, a pass on demand, holds, and a person's data as JSON; bad input
is one line and exit code 2, and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from rapidresponse import clock
from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work

runner = CliRunner()


def test_holds_retention_and_a_reporters_export_from_the_command_line(
        make_user: Callable[..., Actor], make_incident: Callable[..., str], make_signals: Callable[..., Any],
        tmp_path: Path) -> None:
    legal, responder = make_user("legal"), make_user("responder")
    ref = make_incident()
    make_signals([{"source": "user_report", "external_id": "cli-1", "occurred_at": clock.now().isoformat(),
                   "text": "Қазақша мәтін: ұл баланың видеосы", "metadata": {"reporter": "kz-reporter-9"}}])

    policy = runner.invoke(app, ["privacy", "retention", "--json", "--as", legal.username])
    assert policy.exit_code == 0, policy.output
    assert {r["data_class"] for r in json.loads(policy.output)} >= {"signals", "exposure", "audit_events"}
    assert runner.invoke(app, ["privacy", "retention", "--as", responder.username]).exit_code == 2

    held = runner.invoke(app, ["privacy", "hold", ref, "--reason", "Запрос прокуратуры", "--as", legal.username])
    assert held.exit_code == 0 and f"{ref} is under legal hold" in held.output
    again = runner.invoke(app, ["privacy", "hold", ref, "--reason", "twice", "--as", legal.username])
    assert again.exit_code == 2 and "already under legal hold" in again.output
    listed = runner.invoke(app, ["privacy", "holds", "--json", "--as", legal.username])
    assert [h["incident"] for h in json.loads(listed.output)] == [ref]
    run = runner.invoke(app, ["privacy", "retention", "--run", "--json", "--as", legal.username])
    assert run.exit_code == 0 and json.loads(run.output)["held_incidents"] == 1

    out = tmp_path / "reporter.json"
    exported = runner.invoke(app, ["privacy", "export", "reporter", "kz-reporter-9", "-o", str(out),
                                   "--as", legal.username])
    assert exported.exit_code == 0, exported.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["counts"] == {"signals": 1} and data["data"]["signals"][0]["text"].startswith("Қазақша мәтін")
    assert runner.invoke(app, ["privacy", "export", "reporter", "kz-reporter-9", "-o", str(out),
                               "--as", legal.username]).exit_code == 2  # never overwrites

    unconfirmed = runner.invoke(app, ["privacy", "erase", "reporter", "kz-reporter-9", "--as", legal.username])
    assert unconfirmed.exit_code == 2 and "--yes" in unconfirmed.output
    bad = runner.invoke(app, ["privacy", "erase", "robot", "x", "--yes", "--as", legal.username])
    assert bad.exit_code == 2
    with unit_of_work(read_only=True) as s:
        assert s.execute(text("SELECT text FROM signals")).scalar_one().startswith("Қазақша")
    erased = runner.invoke(app, ["privacy", "erase", "reporter", "kz-reporter-9", "--yes", "--as", legal.username])
    assert erased.exit_code == 0 and "signals: 1" in erased.output
    with unit_of_work(read_only=True) as s:
        assert s.execute(text("SELECT text FROM signals")).scalar_one() == ""
    released = runner.invoke(app, ["privacy", "release", ref, "--as", legal.username])
    assert released.exit_code == 0 and "released" in released.output
