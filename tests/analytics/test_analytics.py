"""Analytics through the service and the CLI: the warehouse sync (incremental, killed and restarted),
metrics against hand-computed answers, the console's read-only guarantees, restricted incidents
hidden, and the same metrics on DuckDB, PostgreSQL and Spark."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from rapidresponse import analytics, incidents, oncall
from rapidresponse.analytics import metrics, sync, warehouse
from rapidresponse.auth import Actor
from rapidresponse.cli import app
from rapidresponse.db import unit_of_work
from rapidresponse.errors import PermissionDenied, QueryFailed

runner = CliRunner()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> Path:
    """Each test its own warehouse file."""
    path = tmp_path / "warehouse.duckdb"
    env(analytics_path=str(path))
    return path


def _look(query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Read the warehouse as the product does (the process shares one read-only connection)."""
    with warehouse.reader() as con:
        return con.execute(query, list(params)).fetchall()


def _change(query: str) -> None:
    """Write to the warehouse as the sync does (its readers let go first)."""
    with sync.writer() as con:
        con.execute(query)


def _status(actor: Actor, ref: str, *statuses: str) -> None:
    with unit_of_work() as s:
        for status in statuses:
            incidents.change_status(s, actor, ref, incidents.StatusChange.model_validate({"status": status}))


def _sync() -> analytics.SyncOut:
    with unit_of_work(read_only=True) as s:
        return analytics.sync_now(s, _admin())


def _admin() -> Actor:
    from rapidresponse.auth import SYSTEM

    return SYSTEM


def _filter(**kw: Any) -> analytics.MetricFilter:
    return analytics.MetricFilter(start=date(2026, 2, 1), end=date(2026, 3, 31), **kw)


def _signals(n: int, at: datetime, **fields: Any) -> list[dict[str, Any]]:
    return [{"external_id": f"{fields.get('harm', 'x')}-{at:%H%M}-{i}", "source": "user_report",
             "occurred_at": (at + timedelta(seconds=i)).isoformat(), "harm": "dangerous_challenge",
             "country": "KZ", "language": "kk", "text": f"сигнал {i}", **fields} for i in range(n)]


@pytest.fixture
def history(fake_clock: Any, make_user: Callable[..., Actor], make_incident: Callable[..., str],
            make_signals: Callable[..., Any]) -> dict[str, Any]:
    """Three incidents with known milestones (minutes from declaration):
    A (KZ, SEV2 by its inputs): mitigated +60, resolved +120
    B (RU): mitigated +120, resolved +300
    C (KZ and RU, restricted): mitigated +240, not resolved; and 5 reports in the 40 minutes before A."""
    cmd = make_user("commander")
    t0 = fake_clock.now
    make_signals(_signals(5, t0 - timedelta(minutes=30)))
    refs = {}
    for name, countries, mitigate, resolve, extra in (
            ("A", ["KZ"], 60, 120, {"detected_at": (t0 - timedelta(minutes=40)).isoformat()}),
            ("B", ["RU"], 120, 300, {"languages": ["ru"]}),
            ("C", ["KZ", "RU"], 240, None, {"restricted": True})):
        ref = make_incident(cmd, countries=countries, harm_categories=["dangerous-acts"], **extra)
        refs[name] = ref
        fake_clock.advance(minutes=mitigate)
        _status(cmd, ref, "active", "mitigated")
        if resolve is not None:
            fake_clock.advance(minutes=resolve - mitigate)
            _status(cmd, ref, "resolved")
        fake_clock.advance(days=1)
    return {"refs": refs, "commander": cmd, "t0": t0}


def test_metrics_match_hand_computed_answers(history: dict[str, Any]) -> None:
    out = _sync()
    assert out.incidents == 3 and out.signals == 5
    with unit_of_work(read_only=True) as s:
        times = analytics.metric(s, _admin(), "response_times", _filter())
        by_country = analytics.metric(s, _admin(), "by_country", _filter())
        overview = analytics.overview(s, _admin(), _filter())
        heat = analytics.metric(s, _admin(), "heatmap", _filter())
    stages = {row[0]: row for row in times.rows}
    assert stages["mitigate"][1] == 3
    assert stages["mitigate"][2] == pytest.approx(120.0)  # median of 60, 120, 240
    assert stages["mitigate"][3] == pytest.approx(216.0)  # 90th percentile: 120 + 0.8 × (240 − 120)
    assert stages["resolve"][1] == 2
    assert stages["resolve"][2] == pytest.approx(210.0) and stages["resolve"][3] == pytest.approx(282.0)
    assert dict((r[0], r[1]) for r in by_country.rows) == {"KZ": 2, "RU": 2}  # C counts once in each
    assert overview.incidents == 3 and overview.previous_incidents == 0
    assert {r[1]: r[2] for r in heat.rows} == {"KZ": 2, "RU": 2}
    # A's exposure: the five reports of its harm in KZ before it was mitigated
    assert overview.exposure_signals == 5 and overview.exposure_reports == 5
    assert times.previous == [] or all(r[1] == 0 for r in times.previous)


