"""Settings from ``RAPIDRESPONSE_*`` environment variables, with working embedded defaults."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPIDRESPONSE_", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Where the embedded database and secrets live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in var_dir when unset.")
    secret_key: str | None = Field(default=None, description="Signs sessions; generated on first run.")
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    embedded_worker: bool = True
    worker_interval_seconds: float = 5.0
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    max_signal_batch_bytes: int = 32 * 1_048_576  # POST /api/v1/signals:batch takes up to 10,000 signals
    max_hash_upload_bytes: int = 100 * 1_048_576  # hash-list CSV imports and images to check
    session_hours: int = 12
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900
    default_locale: str = "en"
    default_timezone: str = "Europe/Moscow"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'rapidresponse.db').resolve()}"

    @property
    def effective_secret_key(self) -> str:
        """The configured secret, or one generated on first run and kept in ``var_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
