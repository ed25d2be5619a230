"""Keeping the warehouse up to date: the worker follows the event log and the signal store from
stored positions.

Each step is one DuckDB transaction that writes its rows and moves its position together, so a
sync killed at any point loses nothing and doubles nothing: the next run starts where the last
committed step ended. Event steps also rebuild the tables drawn from the log (pages, requests,
updates, alerts, cases, decisions, reviews, action items) and refresh the incidents the new events
touched, from the incidents domain's public surface. Between steps the file is closed, so that
readers in other processes get in during a long first sync.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, detection, incidents, signals
from ..auth import SYSTEM
from ..clock import now
from ..config import get_settings
from ..errors import NotFound
from ..events import Event
from . import parquet, postgres, warehouse

if TYPE_CHECKING:
    import duckdb
    import pyarrow

LAG = Gauge("rapidresponse_analytics_lag_seconds",
            "Age of the oldest event or signal not yet in the analytics warehouse (0 when it is up to date)",
            ["source"])
BEHIND = Gauge("rapidresponse_analytics_behind_rows", "Events or signals not yet in the analytics warehouse",
               ["source"])

WORK_START, WORK_END = 9, 18  # a working day, in each person's own time zone

# The tables drawn from the log, rebuilt from it in the same transaction as new events land.
DERIVED = {
    "pages": """
        WITH trig AS (
            SELECT CAST(payload->>'page_id' AS BIGINT) AS page_id, payload->>'ref' AS ref,
                   payload->>'team' AS team, occurred_at
            FROM _log WHERE type IN ('oncall.page_triggered', 'incident.page_triggered')
            QUALIFY row_number() OVER (PARTITION BY page_id ORDER BY id) = 1),
        ack AS (
            SELECT CAST(payload->>'page_id' AS BIGINT) AS page_id, min(occurred_at) AS at,
                   arg_min(actor, occurred_at) AS who, min(CAST(payload->>'seconds_to_ack' AS BIGINT)) AS secs
            FROM _log WHERE type IN ('oncall.page_acknowledged', 'incident.page_acknowledged') GROUP BY 1),
        res AS (
            SELECT CAST(payload->>'page_id' AS BIGINT) AS page_id, min(occurred_at) AS at
            FROM _log WHERE type IN ('oncall.page_resolved', 'incident.page_resolved') GROUP BY 1)
        SELECT trig.page_id, trig.ref, trig.team, trig.occurred_at, ack.at, ack.who, ack.secs, res.at
        FROM trig LEFT JOIN ack USING (page_id) LEFT JOIN res USING (page_id)""",
    "requests": """
        SELECT CAST(payload->>'request_id' AS BIGINT) AS request_id,
               max(coalesce(payload->>'ref', payload->>'incident')) AS ref,
               any_value(payload->>'country') AS country, any_value(payload->>'regulator_name') AS regulator,
               min(occurred_at) FILTER (WHERE type LIKE '%registered') AS registered_at,
               CAST(CAST(max(payload->>'due_at') FILTER (WHERE type LIKE '%registered') AS TIMESTAMPTZ)
                    AS TIMESTAMP) AS due_at,
               min(occurred_at) FILTER (WHERE type LIKE '%reply_sent') AS answered_at,
               min(occurred_at) FILTER (WHERE type LIKE '%breached') AS breached_at,
               CASE WHEN answered_at IS NOT NULL THEN answered_at <= coalesce(due_at, answered_at)
                    WHEN breached_at IS NOT NULL THEN false END AS met
        FROM _log WHERE type LIKE 'request.%' OR type LIKE 'incident.request_%'
        GROUP BY 1 HAVING registered_at IS NOT NULL""",
    "updates": """
        SELECT payload->>'ref', CASE type WHEN 'incident.update_sent' THEN 'sent'
                                          WHEN 'incident.update_due' THEN 'due' ELSE 'overdue' END,
               occurred_at, payload->>'audience', payload->>'language'
        FROM _log WHERE type IN ('incident.update_sent', 'incident.update_due', 'incident.update_overdue')""",
    "alerts": """
        WITH raised AS (
            SELECT CAST(subject_id AS BIGINT) AS alert_id, string_split(payload->>'series', '/') AS s,
                   occurred_at, CAST(CAST(payload->>'bucket' AS TIMESTAMPTZ) AS TIMESTAMP) AS bucket,
                   CAST(payload->>'score' AS DOUBLE) AS score, CAST(payload->>'observed' AS DOUBLE) AS observed,
                   CAST(payload->>'expected' AS DOUBLE) AS expected
            FROM _log WHERE type = 'alert.raised'),
        last AS (
            SELECT CAST(subject_id AS BIGINT) AS alert_id, arg_max(split_part(type, '.', 2), id) AS outcome,
                   max(occurred_at) AS at
            FROM _log WHERE type IN ('alert.acknowledged', 'alert.snoozed', 'alert.suppressed', 'alert.dismissed',
                                     'alert.escalated') GROUP BY 1)
        SELECT alert_id, s[1], nullif(s[2], ''), nullif(s[3], ''), occurred_at, bucket, score, observed, expected,
               coalesce(last.outcome, 'open'), last.at
        FROM raised LEFT JOIN last USING (alert_id)""",
    "cases": """
        WITH opened AS (
            SELECT CAST(subject_id AS BIGINT) AS case_id, payload->>'source' AS source,
                   TRY_CAST(payload->>'alert' AS BIGINT) AS alert_id, occurred_at
            FROM _log WHERE type = 'case.opened'),
        last AS (
            SELECT CAST(subject_id AS BIGINT) AS case_id, arg_max(split_part(type, '.', 2), id) AS outcome,
                   max(occurred_at) AS at, max(payload->>'incident') AS ref
            FROM _log WHERE type IN ('case.dismissed', 'case.escalated') GROUP BY 1)
        SELECT case_id, source, alert_id, occurred_at, coalesce(last.outcome, 'open'), last.at, last.ref
        FROM opened LEFT JOIN last USING (case_id)""",
    "decisions": """
        WITH appeals AS (
            SELECT subject_id, count(*) FILTER (WHERE type = 'decision.appealed') AS filed,
                   count(*) FILTER (WHERE type = 'decision.appeal_decided' AND payload->>'outcome' = 'reversed')
                       AS reversed
            FROM _log WHERE type IN ('decision.appealed', 'decision.appeal_decided') GROUP BY 1)
        SELECT payload->>'puid', payload->>'incident', occurred_at, payload->>'action', payload->>'harm',
               payload->>'ground', payload->>'territorial_scope', CAST(payload->>'affects_eu' AS BOOLEAN),
               coalesce(appeals.filed, 0), coalesce(appeals.reversed, 0)
        FROM _log LEFT JOIN appeals USING (subject_id) WHERE type = 'decision.recorded'""",
    "reviews": """
        SELECT CAST(payload->>'review_id' AS BIGINT) AS review_id, any_value(payload->>'ref'),
               coalesce(arg_max(payload->>'to', id) FILTER (WHERE type = 'incident.review_state_changed'), 'draft'),
               min(occurred_at) FILTER (WHERE type = 'incident.review_drafted'),
               max(occurred_at) FILTER (WHERE type = 'incident.review_state_changed'
                                        AND payload->>'to' = 'published')
        FROM _log WHERE type LIKE 'incident.review_%' AND payload->>'review_id' IS NOT NULL GROUP BY 1""",
    "action_items": """
        SELECT CAST(payload->>'item_id' AS BIGINT) AS item_id, any_value(payload->>'ref'),
               arg_max(payload->>'title', id),
               any_value(payload->>'kind') FILTER (WHERE type = 'incident.action_item_added'),
               coalesce(arg_max(payload->'changes'->>'owner', id)
                            FILTER (WHERE payload->'changes'->>'owner' IS NOT NULL),
                        any_value(payload->>'owner') FILTER (WHERE type = 'incident.action_item_added')),
               coalesce(arg_max(payload->'changes'->>'status', id)
                            FILTER (WHERE payload->'changes'->>'status' IS NOT NULL), 'open'),
               min(occurred_at) FILTER (WHERE type = 'incident.action_item_added'),
               bool_or(type = 'incident.action_item_overdue')
        FROM _log WHERE type LIKE 'incident.action_item_%' GROUP BY 1""",
}


@dataclass
class SyncResult:
    events: int = 0
    signals: int = 0
    incidents: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.events + self.signals


Progress = Callable[[str, int, int], None]  # source, done so far, total to do


@contextmanager
def writer() -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse opened for writing, its tables created; waits while a reader holds the file."""
    import duckdb

    file = warehouse.path()
    file.parent.mkdir(parents=True, exist_ok=True)
    with warehouse.writing(file):
        con = warehouse.retrying(lambda: duckdb.connect(str(file)))
        try:
            con.execute("SET TimeZone = 'UTC'")
            warehouse.create(con)
            yield con
        finally:
            con.close()


