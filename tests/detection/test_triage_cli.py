"""`rapidresponse alerts|cases|detect thresholds|tick|simulate` against the real database."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from alertkit import SPIKE_KEY, Store
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app as cli_app
from rapidresponse.signals import SignalIn

runner = CliRunner()


def cli(*args: str) -> Any:
    return runner.invoke(cli_app, list(args))


def test_alerts_and_cases_from_the_command_line(admin: Actor, make_user: Any, fake_clock: Any, background: Store,
                                                spike: Store) -> None:
    person = make_user("responder")
    end = background(4)
    after = spike(end - timedelta(hours=1))
    fake_clock.now = after + timedelta(minutes=6)
    ticked = cli("detect", "tick")
    assert ticked.exit_code == 0 and "alert(s) raised" in ticked.output
    listed = json.loads(cli("alerts", "list", "--json", "--as", admin.username).output)
    alert = next(a for a in listed if a["series"] == "/".join(SPIKE_KEY))
    assert cli("alerts", "ack", str(alert["id"]), "--as", admin.username).exit_code == 0
    again = cli("alerts", "ack", str(alert["id"]), "--as", admin.username)
    assert again.exit_code == 2 and "acknowledged" in again.output
    assert cli("alerts", "snooze", str(alert["id"]), "--hours", "2", "--reason", "ждём KZ",
               "--as", admin.username).exit_code == 0
    opened = cli("cases", "open", "--alert", str(alert["id"]), "--as", admin.username)
    assert opened.exit_code == 0, opened.output
    case_id = opened.output.split("#")[1].split()[0]
    assert cli("cases", "assign", case_id, person.username, "--as", admin.username).exit_code == 0
    assert cli("cases", "assign", case_id, "nobody", "--as", admin.username).exit_code == 2
    assert cli("cases", "note", case_id, "Видео из Шымкента", "--as", admin.username).exit_code == 0
    escalated = cli("cases", "escalate", case_id, "--as", admin.username)
    assert escalated.exit_code == 0 and "INC-" in escalated.output
    cases = json.loads(cli("cases", "list", "--json", "--as", admin.username).output)
    assert cases[0]["status"] == "escalated" and cases[0]["incident"] in escalated.output
    manual = cli("cases", "open", "--source", "regulator", "--title", "", "--as", admin.username)
    assert manual.exit_code == 2


def test_thresholds_and_backtest_from_the_command_line(admin: Actor, fake_clock: Any, background: Store) -> None:
    end = background(3)
    fake_clock.now = end
    assert cli("detect", "thresholds", "--set", "phishing=0.8", "--as", admin.username).exit_code == 0
    shown = json.loads(cli("detect", "thresholds", "--json", "--as", admin.username).output)
    assert {"family": "phishing", "threshold": 0.8, "updated_by": admin.username} in shown
    bt = cli("detect", "thresholds", "--backtest", "phishing=0.5", "--json", "--as", admin.username)
    assert bt.exit_code == 0 and json.loads(bt.output)["series"] == 1
    assert cli("detect", "thresholds", "--set", "phishing=abc", "--as", admin.username).exit_code == 2
    assert cli("detect", "thresholds", "--set", "phishing=1.5", "--as", admin.username).exit_code == 2


def test_simulate_writes_importable_reports_with_an_outbreak(tmp_path: Path, fake_clock: Any) -> None:
    out = tmp_path / "reports.jsonl"
    done = cli("detect", "simulate", "--days", "1", "--out", str(out), "--outbreak-hours-ago", "2")
    assert done.exit_code == 0, done.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 1000
    for row in rows[:50]:
        SignalIn.model_validate(row)
    assert {r["country"] for r in rows} >= {"RU", "KZ", "UZ", "UA", "BY"}
    challenge = [r for r in rows if r["harm"] == "dangerous_challenge" and r["country"] == "KZ"
                 and r["language"] == "kk"]
    late = [r for r in challenge if r["occurred_at"] >= (fake_clock.now - timedelta(hours=1)).isoformat()]
    assert len(late) > len(challenge) / 2  # the outbreak dominates its last hour
