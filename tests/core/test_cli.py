"""The CLI: real commands against the test database; bad input exits 2 with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_declare_list_show_update_note(engine: Engine, make_user: Callable[..., Actor]) -> None:
    make_user("commander", username="aigerim")
    code, out = run("incidents", "declare", "--as", "aigerim", "--title", "Собачий кайф: волна видео",
                    "--type", "dangerous_challenge", "--country", "kz", "--language", "kk",
                    "--reach", "3", "--velocity", "3", "--vulnerable")
    assert code == 0, out
    ref = out.split()[1]
    assert ref.startswith("INC-") and "SEV2" in out
    code, out = run("incidents", "list", "--as", "aigerim", "--json")
    assert code == 0 and "Собачий кайф" in out and '"KZ"' in out
    assert run("incidents", "update", ref, "--as", "aigerim", "--status", "active")[0] == 0
    code, out = run("incidents", "note", ref, "Жағдай бақылауда — ә ғ қ ң ө ұ ү һ і", "--as", "aigerim", "--pin")
    assert code == 0, out
    code, out = run("incidents", "show", ref, "--as", "aigerim", "--json")
    assert code == 0 and '"status": "active"' in out and "ә ғ қ ң ө ұ ү һ і" in out


def test_bad_input_exits_2_with_one_line_and_changes_nothing(engine: Engine,
                                                             make_user: Callable[..., Actor]) -> None:
    make_user("commander", username="aigerim")
    cases = [
        ("incidents", "declare", "--as", "aigerim", "--title", "x", "--type", "dangerous_challenge",
         "--country", "XX"),
        ("incidents", "declare", "--as", "aigerim", "--title", "x", "--type", "dangerous_challenge",
         "--reach", "9"),
        ("incidents", "show", "INC-2026-9999", "--as", "aigerim"),
        ("incidents", "list", "--as", "nobody"),
    ]
    for args in cases:
        code, out = run(*args)
        assert code == 2, (args, out)
        assert out.strip().startswith("error:") and len(out.strip().splitlines()) == 1, out
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM incidents")).scalar_one() == 0


def test_invalid_transition_from_cli_names_the_allowed_ones(engine: Engine,
                                                            make_user: Callable[..., Actor]) -> None:
    make_user("commander", username="aigerim")
    ref = run("incidents", "declare", "--as", "aigerim", "--title", "t", "--type", "other")[1].split()[1]
    code, out = run("incidents", "update", ref, "--as", "aigerim", "--status", "closed")
    assert code == 2 and "allowed: active, cancelled" in out


def test_users_and_tokens(engine: Engine, make_user: Callable[..., Actor]) -> None:
    make_user("admin", username="root-admin")
    code, out = run("users", "create", "dana", "--role", "legal", "--as", "root-admin", "--timezone", "Asia/Almaty")
    assert code == 0 and "one-time password" in out
    assert run("users", "create", "dana", "--role", "legal", "--as", "root-admin")[0] == 2
    assert run("users", "create", "eve", "--role", "wizard", "--as", "root-admin")[0] == 2
    code, out = run("users", "token", "dana", "--scope", "incidents:read")
    assert code == 0 and out.strip().startswith("rr_")
    assert run("users", "token", "dana", "--scope", "users:manage")[0] == 2  # beyond the role


def test_audit_verify_reports_tampering(engine: Engine, make_user: Callable[..., Actor]) -> None:
    make_user("commander", username="aigerim")
    run("incidents", "declare", "--as", "aigerim", "--title", "t", "--type", "other")
    code, out = run("audit", "verify")
    assert code == 0 and "chain intact" in out
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET title = 'x'"))  # state may change; the log may not
        conn.execute(text("UPDATE events SET actor = 'mallory' WHERE type = 'incident.declared'"))
    code, out = run("audit", "verify")
    assert code == 1 and "BROKEN" in out and "altered" in out


def test_a_database_without_tables_gets_one_line_that_says_to_migrate(tmp_path: Path) -> None:
    env = {**os.environ, "RAPIDRESPONSE_VAR_DIR": str(tmp_path), "RAPIDRESPONSE_LOG_LEVEL": "WARNING"}
    env.pop("RAPIDRESPONSE_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "rapidresponse", "incidents", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "run `rapidresponse db upgrade` first" in " ".join(done.stderr.split())


def test_positions_print_as_written_never_as_emoji(capsys) -> None:  # type: ignore[no-untyped-def]
    """Rich reads `:100:` as an emoji code; a file and line (`signals.csv:100: …`) must print literally."""
    from rapidresponse.console import console, fail

    console.print("signals.csv:100: bad date", highlight=False)
    fail("playbook.yaml:100: tasks[bold]: unknown field")
    out = capsys.readouterr()
    assert "signals.csv:100: bad date" in out.out and "💯" not in out.out + out.err
    assert "playbook.yaml:100: tasks[bold]: unknown field" in out.err