def positions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {source: int(pos) for source, pos in
            con.execute("SELECT source, position FROM _positions WHERE source <> 'identity'").fetchall()}


def _move(con: duckdb.DuckDBPyConnection, source: str, position: int) -> None:
    con.execute("INSERT OR REPLACE INTO _positions VALUES (?, ?, ?)", [source, position, _naive(now())])


def _naive(at: datetime | None) -> datetime | None:
    return None if at is None else at.astimezone(UTC).replace(tzinfo=None)


def run(session: Session, *, progress: Progress | None = None) -> SyncResult:
    """Bring the warehouse up to date; returns what moved."""
    started = time.perf_counter()
    result = SyncResult()
    batch = get_settings().analytics_batch
    _start_over_if_replaced(session)
    while True:
        with writer() as con:
            done = positions(con).get("events", 0)
            logged = list(session.execute(select(Event.id, Event.occurred_at, Event.actor, Event.subject_type,
                                                 Event.subject_id, Event.type, Event.payload)
                                          .where(Event.id > done).order_by(Event.id).limit(batch)).all())
            if not logged:
                break
            con.begin()
            result.incidents += _events_step(session, con, logged)
            _move(con, "events", logged[-1].id)
            con.commit()
        result.events += len(logged)
        if progress:
            progress("events", result.events, result.events + _behind_events(session, logged[-1].id))
    total = None
    while True:
        with writer() as con:
            done = positions(con).get("signals", 0)
            rows = signals.export_after(session, SYSTEM, done, batch)
            if not rows:
                break
            con.begin()
            con.register("_batch", _arrow(rows))
            con.execute("INSERT INTO signals SELECT * FROM _batch")
            con.unregister("_batch")
            _move(con, "signals", rows[-1][0])
            con.commit()
        result.signals += len(rows)
        if progress:
            total = total or result.signals + _behind_signals(session, rows[-1][0])
            progress("signals", result.signals, max(total, result.signals))
    settings = get_settings()
    if settings.analytics_engine == "postgres":
        with writer() as con:
            postgres.mirror(con, session.get_bind().engine, batch=batch)
    directory = settings.analytics_export_dir
    if directory is not None and (result.rows or not (directory / "incidents.parquet").exists()):
        with writer() as con:
            parquet.export(con, directory)
    measure_lag(session)
    result.seconds = time.perf_counter() - started
    return result


