"""Batch intake through the service: validation, idempotency, all-or-nothing, series, one event per batch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import PermissionDenied, ValidationFailed
from rapidresponse.events import Event
from rapidresponse.signals import service
from rapidresponse.signals.models import SeriesBucket, Signal
from rapidresponse.signals.schemas import SeriesQuery, SignalFilter

Rows = Callable[..., list[dict[str, Any]]]


def _count(model: Any) -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def _events() -> list[Event]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(Event).where(Event.type == "signals.batch_ingested")).scalars())


def test_batch_is_idempotent_and_one_event(make_user: Callable[..., Actor], rows: Rows) -> None:
    analyst = make_user("analyst")
    with unit_of_work() as s:
        first = service.ingest(s, analyst, rows(300))
    assert (first.inserted, first.duplicates, first.rejected) == (300, 0, [])
    with unit_of_work() as s:
        again = service.ingest(s, analyst, rows(310))
    assert (again.inserted, again.duplicates) == (10, 300)
    assert _count(Signal) == 310
    evs = _events()
    assert len(evs) == 2 and evs[0].payload["inserted"] == 300 and evs[1].payload["inserted"] == 10
    with unit_of_work() as s:
        same = service.ingest(s, analyst, rows(310))
    assert same.inserted == 0 and len(_events()) == 2  # nothing changed, nothing recorded


def test_duplicates_inside_one_batch_count_once(make_user: Callable[..., Actor], rows: Rows) -> None:
    batch = rows(5) + rows(5)
    with unit_of_work() as s:
        got = service.ingest(s, make_user("admin"), batch)
    assert (got.inserted, got.duplicates) == (5, 5)
    assert _count(Signal) == 5


def test_same_external_id_from_two_sources_is_two_signals(make_user: Callable[..., Actor], rows: Rows) -> None:
    with unit_of_work() as s:
        got = service.ingest(s, make_user("admin"), rows(3) + rows(3, source="classifier"))
    assert got.inserted == 6


def test_partial_keeps_valid_rows_and_says_why(make_user: Callable[..., Actor], rows: Rows) -> None:
    batch = rows(4)
    batch[1]["source"] = "rumour"
    batch[2]["harm"] = "not_a_harm"
    batch[3]["occurred_at"] = "2026-03-01T08:00:00"  # naive
    batch.append({"external_id": "x", "source": "press", "occurred_at": "2026-03-01T08:00:00Z", "colour": "red"})
    batch.append(["not", "an", "object"])  # type: ignore[arg-type]
    with unit_of_work() as s:
        got = service.ingest(s, make_user("responder"), batch)
    assert got.inserted == 1
    reasons = {e.row: e.reason for e in got.rejected}
    assert sorted(reasons) == [1, 2, 3, 4, 5]
    assert "source" in reasons[1] and "not_a_harm" in reasons[2] and "timezone" in reasons[3]
    assert "colour" in reasons[4] and "object" in reasons[5]
    assert got.rejected[0].external_id == "r-1"


def test_all_or_nothing_changes_nothing(make_user: Callable[..., Actor], rows: Rows) -> None:
    batch = rows(50)
    batch[49]["country"] = "Kazakhstan"
    with unit_of_work() as s, pytest.raises(ValidationFailed) as refused:
        service.ingest(s, make_user("admin"), batch, mode="all_or_nothing")
    assert "1 of 50 signals are invalid" in refused.value.detail
    assert [e["row"] for e in refused.value.extra["rejected"]] == [49]
    assert _count(Signal) == 0 and _count(SeriesBucket) == 0 and _events() == []


def test_permissions(make_user: Callable[..., Actor], rows: Rows) -> None:
    for role in ("commander", "comms", "viewer"):
        with unit_of_work() as s, pytest.raises(PermissionDenied):
            service.ingest(s, make_user(role), rows(1))
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        service.list_signals(s, make_user("viewer"), SignalFilter())
    with unit_of_work() as s:
        service.list_signals(s, make_user("comms"), SignalFilter())
    with unit_of_work() as s, pytest.raises(ValidationFailed):
        service.ingest(s, make_user("admin"), rows(10_001))


def test_series_is_maintained_incrementally(make_user: Callable[..., Actor], rows: Rows) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        service.ingest(s, admin, rows(12))  # minutes 0..11: buckets 08:00 (5), 08:05 (5), 08:10 (2)
        service.process_pending(s)
    with unit_of_work() as s:
        service.ingest(s, admin, rows(12, start=12, language="kk") + rows(3, start=100, harm=None))
        service.process_pending(s)
    q = SeriesQuery(since=datetime.fromisoformat("2026-03-01T08:00:00+00:00"),
                    until=datetime.fromisoformat("2026-03-01T08:30:00+00:00"), harm="dangerous_challenge")
    with unit_of_work(read_only=True) as s:
        five = service.series(s, admin, q)
        ru = service.series(s, admin, q.model_copy(update={"language": "ru"}))
        ten = service.series(s, admin, q.model_copy(update={"bucket_minutes": 10}))
        with pytest.raises(ValidationFailed):
            service.series(s, admin, q.model_copy(update={"bucket_minutes": 7}))
    assert [p.count for p in five.points] == [5, 5, 5, 5, 4, 0]
    assert [p.count for p in ru.points] == [5, 5, 2, 0, 0, 0]
    assert [p.count for p in ten.points] == [10, 10, 4]
    assert five.total == 24


def test_series_upsert_adds_on_existing_bucket(session: Session, make_user: Callable[..., Actor],
                                               rows: Rows) -> None:
    admin = make_user("admin")
    service.ingest(session, admin, rows(2))
    service.process_pending(session)
    service.ingest(session, admin, rows(2, start=2))
    service.process_pending(session)
    counts = session.execute(select(SeriesBucket.count)).scalars().all()
    assert counts == [4]


def test_list_filters_and_text_search(make_user: Callable[..., Actor], rows: Rows) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        service.ingest(s, admin, rows(5) + rows(3, start=5, country="ru", text="Тихий ДОМ ждёт") +
                       rows(2, start=8, source="press", text="50% of 100_000"))
        service.process_pending(s)
    with unit_of_work(read_only=True) as s:
        ru, n_ru = service.list_signals(s, admin, SignalFilter(country="RU"))
        found, n_found = service.list_signals(s, admin, SignalFilter(q="тихий дом"))
        _, n_pct = service.list_signals(s, admin, SignalFilter(q="50%"))
        _, n_none = service.list_signals(s, admin, SignalFilter(q="%%"))  # LIKE wildcards are escaped
        page, total = service.list_signals(s, admin, SignalFilter(limit=4, offset=4))
    assert n_ru == 3 and all(x.country == "RU" for x in ru)
    assert n_found == 3 and found[0].text == "Тихий ДОМ ждёт"
    assert n_pct == 2 and n_none == 0
    assert total == 10 and [x.external_id for x in page] == ["r-5", "r-4", "r-3", "r-2"]
