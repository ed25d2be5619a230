"""The in-memory trend index: refreshed with only new trends, correct when another process (or a
concurrent transaction) adds trends, and per-trend series kept up at intake."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from signalkit import signal_row
from sqlalchemy import Engine, select

from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import get_engine, unit_of_work
from rapidresponse.signals import clustering, service, trends
from rapidresponse.signals.models import Signal, Trend, TrendBucket

THREAT = "Внимание! Завтра в школе №{n} будет как в Керчи, не приходите. Всем разослать!!!"
CHALLENGE = "Новый челлендж собачий кайф, снимай как друг падает в обморок и выкладывай с тегом {n}"
HOAX = "Срочно: в сети появилась игра синий кит, пятьдесят заданий, последнее смертельное {n}"

OTHER_PROCESS = """
import json, sys
from rapidresponse import db
from rapidresponse.auth import SYSTEM
from rapidresponse.signals import service
db.configure(sys.argv[1])
with db.unit_of_work() as s:
    service.ingest(s, SYSTEM, json.loads(sys.stdin.read()))
    service.process_pending(s)
"""


def _at(minutes: float) -> str:
    return (datetime.fromisoformat("2026-03-01T09:00:00+00:00") + timedelta(minutes=minutes)).isoformat()


def _other_process(rows: list[dict[str, Any]]) -> None:
    url = get_engine().url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", OTHER_PROCESS, url], input=json.dumps(rows), text=True, check=True,
                   env={**os.environ}, timeout=120)


def _trend_of(ext: str) -> int | None:
    with unit_of_work(read_only=True) as s:
        return s.execute(select(Signal.trend_id).where(Signal.external_id == ext)).scalar_one()


def test_another_process_trends_are_joined_without_rebuilding(make_user: Callable[..., Actor],
                                                              fake_clock: Any) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(i, text=THREAT.format(n=i), occurred_at=_at(-60 + i)) for i in range(3)])
        service.process_pending(s)
        index = clustering.index_for(s)
    rebuilds, threat = index.rebuilds, _trend_of("r-0")
    # Another process starts a trend of its own and joins ours (it builds its index from the database).
    _other_process([signal_row(10 + i, text=CHALLENGE.format(n=i), occurred_at=_at(-50 + i)) for i in range(3)]
                   + [signal_row(20, text=THREAT.format(n=9), occurred_at=_at(-40))])
    challenge = _trend_of("r-10")
    assert challenge is not None and challenge != threat and _trend_of("r-20") == threat
    # This process picks the other's trend up incrementally and joins it.
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(30, text=CHALLENGE.format(n=7), occurred_at=_at(-30)),
                                  signal_row(31, text=THREAT.format(n=8), occurred_at=_at(-30))])
        service.process_pending(s)
    assert (_trend_of("r-30"), _trend_of("r-31")) == (challenge, threat)
    assert index.rebuilds == rebuilds and threat in index.first and challenge in index.first
    with unit_of_work(read_only=True) as s:
        counts = {t.id: t.count for t in trends.list_trends(s, admin)}
    assert counts == {threat: 5, challenge: 4}


def test_an_emptied_database_rebuilds_the_index(make_user: Callable[..., Actor], engine: Engine) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(i, text=THREAT.format(n=i)) for i in range(2)])
        service.process_pending(s)
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(2, text=THREAT.format(n=3))])  # the index now holds the trend
        service.process_pending(s)
        index = clustering.index_for(s)
    rebuilds = index.rebuilds
    assert _trend_of("r-2") in index.first
    with engine.begin() as conn:  # ids start again, with other texts behind them
        conn.execute(Signal.__table__.delete())
        conn.execute(Trend.__table__.delete())
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER SEQUENCE signal_trends_id_seq RESTART WITH 1")
    with unit_of_work() as s:
        service.ingest(s, admin, [signal_row(10 + i, text=HOAX.format(n=i)) for i in range(2)])
        service.process_pending(s)
        service.ingest(s, admin, [signal_row(20, text=THREAT.format(n=5))])
        service.process_pending(s)
    hoax, threat = _trend_of("r-10"), _trend_of("r-20")
    assert hoax is not None and threat is not None and hoax != threat  # not joined to a stale entry
    assert index.rebuilds > rebuilds


def test_a_trend_committed_late_is_still_joined(make_user: Callable[..., Actor], engine: Engine) -> None:
    """A transaction that took a lower trend id commits after a higher id was indexed: the gap is
    read again at the next refresh, so the late trend is joined, not duplicated."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: ids cannot commit out of order")
    make_user("admin")

    def insert(s: Any, i: int, text: str, country: str) -> None:  # no batch event: no shared lock
        good, _ = service.validate_rows([signal_row(i, text=text, country=country)])
        service.insert_rows(s, good)
        service.process_pending(s)  # claims only what this transaction sees: its own row

    slow = unit_of_work()
    s1 = slow.__enter__()
    insert(s1, 1, THREAT.format(n=1), "KZ")  # takes the lower trend id, not committed yet
    with unit_of_work() as s:
        insert(s, 2, CHALLENGE.format(n=1), "RU")
    with unit_of_work() as s:
        insert(s, 3, HOAX.format(n=1), "UZ")  # the refresh sees the higher id and a gap below it
    slow.__exit__(None, None, None)  # commits
    with unit_of_work() as s:
        insert(s, 4, THREAT.format(n=2), "KG")
    assert _trend_of("r-4") == _trend_of("r-1") is not None
    assert _trend_of("r-1") < _trend_of("r-2")  # type: ignore[operator]