def _start_over_if_replaced(session: Session) -> None:
    """Empty the warehouse when it no longer follows this database (one restored from an older
    backup, or another one altogether): the last event it copied is not the database's event of that
    id, or it is ahead of the signal store. It is then rebuilt from the start."""
    with writer() as con:
        done = positions(con)
        last = con.execute("SELECT id, type, subject_id, occurred_at FROM _log ORDER BY id DESC LIMIT 1").fetchone()
        same = True
        if last is not None:
            source = session.execute(select(Event.type, Event.subject_id, Event.occurred_at)
                                     .where(Event.id == last[0])).first()
            same = source is not None and (source[0], str(source[1]), _naive(source[2])) == tuple(last[1:])
        if same and done.get("signals", 0) <= signals.last_id(session, SYSTEM):
            return
        con.execute("DELETE FROM _positions WHERE source = 'layout'")
        warehouse.create(con)  # empties it, with a new identity
    directory = get_settings().analytics_export_dir
    if directory is not None:  # its signal days came from the other database
        shutil.rmtree(directory / "signals", ignore_errors=True)


def _behind_events(session: Session, position: int) -> int:
    return int(session.execute(select(func.count()).select_from(Event).where(Event.id > position)).scalar() or 0)


def _behind_signals(session: Session, position: int) -> int:
    return max(signals.last_id(session, SYSTEM) - position, 0)


