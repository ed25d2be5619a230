"""The warehouse: a DuckDB file in ``var_dir`` holding the tables analysts query, each column
documented (the schema browser shows these descriptions).

The sync (``sync.py``) is the only writer. Readers open the file read-only; the SQL console's
connection also has external access, extension loading and configuration changes switched off.
Users who may not see restricted incidents query the ``open`` schema: the same names, as views
without the restricted incidents and everything tied to them.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import get_settings
from ..errors import Unavailable
from ..i18n import N_

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    restricted_by: str | None = "ref"  # the column naming the incident whose restriction hides a row

    def ddl(self, schema: str = "main") -> str:
        cols = ", ".join(f"{c.name} {c.type}" for c in self.columns)
        return f"CREATE TABLE IF NOT EXISTS {schema}.{self.name} ({cols})"


def _c(name: str, type_: str, doc: str) -> Column:
    return Column(name, type_, doc)


T = "TIMESTAMP"  # UTC throughout
REF = _c("ref", "VARCHAR", N_("the incident's reference, e.g. INC-2026-0042"))

TABLES: tuple[Table, ...] = (
    Table("incidents", N_("One row per incident, with every milestone of its response (UTC)."), (
        REF,
        _c("title", "VARCHAR", N_("the incident's title")),
        _c("type", "VARCHAR", N_("incident type (dangerous_challenge, hate_speech_wave, child_safety…)")),
        _c("harm", "VARCHAR", N_("its main harm category (the first of harm_categories, else its type)")),
        _c("country", "VARCHAR", N_("its main country (ISO 3166 alpha-2), the first of its countries")),
        _c("language", "VARCHAR", N_("its main language, the first of its languages")),
        _c("severity", "INTEGER", N_("severity, 1 (most severe) to 4")),
        _c("status", "VARCHAR", N_("declared, investigating, mitigated, resolved or closed")),
        _c("source", "VARCHAR", N_("how it came in: detection (a triage case), regulator (a request) or manual")),
        _c("team", "VARCHAR", N_("the first on-call team paged for it (empty when none was)")),
        _c("restricted", "BOOLEAN", N_("whether only its members and the restricted role may see it")),
        _c("merged_into", "VARCHAR", N_("the incident it was merged into, if any")),
        _c("first_signal_at", T, N_("the first signal behind it (its linked cases), else detected_at")),
        _c("alert_at", T, N_("the first detection alert behind it, if any")),
        _c("declared_at", T, N_("when it was declared")),
        _c("paged_at", T, N_("when the first on-call page for it went out")),
        _c("acknowledged_at", T, N_("when it was first acknowledged (a page, or a commander taking it)")),
        _c("mitigated_at", T, N_("when it was mitigated")),
        _c("resolved_at", T, N_("when it was resolved")),
        _c("closed_at", T, N_("when it was closed")),
        _c("exposure_signals", "BIGINT",
           N_("signals of its harm, countries, languages from first signal to mitigation")),
        _c("exposure_reports", "BIGINT", N_("those of them that were user reports")),
        _c("recurrence_of", "VARCHAR", N_("an earlier incident of the same harm and country it recurs, if any")),
    )),
    Table("incident_tags", N_("Every harm category, country and language of an incident, one per row (an "
                              "incident in three countries counts once in each)."), (
        REF,
        _c("kind", "VARCHAR", N_("harm, country or language")),
        _c("value", "VARCHAR", N_("the harm category, ISO country code or language code")),
    )),
    Table("timeline", N_("Every event on incidents' timelines (the audit log's incident streams)."), (
        _c("event_id", "BIGINT", N_("the event's id in the audit log")),
        REF,
        _c("occurred_at", T, N_("when it happened")),
        _c("type", "VARCHAR", N_("event type, e.g. incident.status_changed")),
        _c("actor", "VARCHAR", N_("who did it (user name or system)")),
        _c("payload", "JSON", N_("what the event says")),
    )),
    Table("tasks", N_("Incident tasks (from playbooks or added by hand)."), (
        _c("task_id", "BIGINT", N_("the task's id")), REF,
        _c("title", "VARCHAR", N_("what to do")),
        _c("owner", "VARCHAR", N_("who owns it")),
        _c("status", "VARCHAR", N_("open, in_progress, done or cancelled")),
        _c("created_at", T, N_("when it was added")),
        _c("due_at", T, N_("when it is due")),
        _c("completed_at", T, N_("when it was done")),
    )),
    Table("signals", N_("Signals (user reports, classifier hits, partner and hash matches): no text or media."), (
        _c("id", "BIGINT", N_("the signal's id")),
        _c("occurred_at", T, N_("when it happened on the platform")),
        _c("received_at", T, N_("when it reached the product")),
        _c("source", "VARCHAR", N_("user_report, classifier, trusted_flagger, partner, hash_match, regulator…")),
        _c("harm", "VARCHAR", N_("its harm (as detection's series name it)")),
        _c("country", "VARCHAR", N_("ISO country code")),
        _c("language", "VARCHAR", N_("language the reporter gave")),
        _c("language_detected", "VARCHAR", N_("language identified from the text")),
        _c("reporter_type", "VARCHAR", N_("who reported it")),
        _c("content_type", "VARCHAR", N_("text, image, video, audio, livestream…")),
        _c("trend_id", "BIGINT", N_("the near-duplicate trend it joined")),
        _c("lexicon_harm", "VARCHAR", N_("the harm its lexicon matches point to")),
    ), restricted_by=None),
    Table("alerts", N_("Detection alerts on signal series."), (
        _c("alert_id", "BIGINT", N_("the alert's id")),
        _c("harm", "VARCHAR", N_("the series' harm")), _c("country", "VARCHAR", N_("the series' country")),
        _c("language", "VARCHAR", N_("the series' language")),
        _c("raised_at", T, N_("when it was raised")),
        _c("bucket", T, N_("the 5-minute bucket that crossed the threshold")),
        _c("score", "DOUBLE", N_("the detector's score")),
        _c("observed", "DOUBLE", N_("signals observed in the bucket")),
        _c("expected", "DOUBLE", N_("signals expected")),
        _c("outcome", "VARCHAR", N_("open, acknowledged, snoozed, suppressed, dismissed or escalated")),
        _c("outcome_at", T, N_("when it got that outcome")),
    ), restricted_by=None),
    Table("cases", N_("Triage cases opened from alerts or by hand."), (
        _c("case_id", "BIGINT", N_("the case's id")),
        _c("source", "VARCHAR", N_("alert, manual, trend…")), _c("alert_id", "BIGINT", N_("the alert it came from")),
        _c("opened_at", T, N_("when it was opened")),
        _c("outcome", "VARCHAR", N_("open, dismissed or escalated")), _c("outcome_at", T, N_("when")),
        REF,
    )),
    Table("pages", N_("On-call pages and their acknowledgement."), (
        _c("page_id", "BIGINT", N_("the page's id")), REF,
        _c("team", "VARCHAR", N_("the team paged")),
        _c("triggered_at", T, N_("when it was triggered")),
        _c("acknowledged_at", T, N_("when it was acknowledged")),
        _c("acknowledged_by", "VARCHAR", N_("who acknowledged it")),
        _c("seconds_to_ack", "BIGINT", N_("seconds from trigger to acknowledgement")),
        _c("resolved_at", T, N_("when it was resolved")),
    )),
    Table("page_notifications", N_("Each person a page reached, with their local time (on-call load)."), (
        _c("page_id", "BIGINT", N_("the page")), REF, _c("team", "VARCHAR", N_("the team paged")),
        _c("username", "VARCHAR", N_("who was notified")),
        _c("notified_at", T, N_("when (UTC)")),
        _c("local_hour", "INTEGER", N_("the hour in the person's own time zone")),
        _c("out_of_hours", "BOOLEAN", N_("before 09:00 or from 18:00 on a working day, in their time zone")),
        _c("weekend", "BOOLEAN", N_("on a Saturday or Sunday in their time zone")),
    )),
    Table("requests", N_("Regulator and law-enforcement requests and their legal clocks."), (
        _c("request_id", "BIGINT", N_("the request's id")), REF,
        _c("country", "VARCHAR", N_("the regulator's country")), _c("regulator", "VARCHAR", N_("the regulator")),
        _c("registered_at", T, N_("when it was registered")), _c("due_at", T, N_("its legal deadline")),
        _c("answered_at", T, N_("when the reply was sent")), _c("breached_at", T, N_("when the deadline was breached")),
        _c("met", "BOOLEAN", N_("answered by the deadline (null while open)")),
    )),
    Table("updates", N_("Stakeholder updates: each sent, and each time one was due or overdue."), (
        REF, _c("kind", "VARCHAR", N_("sent, due or overdue")), _c("happened_at", T, N_("when")),
        _c("audience", "VARCHAR", N_("for sent updates: internal, executives, regulators, public…")),
        _c("language", "VARCHAR", N_("the update's language")),
    )),
    Table("decisions", N_("Content decisions (the DSA statements of reasons' source)."), (
        _c("puid", "VARCHAR", N_("the decision's platform id")), REF,
        _c("decided_at", T, N_("when")), _c("action", "VARCHAR", N_("what was done")),
        _c("harm", "VARCHAR", N_("harm category")), _c("ground", "VARCHAR", N_("illegal content or terms of service")),
        _c("territorial_scope", "VARCHAR", N_("where it applies")),
        _c("affects_eu", "BOOLEAN", N_("whether the DSA applies")),
        _c("appeals", "INTEGER", N_("appeals filed")), _c("reversed", "INTEGER", N_("appeals that reversed it")),
    )),
    Table("reviews", N_("Post-incident reviews."), (
        _c("review_id", "BIGINT", N_("the review's id")), REF,
        _c("state", "VARCHAR", N_("draft, in_review, signed_off or published")),
        _c("drafted_at", T, N_("when it was drafted")), _c("published_at", T, N_("when it was published")),
    )),
    Table("action_items", N_("Action items from reviews."), (
        _c("item_id", "BIGINT", N_("the item's id")), REF,
        _c("title", "VARCHAR", N_("what to do")), _c("kind", "VARCHAR", N_("policy, product, procedure, tooling…")),
        _c("owner", "VARCHAR", N_("who owns it")), _c("status", "VARCHAR", N_("its last known status")),
        _c("added_at", T, N_("when it was added")), _c("overdue", "BOOLEAN", N_("whether it has gone overdue")),
    )),
)
BY_NAME = {t.name: t for t in TABLES}

VIEW_COLUMNS = {"harm": N_("the signals' harm"), "country": N_("ISO country code"), "language": N_("language code"),
                "bucket": N_("the start of the 5-minute bucket (UTC)"), "count": N_("signals in the bucket")}
VIEWS = {
    "series": (N_("Signals per harm × country × language × 5-minute bucket (a view over `signals`)."),
               "SELECT harm, country, language, time_bucket(INTERVAL 5 MINUTE, occurred_at) AS bucket, "
               "count(*) AS count FROM {schema}.signals GROUP BY ALL"),
}

RESTRICTED = "(SELECT ref FROM main.incidents WHERE restricted)"


def path() -> Path:
    settings = get_settings()
    return Path(settings.analytics_path) if settings.analytics_path else settings.var_dir / "warehouse.duckdb"


READ_CONFIG = {"enable_external_access": False, "autoinstall_known_extensions": False,
               "autoload_known_extensions": False, "allow_community_extensions": False,
               "python_enable_replacements": False}
"""Every reader's settings (one process's connections to a file must share them): no files, no
network, no extensions (DuckDB refuses to turn external access back on while the database is open),
and no Python variables read as tables."""
LOCK_WAIT_SECONDS = 15.0


def retrying(connect: Callable[[], duckdb.DuckDBPyConnection],
             wait: float = LOCK_WAIT_SECONDS) -> duckdb.DuckDBPyConnection:
    """``connect()``, retried while another connection holds the file (the sync writes in short steps)."""
    import duckdb

    deadline = time.monotonic() + wait
    while True:
        try:
            return connect()
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if "lock" not in str(exc).lower() and "different configuration" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise Unavailable("the analytics warehouse is being refreshed; try again in a moment") from exc
            time.sleep(0.05)


def create(con: duckdb.DuckDBPyConnection) -> None:
    """The tables, the sync's log and positions, and the ``open`` views. Nothing to do when the file
    has this version's layout; a file of another layout is emptied first (the sync rebuilds it)."""
    con.execute("CREATE TABLE IF NOT EXISTS _positions (source VARCHAR PRIMARY KEY, position BIGINT, "
                "synced_at TIMESTAMP)")
    row = con.execute("SELECT position FROM _positions WHERE source = 'layout'").fetchone()
    if row is not None and row[0] == LAYOUT:
        return
    con.execute("DROP SCHEMA IF EXISTS open CASCADE")
    for name in [*VIEWS]:
        con.execute(f"DROP VIEW IF EXISTS main.{name}")
    for name in ["_log", "_exports", *(t.name for t in TABLES)]:
        con.execute(f"DROP TABLE IF EXISTS main.{name}")
    con.execute("DELETE FROM _positions")
    con.execute("CREATE TABLE _log (id BIGINT PRIMARY KEY, occurred_at TIMESTAMP, actor VARCHAR, "
                "subject_type VARCHAR, subject_id VARCHAR, type VARCHAR, payload JSON)")
    for table in TABLES:
        con.execute(table.ddl())
    con.execute("CREATE SCHEMA open")
    for table in TABLES:
        con.execute(f"CREATE VIEW open.{table.name} AS {_open(table)}")
    for name, (_doc, sql) in VIEWS.items():
        con.execute(f"CREATE VIEW main.{name} AS {sql.format(schema='main')}")
        con.execute(f"CREATE VIEW open.{name} AS {sql.format(schema='open')}")
    # Who this warehouse is (a copy of it elsewhere, the PostgreSQL mirror, starts over when it
    # changes) and its layout.
    con.execute("INSERT INTO _positions VALUES ('identity', CAST(random() * 9e15 AS BIGINT), NULL), "
                "('layout', ?, NULL)", [LAYOUT])