def test_per_trend_series_growth_and_api(make_user: Callable[..., Actor], fake_clock: Any,
                                         engine: Engine) -> None:
    admin = make_user("admin")
    rows = ([signal_row(i, text=THREAT.format(n=i), occurred_at=_at(-100 + i)) for i in range(4)]
            + [signal_row(10 + i, text=THREAT.format(n=i), occurred_at=_at(-12 + i)) for i in range(8)])
    with unit_of_work() as s:
        service.ingest(s, admin, rows[:6])
        service.process_pending(s)
    with unit_of_work() as s:
        service.ingest(s, admin, rows[6:])
        service.process_pending(s)
    tid = _trend_of("r-0")
    assert tid is not None
    with unit_of_work(read_only=True) as s:
        buckets = {b.bucket.isoformat(): b.count for b in s.execute(select(TrendBucket)).scalars()}
        trend = trends.get_trend(s, admin, tid)
        line = trends.sparklines(s, admin, [tid], hours=3, bucket_minutes=60)[tid]
    assert buckets == {_at(-100): 4, _at(-15): 2, _at(-10): 5, _at(-5): 1}  # 5-minute buckets
    assert (trend.last_hour, trend.previous_hour, trend.growth) == (8, 4, 2.0)
    assert line == [4, 8, 0]  # 07:00, 08:00 and the running hour 09:00
    with TestClient(create_app(embedded_worker=False)) as client:
        with unit_of_work() as s:
            _, secret = auth.create_token(s, admin, name="tests", scopes=None, days=1)
        headers = {"authorization": f"Bearer {secret}"}
        got = client.get(f"/api/v1/trends/{tid}/series", headers=headers,
                         params={"since": _at(-120), "until": _at(0), "bucket_minutes": 60})
        assert got.status_code == 200, got.text
        body = got.json()
        assert [p["count"] for p in body["points"]] == [4, 8] and body["total"] == 12
        assert client.get(f"/api/v1/trends/{tid}/series", headers=headers,
                          params={"since": _at(0), "until": _at(-10)}).status_code == 422
        assert client.get(f"/api/v1/trends/{tid}/series", headers=headers,
                          params={"since": _at(-10), "until": _at(0), "bucket_minutes": 7}).status_code == 422
        assert client.get("/api/v1/trends/99999/series", headers=headers,
                          params={"since": _at(-10), "until": _at(0)}).status_code == 404
        ranked = client.get("/api/v1/trends", headers=headers, params={"order": "growth", "min_count": 1})
        assert ranked.status_code == 200 and ranked.json()[0]["id"] == tid