def behind(session: Session, done: dict[str, int]) -> dict[str, int]:
    """Events and signals not yet in the warehouse."""
    return {"events": _behind_events(session, done.get("events", 0)),
            "signals": _behind_signals(session, done.get("signals", 0))}


def measure_lag(session: Session) -> dict[str, float]:
    """Set the lag gauges from the stored positions; returns the seconds behind per source."""
    import duckdb

    try:
        with warehouse.reader() as con:
            done = positions(con)
    except duckdb.Error:  # the file is being written: the next sync measures
        return {}
    out: dict[str, float] = {}
    at = now()
    first_event = session.execute(select(Event.occurred_at).where(Event.id > done.get("events", 0))
                                  .order_by(Event.id).limit(1)).scalar()
    pending = signals.export_after(session, SYSTEM, done.get("signals", 0), 1)
    oldest: dict[str, datetime | None] = {"events": first_event, "signals": pending[0][2] if pending else None}
    for source, rows in behind(session, done).items():
        since = oldest[source]
        out[source] = max((at - since).total_seconds(), 0.0) if since is not None else 0.0
        LAG.labels(source).set(out[source])
        BEHIND.labels(source).set(rows)
    return out


def _arrow(rows: list[tuple[Any, ...]]) -> pyarrow.Table:
    """Signal rows as an Arrow table with naive UTC times (the warehouse's TIMESTAMP)."""
    import pyarrow as pa

    columns = list(zip(*rows, strict=True))
    arrays = []
    for name, values in zip(signals.EXPORT_COLUMNS, columns, strict=True):
        if name.endswith("_at"):
            arrays.append(pa.array(values, type=pa.timestamp("us", tz="UTC")).cast(pa.timestamp("us")))
        else:
            arrays.append(pa.array(values))
    return pa.Table.from_arrays(arrays, names=list(signals.EXPORT_COLUMNS))


def _events_step(session: Session, con: duckdb.DuckDBPyConnection, rows: list[Any]) -> int:
    """Append the events to the log and the incident timelines, rebuild the derived tables and refresh
    the incidents they touched; returns how many incidents were refreshed."""
    import json

    con.executemany("INSERT INTO _log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(r.id, _naive(r.occurred_at), r.actor, r.subject_type, str(r.subject_id), r.type,
                      json.dumps(r.payload, ensure_ascii=False, default=str)) for r in rows])
    con.execute("INSERT INTO timeline SELECT id, payload->>'ref', occurred_at, type, actor, payload FROM _log "
                "WHERE subject_type = 'incident' AND id BETWEEN ? AND ?", [rows[0].id, rows[-1].id])
    for name, sql in DERIVED.items():
        con.execute(f"DELETE FROM {name}")
        con.execute(f"INSERT INTO {name} {sql}")
    _page_notifications(session, con)
    touched = {int(r.subject_id) for r in rows if r.subject_type == "incident" and str(r.subject_id).isdigit()}
    for incident_id in sorted(touched):
        _refresh_incident(session, con, incident_id)
    return len(touched)