def test_the_previous_period_and_filters(history: dict[str, Any]) -> None:
    _sync()
    with unit_of_work(read_only=True) as s:
        kz = analytics.metric(s, _admin(), "response_times", _filter(country="KZ"))
        later = analytics.overview(s, _admin(), analytics.MetricFilter(start=date(2026, 4, 1), end=date(2026, 5, 29)))
    assert {r[0]: r[1] for r in kz.rows}["mitigate"] == 2  # A and C
    assert later.incidents == 0 and later.previous_incidents == 3  # the 59 days before hold all three


def test_restricted_incidents_count_only_for_those_who_may_see_them(
        history: dict[str, Any], make_user: Callable[..., Actor], env: Callable[..., None]) -> None:
    _sync()
    analyst = make_user("analyst")
    with unit_of_work(read_only=True) as s:
        seen = analytics.overview(s, analyst, _filter())
        by_country = analytics.metric(s, analyst, "by_country", _filter())
    assert seen.incidents == 2 and seen.restricted_hidden == 0  # its existence is not revealed by default
    env(analytics_show_restricted_count="true")
    with unit_of_work(read_only=True) as s:
        assert analytics.overview(s, analyst, _filter()).restricted_hidden == 1  # one anonymous line
    assert dict((r[0], r[1]) for r in by_country.rows) == {"KZ": 1, "RU": 1}
    with unit_of_work() as s:
        mine = analytics.run_query(s, analyst, analytics.QueryIn(sql="SELECT ref, title FROM incidents"))
        everything = analytics.run_query(s, _admin(), analytics.QueryIn(sql="SELECT ref FROM incidents"))
        with pytest.raises(QueryFailed, match=r"no table 'main\.incidents'"):
            analytics.run_query(s, analyst, analytics.QueryIn(sql="SELECT * FROM main.incidents"))
        timeline = analytics.run_query(s, analyst, analytics.QueryIn(
            sql="SELECT count(*) FROM timeline WHERE ref = $ref", params={"ref": history["refs"]["C"]}))
    assert history["refs"]["C"] not in {r[0] for r in mine.rows} and len(mine.rows) == 2
    assert history["refs"]["C"] in {r[0] for r in everything.rows}
    assert timeline.rows == [(0,)]


ESCAPES = [
    ("INSERT INTO incidents (ref) VALUES ('x')", "read-only SELECT"),
    ("DELETE FROM incidents", "read-only SELECT"),
    ("CREATE TABLE x AS SELECT 1", "read-only SELECT"),
    ("ATTACH '{tmp}/other.duckdb' AS other", "read-only SELECT"),
    ("COPY incidents TO '{tmp}/leak.csv'", "read-only SELECT"),
    ("SELECT * FROM read_csv('/etc/passwd')", "read_csv() is not available"),
    ("SELECT * FROM read_parquet('{tmp}/x.parquet')", "read_parquet() is not available"),
    ("SELECT * FROM '/etc/passwd'", "no table '/etc/passwd'"),
    ("SELECT * FROM glob('/etc/*')", "glob() is not available"),
    ("INSTALL httpfs", "read-only SELECT"),
    ("LOAD httpfs", "read-only SELECT"),
    ("SET enable_external_access = true", "read-only SELECT"),
    ("PRAGMA database_list", "read-only SELECT"),
    ("SELECT 1; DROP TABLE incidents", "read-only SELECT"),
    ("SELECT 1; SELECT 2", "one query at a time"),
    ("SELECT * FROM _log", "no table '_log'"),
    ("SELECT * FROM _positions", "no table '_positions'"),
    ("SELECT * FROM duckdb_settings()", "duckdb_settings() is not available"),
    ("SELECT * FROM information_schema.tables", "no table 'information_schema.tables'"),
    ("SELECT count(*) FROM range(1000000000000) a", "longer than"),
    ("SELEC 1", "syntax error"),
]