def _open(table: Table) -> str:
    """The table without restricted incidents, what is tied to them, and any mention of them."""
    if table.restricted_by is None:
        return f"SELECT * FROM main.{table.name}"
    column = table.restricted_by
    select, where = "*", [f"({column} IS NULL OR {column} NOT IN {RESTRICTED})"]
    if table.name == "incidents":  # a public incident may point at a restricted one
        select = (f"* REPLACE (CASE WHEN merged_into IN {RESTRICTED} THEN NULL ELSE merged_into END AS merged_into, "
                  f"CASE WHEN recurrence_of IN {RESTRICTED} THEN NULL ELSE recurrence_of END AS recurrence_of)"
                  )
    if any(c.name == "payload" for c in table.columns):  # e.g. a public incident's link to a restricted one
        where.append(f"NOT EXISTS (SELECT 1 FROM main.incidents r WHERE r.restricted AND "
                     f"contains(CAST({table.name}.payload AS VARCHAR), r.ref))")
    return f"SELECT {select} FROM main.{table.name} WHERE {' AND '.join(where)}"


LAYOUT = int(hashlib.sha256(repr(([(t.name, t.columns, t.restricted_by, _open(t)) for t in TABLES],
                                   sorted(VIEWS.items()))).encode()).hexdigest()[:15], 16)
