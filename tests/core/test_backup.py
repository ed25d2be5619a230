"""`rapidresponse backup` and `restore`: a round trip into a fresh empty database (SQLite, and
PostgreSQL when the tests have one), the audit chain and the counts checked; refusals."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rapidresponse import analytics, backup, events
from rapidresponse.auth import Actor
from rapidresponse.auth.models import User
from rapidresponse.cli import app
from rapidresponse.db import make_engine, unit_of_work
from rapidresponse.errors import Conflict

runner = CliRunner()


@contextmanager
def _fresh(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A new, empty database on the same backend as ``engine`` (no schema at all)."""
    if engine.dialect.name == "sqlite":
        fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            yield fresh
        finally:
            fresh.dispose()
        return
    base = engine.url
    name = f"rr_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = make_engine(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        yield fresh
    finally:
        fresh.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def filled(engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> Actor:
    """Users, incidents with their timelines, a sealed anchor and a warehouse."""
    admin = make_user("admin", email="admin@example.org")
    for _ in range(3):
        make_incident()
    with unit_of_work() as s:
        events.anchor(s)
    make_incident(title="После якоря")
    with unit_of_work() as s:
        analytics.sync_now(s, admin)
    return admin


def test_backup_then_restore_into_a_fresh_database(engine: Engine, filled: Actor, tmp_path: Path,
                                                   env: Callable[..., None]) -> None:
    manifest = backup.backup(tmp_path / "b")
    assert manifest["counts"]["users"] == 5 and manifest["counts"]["incidents"] == 4
    with Session(engine) as s:
        assert manifest["audit"]["last_hash"] == s.execute(
            select(events.Event.hash).order_by(events.Event.id.desc()).limit(1)).scalar_one()
        created = s.execute(select(User.created_at).where(User.username == filled.username)).scalar_one()
    assert manifest["warehouse"] == "warehouse.duckdb"
    assert manifest["secrets"][0]["setting"] == "RAPIDRESPONSE_SECRET_KEY"
    raw = (tmp_path / "b" / "manifest.json").read_text()
    from rapidresponse.config import get_settings

    assert get_settings().effective_secret_key not in raw  # its name and fingerprint, never its value

    env(analytics_path=str(tmp_path / "restored-warehouse.duckdb"))
    with _fresh(engine, tmp_path) as fresh:
        report = backup.restore(tmp_path / "b", engine=fresh)
        assert report.ok, report.problems
        assert report.audit.ok and report.audit.events_checked > 10
        assert report.counts == manifest["counts"]
        assert report.warehouse and (tmp_path / "restored-warehouse.duckdb").exists()
        with Session(fresh) as s:
            user = s.execute(select(User).where(User.username == filled.username)).scalar_one()
            assert (user.email, user.created_at) == ("admin@example.org", created)
            # the restored database goes on: new rows get new ids, the chain continues
            s.add(User(username="after-restore", role="viewer", password_hash="x", created_at=created))
            s.commit()
            assert s.execute(select(func.count()).select_from(User)).scalar_one() == 6


def test_restore_refuses_a_database_that_is_not_empty(engine: Engine, filled: Actor, tmp_path: Path) -> None:
    backup.backup(tmp_path / "b")
    make_incident_count = _count(engine)
    with pytest.raises(Conflict, match="not empty"):
        backup.restore(tmp_path / "b")
    assert _count(engine) == make_incident_count
    code, out = _cli("restore", str(tmp_path / "b"))
    assert code == 2 and "not empty" in out


def _count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def test_corrupt_or_incomplete_backups_are_refused(engine: Engine, filled: Actor, tmp_path: Path) -> None:
    manifest = backup.backup(tmp_path / "b")
    with _fresh(engine, tmp_path) as fresh:
        (tmp_path / "b" / "manifest.json").write_text("{not json", encoding="utf-8")
        with pytest.raises(backup.BackupInvalid, match="corrupt"):
            backup.restore(tmp_path / "b", engine=fresh)
        (tmp_path / "b" / "manifest.json").write_text(json.dumps({**manifest, "counts": None}), encoding="utf-8")
        with pytest.raises(backup.BackupInvalid, match="counts"):
            backup.restore(tmp_path / "b", engine=fresh)
        (tmp_path / "b" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        database = tmp_path / "b" / manifest["database"]
        victim = database if database.is_file() else next(database.glob("users.*"))
        victim.write_bytes(victim.read_bytes()[:-7] + b"garbage")
        with pytest.raises(backup.BackupInvalid, match="checksum"):
            backup.restore(tmp_path / "b", engine=fresh)
        victim.unlink()
        with pytest.raises(backup.BackupInvalid, match="missing"):
            backup.restore(tmp_path / "b", engine=fresh)
        with pytest.raises(backup.BackupInvalid, match="not a rapidresponse backup"):
            backup.restore(tmp_path, engine=fresh)
        assert not _has(fresh)  # nothing was created
    code, out = _cli("restore", str(tmp_path / "nowhere"))
    assert code == 2 and "not a folder" in out


def _has(engine: Engine) -> bool:
    from sqlalchemy import inspect

    with engine.connect() as conn:
        return inspect(conn).has_table("alembic_version")


def test_restore_finds_a_tampered_audit_chain(engine: Engine, filled: Actor, tmp_path: Path,
                                              env: Callable[..., None]) -> None:
    with unit_of_work() as s:  # altered before the backup: the copy is faithful, and the check says so
        ev = s.execute(select(events.Event).order_by(events.Event.id).limit(1)).scalar_one()
        ev.payload = {**ev.payload, "forged": True}
    backup.backup(tmp_path / "b")
    env(analytics_path=str(tmp_path / "w.duckdb"))
    with _fresh(engine, tmp_path) as fresh:
        report = backup.restore(tmp_path / "b", engine=fresh)
    assert not report.ok and any("audit chain broken" in p for p in report.problems)


def test_backup_refuses_a_folder_in_use(engine: Engine, filled: Actor, tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "keep.txt").write_text("mine")
    with pytest.raises(Conflict):
        backup.backup(tmp_path / "b")
    assert (tmp_path / "b" / "keep.txt").read_text() == "mine"


def test_cli_backup_shows_what_it_wrote(engine: Engine, filled: Actor, tmp_path: Path) -> None:
    code, out = _cli("backup", str(tmp_path / "b"))
    assert code == 0, out
    assert "backed up" in out and "RAPIDRESPONSE_SECRET_KEY" in out
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["revision"]


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_a_backup_moves_between_sqlite_and_postgresql(engine: Engine, filled: Actor, tmp_path: Path,
                                                      env: Callable[..., None]) -> None:
    """The SQLite file and the PostgreSQL table files load into the other backend alike."""
    pg_url = os.environ.get("RAPIDRESPONSE_TEST_DATABASE_URL")
    if not pg_url:
        pytest.skip("needs RAPIDRESPONSE_TEST_DATABASE_URL for the other backend")
    manifest = backup.backup(tmp_path / "b")
    other = make_engine(pg_url) if engine.dialect.name == "sqlite" else make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    env(analytics_path=str(tmp_path / "w.duckdb"))
    try:
        with _fresh(other, tmp_path) as fresh:
            report = backup.restore(tmp_path / "b", engine=fresh)
            assert report.ok, report.problems
            assert report.counts == manifest["counts"] and report.audit.ok
    finally:
        other.dispose()
