"""Alembic, driven from code: the same migrations on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .db import get_engine

HERE = Path(__file__).parent


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False))
    return cfg


def upgrade(revision: str = "head") -> None:
    command.upgrade(alembic_config(), revision)


def check() -> None:
    """Fail if the models have changes no migration covers (alembic check)."""
    command.check(alembic_config())


def revision(message: str) -> None:
    command.revision(alembic_config(), message=message, autogenerate=True)