"""This version's tables and views, as a number: a warehouse of another layout is rebuilt."""


def relations() -> list[str]:
    return [t.name for t in TABLES] + list(VIEWS)


class _Shared:
    """The process's read-only connection to the warehouse, kept open between queries (opening the
    file costs more than most queries) and closed as soon as the sync wants to write: when it is idle
    for IDLE_SECONDS (a janitor thread looks), when the file changed (another process wrote it) or when
    a writer has raised its flag. Each reader gets its own cursor on it."""

    IDLE_SECONDS = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.key: tuple[str, int, int] | None = None
        self.users = 0
        self.idle_since = 0.0
        self.janitor: threading.Thread | None = None

    def acquire(self, file: Path) -> duckdb.DuckDBPyConnection:
        import duckdb

        _wait_for_writer(file)
        with self.lock:
            key = _stamp(file)
            if self.con is not None and self.users == 0 and (self.key != key or _flag(file).exists()):
                self.close()
            if self.con is None:
                self.con = retrying(lambda: duckdb.connect(str(file), read_only=True, config=dict(READ_CONFIG)))
                self.key = key
                if self.janitor is None or not self.janitor.is_alive():
                    self.janitor = threading.Thread(target=self._sweep, name="warehouse-readers", daemon=True)
                    self.janitor.start()
            self.users += 1
            return self.con.cursor()

    def release(self, cursor: duckdb.DuckDBPyConnection) -> None:
        cursor.close()
        with self.lock:
            self.users -= 1
            self.idle_since = time.monotonic()

    def _sweep(self) -> None:
        """Close the connection once nobody has used it for IDLE_SECONDS; stop when it is closed."""
        while True:
            time.sleep(self.IDLE_SECONDS / 4)
            with self.lock:
                if self.con is None:
                    return
                if self.users == 0 and time.monotonic() - self.idle_since > self.IDLE_SECONDS:
                    self.close()
                    return

    def close(self) -> None:
        """Close the connection (the caller holds the lock and nobody uses it)."""
        if self.con is not None:
            self.con.close()
        self.con, self.key = None, None


