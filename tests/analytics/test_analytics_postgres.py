"""Analytics on PostgreSQL: the warehouse mirrored into the database, the metrics answering the
same there, and the console under roles that can read the analytics tables and nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from rapidresponse import analytics, incidents
from rapidresponse.analytics import postgres
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import QueryFailed


@pytest.fixture
def on_postgres(engine: Engine, env: Callable[..., None], tmp_path: Path) -> Iterator[dict[str, str]]:
    """The analytics engine set to PostgreSQL, with a login role for each console audience."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL engine runs with the PostgreSQL backend")
    env(analytics_path=str(tmp_path / "warehouse.duckdb"), analytics_engine="postgres")
    with unit_of_work(read_only=True) as s:
        analytics.sync_now(s, SYSTEM)  # creates the schemas and the group roles
    suffix = uuid.uuid4().hex[:8]
    logins = {"full": f"rr_test_full_{suffix}", "open": f"rr_test_open_{suffix}"}
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {logins['full']} LOGIN IN ROLE {postgres.ROLE}"))
        conn.execute(text(f"CREATE ROLE {logins['open']} LOGIN IN ROLE {postgres.OPEN_ROLE}"))
    url = engine.url
    env(analytics_postgres_url=url.set(username=logins["full"], password=None).render_as_string(False),
        analytics_postgres_open_url=url.set(username=logins["open"], password=None).render_as_string(False))
    yield logins
    for console in postgres._engines.values():
        console.dispose()
    postgres._engines.clear()
    with engine.begin() as conn:
        for login in logins.values():
            conn.execute(text(f"DROP ROLE IF EXISTS {login}"))


def _status(actor: Actor, ref: str, *statuses: str) -> None:
    with unit_of_work() as s:
        for status in statuses:
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))


@pytest.fixture
def history(on_postgres: dict[str, str], fake_clock: Any, make_user: Callable[..., Actor],
            make_incident: Callable[..., str], make_signals: Callable[..., Any]) -> dict[str, str]:
    cmd = make_user("commander")
    make_signals([{"external_id": f"s{i}", "source": "user_report", "harm": "dangerous_challenge", "country": "KZ",
                   "language": "kk", "text": "x", "occurred_at": (fake_clock.now - timedelta(minutes=i)).isoformat()}
                  for i in range(1, 6)])
    refs = {}
    for name, restricted, minutes in (("A", False, 60), ("B", False, 120), ("C", True, 240)):
        refs[name] = make_incident(cmd, restricted=restricted, countries=["KZ"],
                                   detected_at=(fake_clock.now - timedelta(minutes=10)).isoformat())
        fake_clock.advance(minutes=minutes)
        _status(cmd, refs[name], "active", "mitigated")
        fake_clock.advance(days=1)
    with unit_of_work(read_only=True) as s:
        analytics.sync_now(s, SYSTEM)
    return refs


def _run(actor: Actor, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with unit_of_work() as s:
        return analytics.run_query(s, actor, analytics.QueryIn(sql=sql, params=params)).rows


def test_the_mirror_and_the_metrics_answer_as_duckdb_does(history: dict[str, str], engine: Engine,
                                                           env: Callable[..., None]) -> None:
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM analytics.incidents")).scalar() == 3
        assert conn.execute(text("SELECT count(*) FROM analytics.signals")).scalar() == 5
        assert conn.execute(text("SELECT count(*) FROM analytics_open.incidents")).scalar() == 2
    period = analytics.MetricFilter(start=date(2026, 2, 1), end=date(2026, 3, 31))
    answers = {}
    for where in ("postgres", "duckdb"):
        env(analytics_engine=where)
        with unit_of_work(read_only=True) as s:
            answers[where] = (analytics.overview(s, SYSTEM, period).model_dump(exclude={"synced_at"}),
                              analytics.metric(s, SYSTEM, "by_country", period).rows)
    assert answers["postgres"] == answers["duckdb"]
    assert answers["postgres"][0]["incidents"] == 3


def test_a_second_sync_copies_only_what_is_new(history: dict[str, str], engine: Engine,
                                               make_signals: Callable[..., Any], fake_clock: Any) -> None:
    make_signals([{"external_id": "late", "source": "user_report", "harm": "hate_speech", "country": "RU",
                   "language": "ru", "text": "x", "occurred_at": fake_clock.now.isoformat()}])
    with unit_of_work(read_only=True) as s:
        out = analytics.sync_now(s, SYSTEM)
    assert out.signals == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), count(DISTINCT id) FROM analytics.signals")).one() == (6, 6)


def test_the_console_reads_the_analytics_tables_and_nothing_else(
        history: dict[str, str], make_user: Callable[..., Actor], env: Callable[..., None]) -> None:
    admin, analyst = make_user("admin"), make_user("analyst")
    assert _run(admin, "SELECT count(*) FROM incidents") == [(3,)]
    assert _run(analyst, "SELECT count(*) FROM incidents") == [(2,)]  # the open views
    assert _run(analyst, "SELECT count(*) FROM incidents WHERE ref = $r AND title LIKE '%'", r=history["A"]) == [(1,)]
    assert _run(analyst, "SELECT count(*) FROM timeline WHERE ref = $r", r=history["C"]) == [(0,)]
    refused = {
        "SELECT * FROM analytics.incidents": "reads only the analytics tables",
        "SELECT * FROM public.users": "reads only the analytics tables",
        "SELECT pg_read_file('/etc/passwd')": "reads only the analytics tables",
        "SELECT set_config('role', 'postgres', false)": "",
        "DELETE FROM incidents": "",
        "SELECT 1; DROP TABLE analytics_open.incidents": "one query at a time",
        "COPY incidents TO '/tmp/rr-leak.csv'": "",
        "SELEC 1": "syntax error",
    }
    for query, message in refused.items():
        with pytest.raises(QueryFailed) as caught:
            _run(analyst, query)
        assert message in caught.value.detail, (query, caught.value.detail)
    assert not Path("/tmp/rr-leak.csv").exists()
    env(console_timeout_seconds="0.5")
    with pytest.raises(QueryFailed, match="longer than"):
        _run(admin, "SELECT pg_sleep(3)")
    assert _run(admin, "SELECT count(*) FROM incidents") == [(3,)]  # nothing changed


def test_the_console_needs_its_logins(history: dict[str, str], make_user: Callable[..., Actor],
                                      env: Callable[..., None]) -> None:
    env(analytics_postgres_open_url=None)
    with pytest.raises(Exception, match="RAPIDRESPONSE_ANALYTICS_POSTGRES_OPEN_URL"):
        _run(make_user("analyst"), "SELECT 1")