def _page_notifications(session: Session, con: duckdb.DuckDBPyConnection) -> None:
    """Who each page reached and when, in their own time zone (out of hours, weekend)."""
    rows = con.execute("""
        SELECT CAST(payload->>'page_id' AS BIGINT), payload->>'ref', payload->>'team',
               unnest(CAST(payload->'notified' AS VARCHAR[])), occurred_at
        FROM _log WHERE type IN ('oncall.page_triggered', 'incident.page_triggered',
                                 'oncall.page_escalated', 'incident.page_escalated')""").fetchall()
    zones: dict[str, ZoneInfo] = {}
    for person in auth.active_people(session):
        try:
            zones[person.username] = ZoneInfo(person.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    default = ZoneInfo(get_settings().default_timezone)
    out = []
    for page_id, ref, team, username, at in rows:
        local = at.replace(tzinfo=UTC).astimezone(zones.get(username, default))
        weekend = local.weekday() >= 5
        out.append((page_id, ref, team, username, at, local.hour,
                    not weekend and not WORK_START <= local.hour < WORK_END, weekend))
    con.execute("DELETE FROM page_notifications")
    if out:
        con.executemany("INSERT INTO page_notifications VALUES (?, ?, ?, ?, ?, ?, ?, ?)", out)


def _refresh_incident(session: Session, con: duckdb.DuckDBPyConnection, incident_id: int) -> None:
    """The incident's row, tags and tasks as they are now (gone when it no longer exists)."""
    try:
        inc = incidents.get_by_id(session, SYSTEM, incident_id)
    except NotFound:
        return
    for table in ("incidents", "incident_tags", "tasks"):
        con.execute(f"DELETE FROM {table} WHERE ref = ?", [inc.ref])
    log = con.execute("SELECT type, payload->>'case', payload->>'team', payload->>'other' FROM _log "
                      "WHERE subject_type = 'incident' AND subject_id = ? AND type IN "
                      "('incident.case_linked', 'incident.page_triggered', 'incident.recurrence_linked', "
                      "'incident.request_registered') ORDER BY id", [str(incident_id)]).fetchall()
    cases = []
    for _type, case_id, _team, _other in log:
        if case_id and case_id.isdigit():
            try:
                cases.append(detection.get_case(session, SYSTEM, int(case_id)))
            except NotFound:
                continue
    types = [row[0] for row in log]
    first_signal = min((c.first_signal_at for c in cases if c.first_signal_at), default=None) or inc.detected_at
    alert = min((c.alert_at for c in cases if c.alert_at), default=None)
    team = next((row[2] for row in log if row[0] == "incident.page_triggered" and row[2]), "")
    paged = con.execute("SELECT min(triggered_at) FROM pages WHERE ref = ?", [inc.ref]).fetchone()
    recurs = next((row[3] for row in log if row[0] == "incident.recurrence_linked"), None)
    source = "detection" if "incident.case_linked" in types else \
        "regulator" if "incident.request_registered" in types else "manual"
    harms = sorted({c.harm for c in cases if c.harm} | set(inc.harm_categories) | {inc.type})
    until = inc.mitigated_at or inc.resolved_at or now()
    exposure = signals.exposure(session, SYSTEM, harms=harms, countries=list(inc.countries),
                                languages=list(inc.languages), since=first_signal, until=until)
    con.execute("INSERT INTO incidents VALUES (" + ", ".join("?" * len(warehouse.BY_NAME["incidents"].columns)) + ")", [
        inc.ref, inc.title, inc.type, (inc.harm_categories or [inc.type])[0],
        inc.countries[0] if inc.countries else None, inc.languages[0] if inc.languages else None,
        inc.severity, inc.status, source, team, inc.restricted, inc.merged_into,
        _naive(first_signal), _naive(alert), _naive(inc.declared_at), paged[0] if paged else None,
        _naive(inc.acknowledged_at),
        _naive(inc.mitigated_at), _naive(inc.resolved_at), _naive(inc.closed_at),
        sum(r.count for r in exposure), sum(r.count for r in exposure if r.source == "user_report"), recurs])
    tags = [(inc.ref, "harm", h) for h in (inc.harm_categories or [inc.type])]
    tags += [(inc.ref, "country", c) for c in inc.countries] + [(inc.ref, "language", lang) for lang in inc.languages]
    con.executemany("INSERT INTO incident_tags VALUES (?, ?, ?)", tags)
    tasks = incidents.tasks(session, SYSTEM, inc.ref)
    if tasks:
        con.executemany("INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
            (t.id, inc.ref, t.title, t.owner, t.status, _naive(t.created_at), _naive(t.due_at),
             _naive(t.completed_at)) for t in tasks])
