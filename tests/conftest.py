"""Shared fixtures: a real database per backend (SQLite always, PostgreSQL when
RAPIDRESPONSE_TEST_DATABASE_URL is set), emptied before each test, and user factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from protocol_servers import TOKEN, BotApiServer, TwilioServer
from rapidresponse import clock, db, domains, migrate
from rapidresponse.config import get_settings
from rapidresponse.notify import delivery
from rapidresponse.notify.channels import Channel, EmailChannel, WebhookChannel
from receivers import HttpReceiver, SmtpServer

domains.load()  # every domain's event types, subscribers and jobs, as in the server
pytest_plugins = ["factories.auth", "factories.incidents", "factories.policy", "factories.approvals",
                  "factories.notify", "factories.requests", "factories.decisions", "factories.oncall",
                  "factories.playbooks", "factories.language", "factories.hashes", "factories.signals",
                  "factories.detection", "factories.reviews", "factories.risk", "factories.translation"]
PG_URL = os.environ.get("RAPIDRESPONSE_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(autouse=True)
def _settings_reread() -> Iterator[None]:
    """Settings are read once per process; a test that changed the environment leaves none cached."""
    yield
    get_settings.cache_clear()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``env(policy_dir="/x", cli_user=None)``: set (or remove) ``RAPIDRESPONSE_*`` variables for this
    test; the settings are read again."""

    def set_(**variables: str | None) -> None:
        for name, value in variables.items():
            key = f"RAPIDRESPONSE_{name.upper()}"
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    return set_


@pytest.fixture(scope="session", autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    var = tmp_path_factory.mktemp("var")
    os.environ["RAPIDRESPONSE_VAR_DIR"] = str(var)
    os.environ["RAPIDRESPONSE_LOG_JSON"] = "true"
    os.environ.setdefault("RAPIDRESPONSE_LOG_LEVEL", "WARNING")
    get_settings.cache_clear()
    yield var
    get_settings.cache_clear()


def _backend_url(name: str, tmp: Path) -> str:
    if name == "sqlite":
        return f"sqlite:///{tmp / 'test.db'}"
    if not PG_URL:
        if IN_CI:
            pytest.fail("CI must set RAPIDRESPONSE_TEST_DATABASE_URL to run the suite on PostgreSQL")
        pytest.skip("PostgreSQL tests need RAPIDRESPONSE_TEST_DATABASE_URL (e.g. postgresql+psycopg://…/test)")
    return PG_URL


@pytest.fixture
def pdf_export() -> None:
    """PDF export needs WeasyPrint and Pango (Debian's chromium brings it): skip where they are
    missing, but not in CI, where ``make test`` installs them."""
    from rapidresponse import extras
    from rapidresponse.errors import FeatureUnavailable

    try:
        extras.need("weasyprint", "pdf")
    except FeatureUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI must be able to export PDF: {exc.detail}")
        pytest.skip(f"PDF export unavailable here: {exc.detail}")


@contextmanager
def _private_database(url: str) -> Iterator[str]:
    """A fresh PostgreSQL database of this test run's own, beside the one the URL names, so that
    concurrent runs on one server never see each other; dropped afterwards."""
    if not url.startswith("postgresql"):
        yield url
        return
    base = make_url(url)
    name = f"rr_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        db.configure(url).dispose()  # release connections to the private database
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database on one backend, shared by the tests of the session."""
    with _private_database(_backend_url(request.param, tmp_path_factory.mktemp(request.param))) as url:
        engine = db.configure(url)
        migrate.upgrade()
        yield engine
        engine.dispose()


def _empty(engine: Engine) -> None:
    tables = [t.name for t in reversed(db.Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(text("INSERT INTO auth_version (id, version) VALUES (1, 0)"))  # as the migration leaves it


@pytest.fixture
def engine(database: Engine) -> Iterator[Engine]:
    """The backend's database, emptied, bound as the process-wide engine."""
    db.configure(database.url.render_as_string(hide_password=False))
    _empty(db.get_engine())
    clock.set_clock(None)
    yield db.get_engine()
    clock.set_clock(None)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work, committed at the end of the test."""
    with db.unit_of_work() as s:
        yield s


class FakeClock:
    """An injectable clock for time-dependent behaviour."""

    def __init__(self, start: str = "2026-03-01T09:00:00+00:00") -> None:
        from datetime import datetime

        self.now = datetime.fromisoformat(start)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture
def fake_clock(engine: Engine) -> Iterator[FakeClock]:
    fc = FakeClock()
    clock.set_clock(fc)
    yield fc
    clock.set_clock(None)


# --- real receivers for notifications -----------------------------------------------------------

@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    with HttpReceiver() as r:
        yield r


@pytest.fixture
def channels(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Channel]]:
    """Real channels: email to the test SMTP server (also as the process default), webhooks over HTTP."""
    monkeypatch.setenv("RAPIDRESPONSE_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("RAPIDRESPONSE_SMTP_FROM_ADDR", "alerts@rapidresponse.example")
    delivery.reset()
    from rapidresponse.notify.telegram import TelegramChannel
    from rapidresponse.notify.telephony import SmsChannel, VoiceChannel

    chans: dict[str, Channel] = {"email": EmailChannel(get_settings().smtp), "webhook": WebhookChannel("webhook", 5),
                                 "chat": WebhookChannel("chat", 5), "telegram": TelegramChannel(),
                                 "sms": SmsChannel(), "voice": VoiceChannel()}
    yield chans
    delivery.reset()


@pytest.fixture
def bot(env: Callable[..., None]) -> Iterator[BotApiServer]:
    """A local Telegram Bot API server, configured as the product's (the worker does not poll it: tests
    call ``oncall.jobs.poll_once``)."""
    with BotApiServer() as server:
        env(telegram_bot_token=TOKEN, telegram_api_url=server.url, telegram_poll="false")
        yield server


@pytest.fixture
def twilio(env: Callable[..., None]) -> Iterator[TwilioServer]:
    """A local server speaking Twilio's REST API for SMS and calls, configured as the product's."""
    with TwilioServer() as server:
        env(twilio_api_url=server.url, twilio_account_sid=server.sid, twilio_auth_token=server.token,
            twilio_from="+77010000000")
        yield server


def pytest_report_header(config: pytest.Config) -> str:
    if PG_URL:
        return "backends: SQLite and PostgreSQL"
    return ("backends: SQLite only; PostgreSQL tests are skipped (set RAPIDRESPONSE_TEST_DATABASE_URL="
            "postgresql+psycopg://…/test to run them)")
