"""The same migrations build the schema on SQLite and PostgreSQL, and the models match them."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from rapidresponse import db, migrate


def test_models_and_migrations_agree(engine: Engine) -> None:
    migrate.check()  # raises if a model change has no migration (alembic check)


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(db.Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_sqlite_runs_in_wal_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
