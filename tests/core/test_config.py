from __future__ import annotations

import stat
from pathlib import Path

from rapidresponse.config import Settings


def test_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    first = settings.effective_secret_key
    assert len(first) >= 48
    assert Settings(var_dir=tmp_path / "var").effective_secret_key == first
    mode = stat.S_IMODE((tmp_path / "var" / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_embedded_default_is_sqlite_in_var(tmp_path: Path) -> None:
    url = Settings(var_dir=tmp_path / "v").effective_database_url
    assert url.startswith("sqlite:///") and url.endswith("/v/rapidresponse.db")


def test_environment_selects_postgresql(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RAPIDRESPONSE_DATABASE_URL", "postgresql+psycopg://u@db/rr")
    assert Settings().effective_database_url == "postgresql+psycopg://u@db/rr"


def test_links_follow_the_address_serve_listens_on_unless_the_base_url_is_set(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rapidresponse import server
    from rapidresponse.config import get_settings

    monkeypatch.setenv("RAPIDRESPONSE_BASE_URL", "")  # unset (and restored after the test)
    try:
        assert server.follow_address("127.0.0.1", 8100) == "http://127.0.0.1:8100"
        assert get_settings().base_url == "http://127.0.0.1:8100"
        monkeypatch.setenv("RAPIDRESPONSE_BASE_URL", "")
        assert server.follow_address("0.0.0.0", 9000) == "http://127.0.0.1:9000"
        monkeypatch.setenv("RAPIDRESPONSE_BASE_URL", "https://rr.example.org")
        get_settings.cache_clear()
        assert server.follow_address("127.0.0.1", 8100) == "https://rr.example.org"
        assert server.listening_url("::", 8100) == "http://[::1]:8100"
    finally:
        get_settings.cache_clear()