_shared = _Shared()


@atexit.register
def _close_at_exit() -> None:
    """Close the shared connection before the interpreter stops its threads (a thread stopped inside
    DuckDB's C++ aborts the process)."""
    with _shared.lock:
        _shared.close()


def _flag(file: Path) -> Path:
    """Present while the sync writes: readers let go of the file."""
    return file.with_name(file.name + ".writing")


def _wait_for_writer(file: Path) -> None:
    """Let a writing sync finish its step (a flag left by a killed sync is stale after a minute)."""
    flag = _flag(file)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        try:
            if time.time() - flag.stat().st_mtime > 60:
                flag.unlink(missing_ok=True)
                return
        except FileNotFoundError:
            return
        time.sleep(0.01)


def _stamp(file: Path) -> tuple[str, int, int]:
    stat = file.stat()
    return str(file), stat.st_mtime_ns, stat.st_size


@contextmanager
def writing(file: Path) -> Iterator[None]:
    """Raise the writer's flag and wait until this process's readers have let go of the file."""
    flag = _flag(file)
    flag.touch()
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            with _shared.lock:
                if _shared.users == 0:
                    _shared.close()
                    break
            if time.monotonic() > deadline:
                raise Unavailable("the analytics warehouse is busy with long queries; the sync tries again later")
            time.sleep(0.01)
        yield
    finally:
        flag.unlink(missing_ok=True)


@contextmanager
def reader() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse (an empty in-memory one before the first sync)."""
    import duckdb

    file = path()
    if not file.exists():
        con = duckdb.connect(":memory:")
        create(con)
        con.execute("SET enable_external_access = false")
        con.execute("SET python_enable_replacements = false")
        try:
            yield con
        finally:
            con.close()
        return
    cursor = _shared.acquire(file)
    try:
        yield cursor
    finally:
        _shared.release(cursor)