@pytest.mark.parametrize(("query", "message"), ESCAPES, ids=[q[:30] for q, _ in ESCAPES])
def test_the_console_refuses_every_escape(query: str, message: str, tmp_path: Path, engine: Engine,
                                          env: Callable[..., None], own_warehouse: Path) -> None:
    _sync()
    env(console_timeout_seconds="1")
    before = _look("SELECT count(*), max(id) FROM _log")
    with unit_of_work() as s, pytest.raises(QueryFailed) as refused:
        analytics.run_query(s, _admin(), analytics.QueryIn(sql=query.format(tmp=tmp_path)))
    assert message in refused.value.detail
    assert not (tmp_path / "leak.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert _look("SELECT count(*), max(id) FROM _log") == before
    with unit_of_work(read_only=True) as s:  # the refusal is in the user's history... (system has none)
        assert analytics.history(s, _admin()) == []


def test_the_row_limit_history_and_parameters(make_user: Callable[..., Actor], env: Callable[..., None],
                                              make_signals: Callable[..., Any], fake_clock: Any) -> None:
    make_signals(_signals(30, fake_clock.now))
    _sync()
    env(console_row_limit="10")
    analyst = make_user("analyst")
    with unit_of_work() as s:
        result = analytics.run_query(s, analyst, analytics.QueryIn(sql="SELECT id FROM signals ORDER BY id"))
        assert len(result.rows) == 10 and result.truncated
        counted = analytics.run_query(s, analyst, analytics.QueryIn(
            sql="SELECT count(*) FROM signals WHERE country = $c", params={"c": "KZ"}))
        assert counted.rows == [(30,)] and not counted.truncated
        with pytest.raises(QueryFailed):
            analytics.run_query(s, analyst, analytics.QueryIn(sql="SELECT * FROM nowhere"))
    with unit_of_work(read_only=True) as s:
        runs = analytics.history(s, analyst)
    assert [r.rows for r in runs] == [0, 1, 10] and runs[0].error and "nowhere" in runs[0].error


def test_viewers_may_not_query(make_user: Callable[..., Actor], engine: Engine) -> None:
    viewer = make_user("viewer")
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        analytics.run_query(s, viewer, analytics.QueryIn(sql="SELECT 1"))


def test_saved_queries_are_shared_with_a_role_and_run_with_parameters(
        make_user: Callable[..., Actor], make_signals: Callable[..., Any], fake_clock: Any) -> None:
    make_signals(_signals(4, fake_clock.now) + _signals(2, fake_clock.now, country="RU", harm="hate_speech"))
    _sync()
    owner, colleague, stranger = make_user("analyst"), make_user("analyst"), make_user("policy")
    with unit_of_work() as s:
        saved = analytics.save_query(s, owner, analytics.SavedQueryIn(
            name="Signals in a country", sql="SELECT count(*) AS n FROM signals WHERE country = $country",
            parameters=[{"name": "country", "default": "KZ"}], shared_with="analyst"))
    with unit_of_work() as s:
        assert analytics.run_saved(s, colleague, saved.key, {}).rows == [(4,)]
        assert analytics.run_saved(s, colleague, saved.key, {"country": "RU"}).rows == [(2,)]
        assert saved.key in {q.key for q in analytics.list_queries(s, colleague)}
        assert saved.key not in {q.key for q in analytics.list_queries(s, stranger) if not q.starter}
        with pytest.raises(PermissionDenied):
            analytics.delete_query(s, colleague, saved.key)
        with pytest.raises(QueryFailed):  # a saved query must be an allowed SELECT
            analytics.save_query(s, owner, analytics.SavedQueryIn(name="x", sql="DROP TABLE signals"))
    with unit_of_work() as s:
        for q in analytics.list_queries(s, owner):  # every starter query runs on the warehouse
            if q.starter:
                analytics.run_saved(s, owner, q.key, {})


def test_the_sync_is_incremental_and_idempotent(make_signals: Callable[..., Any], fake_clock: Any,
                                                make_user: Callable[..., Actor],
                                                make_incident: Callable[..., str]) -> None:
    make_signals(_signals(50, fake_clock.now))
    first = _sync()
    assert first.signals == 50
    again = _sync()
    assert (again.events, again.signals) == (0, 0)  # nothing new: nothing moves
    make_signals(_signals(20, fake_clock.now + timedelta(hours=1), harm="hate_speech"))
    ref = make_incident(make_user("commander"))
    second = _sync()
    assert second.signals == 20 and second.incidents == 1
    assert _look("SELECT count(*), count(DISTINCT id) FROM signals") == [(70, 70)]
    assert _look("SELECT count(*) FROM incidents WHERE ref = ?", ref) == [(1,)]
    with unit_of_work(read_only=True) as s:
        status = analytics.status(s, _admin())
    assert status.behind == {"events": 0, "signals": 0} and status.lag_seconds["signals"] == 0.0


def test_a_sync_killed_midway_loses_and_doubles_nothing(make_signals: Callable[..., Any], fake_clock: Any,
                                                        engine: Engine, own_warehouse: Path) -> None:
    total = 30_000
    for start in range(0, total, 5000):
        make_signals([{**row, "external_id": f"k{start + i}"} for i, row in
                      enumerate(_signals(5000, fake_clock.now + timedelta(minutes=start)))])
    script = ("from rapidresponse import db, domains; domains.load(); from rapidresponse.analytics import sync\n"
              "with db.unit_of_work(read_only=True) as s: sync.run(s)")
    child_env = {**os.environ, "RAPIDRESPONSE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                 "RAPIDRESPONSE_ANALYTICS_PATH": str(own_warehouse), "RAPIDRESPONSE_ANALYTICS_BATCH": "500"}
    child = subprocess.Popen([sys.executable, "-c", script], env=child_env)
    done = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        try:
            con = duckdb.connect(str(own_warehouse), read_only=True, config=dict(warehouse.READ_CONFIG))
            done = dict(con.execute("SELECT source, position FROM _positions").fetchall()).get("signals", 0)
            con.close()
        except duckdb.Error:
            pass  # the sync holds the file between our looks (it does not know of this reader)
        if done >= 2000:
            child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    child.wait(30)
    assert child.returncode == -signal.SIGKILL, "the sync finished before it could be killed"
    out = _sync()  # the restart picks up from the last committed step
    assert _look("SELECT count(*), count(DISTINCT id) FROM signals") == [(total, total)]
    assert 0 < out.signals < total


def test_a_replaced_database_rebuilds_the_warehouse(make_signals: Callable[..., Any], fake_clock: Any,
                                                    engine: Engine) -> None:
    make_signals(_signals(10, fake_clock.now))
    _sync()
    _change("UPDATE _positions SET position = position + 1000")  # as if the database went back in time
    _sync()
    assert _look("SELECT count(*) FROM signals") == [(10,)]
    assert _sync().events == 0
    _change("UPDATE _log SET type = 'other.event' WHERE id = (SELECT max(id) FROM _log)")  # another database
    rebuilt = _sync()
    assert rebuilt.events > 0 and rebuilt.signals == 10
    assert _look("SELECT count(*) FROM signals") == [(10,)]


def test_the_warehouse_exports_as_parquet_with_daily_signal_partitions(
        make_signals: Callable[..., Any], fake_clock: Any, tmp_path: Path, env: Callable[..., None],
        make_incident: Callable[..., str]) -> None:
    import pyarrow.dataset as ds

    make_incident()
    make_signals(_signals(6, fake_clock.now - timedelta(days=2)) + _signals(4, fake_clock.now, harm="hate_speech"))
    target = tmp_path / "lake"
    env(analytics_export_dir=str(target))
    _sync()
    days = sorted(p.name for p in (target / "signals").iterdir())
    assert days == [f"day={(fake_clock.now - timedelta(days=2)).date()}", f"day={fake_clock.now.date()}"]
    lake = ds.dataset(target / "signals", format="parquet", partitioning="hive")
    assert lake.count_rows() == 10
    assert ds.dataset(target / "incidents.parquet").count_rows() == 1
    old = target / "signals" / days[0] / "data.parquet"
    first_written = old.stat().st_mtime_ns
    env(analytics_export_dir=None)  # from here on, exported by hand
    make_signals(_signals(3, fake_clock.now + timedelta(hours=1), harm="phishing"))
    with unit_of_work(read_only=True) as s:
        out = analytics.export(s, _admin(), target)
    assert out.days == 1 and out.tables == len(warehouse.TABLES) - 1  # only today's partition changed
    assert old.stat().st_mtime_ns == first_written
    assert ds.dataset(target / "signals", format="parquet", partitioning="hive").count_rows() == 13
    assert not list(target.rglob(".*.partial"))
    written = runner.invoke(app, ["analytics", "export", str(tmp_path / "elsewhere"), "--as", "system"])
    assert written.exit_code == 2 and "system" in written.output  # the CLI acts as a real user


def test_oncall_load_uses_each_persons_time_zone(make_rota: Callable[..., Any], fake_clock: Any) -> None:
    rota = make_rota()
    fake_clock.now = datetime.fromisoformat("2026-03-02T15:00:00+00:00")  # Monday 20:00 in Almaty
    with unit_of_work() as s:
        oncall.page_team(s, rota.admin, oncall.PageIn(team_id=rota.team_id, summary="Check the KZ spike"))
    _sync()
    with unit_of_work(read_only=True) as s:
        load = analytics.metric(s, _admin(), "oncall_load", _filter())
    assert len(load.rows) == 1
    person, pages, out_of_hours, weekend = load.rows[0]
    assert person in {p.username for p in rota.people} and (pages, out_of_hours, weekend) == (1, 1, 0)


def test_the_sql_command_prints_and_writes_files(history: dict[str, Any], tmp_path: Path,
                                                 make_user: Callable[..., Actor]) -> None:
    analyst, admin = make_user("analyst"), make_user("admin").username
    _sync()
    shown = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM incidents", "--as", analyst.username])
    assert shown.exit_code == 0, shown.output
    assert "2" in shown.output  # the restricted incident is not in the analyst's tables
    as_csv = runner.invoke(app, ["sql", "SELECT ref FROM incidents ORDER BY ref", "-f", "csv", "--as", admin])
    assert as_csv.exit_code == 0 and as_csv.output.splitlines()[0] == '"ref"'
    assert len(as_csv.output.splitlines()) == 4
    target = tmp_path / "out.parquet"
    written = runner.invoke(app, ["sql", "SELECT * FROM incidents", "-f", "parquet", "-o", str(target), "--as", admin])
    assert written.exit_code == 0, written.output
    import pyarrow.parquet as pq

    assert pq.read_table(target).num_rows == 3
    refused = runner.invoke(app, ["sql", "DROP TABLE incidents", "--as", admin])
    assert refused.exit_code == 2 and "read-only SELECT" in refused.output
    metric = runner.invoke(app, ["analytics", "metric", "by_country", "--start", "2026-02-01", "--end",
                                 "2026-03-31", "--as", admin])
    assert metric.exit_code == 0 and "KZ" in metric.output


# --- the same metrics on other engines ----------------------------------------------------------


def _results(tables: metrics.Tables, scope: metrics.Scope) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, build in metrics.METRICS.items():
        _, rows = metrics.run(build(tables, scope))
        out[name] = sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


@pytest.fixture
def duck_results(history: dict[str, Any]) -> Iterator[tuple[dict[str, Any], metrics.Scope, dict[str, Any]]]:
    import ibis

    _sync()
    scope = metrics.Scope(start=datetime.fromisoformat("2026-02-01T00:00:00+00:00"),
                          end=datetime.fromisoformat("2026-04-01T00:00:00+00:00"))
    with warehouse.reader() as con:
        backend = ibis.duckdb.from_connection(con)
        tables = {t: backend.table(t).to_pyarrow() for t in warehouse.relations() if t != "series"}
        results = _results(backend.table, scope)
    yield results, scope, tables


def test_the_same_metrics_on_postgresql(duck_results: Any) -> None:
    url = os.environ.get("RAPIDRESPONSE_TEST_DATABASE_URL")
    if not url:
        if IN_CI:
            pytest.fail("CI must set RAPIDRESPONSE_TEST_DATABASE_URL")
        pytest.skip("needs PostgreSQL (RAPIDRESPONSE_TEST_DATABASE_URL)")
    import ibis
    from sqlalchemy import make_url

    expected, scope, tables = duck_results
    u = make_url(url)
    pg = ibis.postgres.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                               password=u.password or "", database=u.database or "test")
    schema = f"rr_metrics_{os.getpid()}"
    pg.raw_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
    try:
        for name, table in tables.items():
            pg.create_table(name, table, database=schema)
        got = _results(lambda name: pg.table(name, database=schema), scope)
    finally:
        pg.raw_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        pg.disconnect()
    assert got == expected


def test_the_same_metrics_on_spark(duck_results: Any, tmp_path: Path) -> None:
    java = shutil.which("java")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        java = None
    if java is None:
        if IN_CI:
            pytest.fail("CI must run the metrics on Spark: make test installs Java and pyspark")
        pytest.skip("Spark needs Java (apt-get install default-jre-headless) and the 'spark' extra")
    import ibis
    from pyspark.sql import SparkSession

    expected, scope, _tables = duck_results
    lake = tmp_path / "lake"
    with unit_of_work(read_only=True) as s:
        analytics.export(s, _admin(), lake)  # as a cluster would read the warehouse
    spark = (SparkSession.builder.master("local[1]").appName("rapidresponse-metrics")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.warehouse.dir", str(tmp_path / "spark-warehouse")).getOrCreate())
    try:
        for table in warehouse.TABLES:
            source = lake / ("signals" if table.name == "signals" else f"{table.name}.parquet")
            spark.read.parquet(str(source)).createOrReplaceTempView(table.name)
        backend = ibis.pyspark.connect(spark)
        got = _results(backend.table, scope)
    finally:
        spark.stop()
    assert got == expected
