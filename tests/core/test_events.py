"""The hash-chained event log: every change is chained, and any tampering is found."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, delete, select, text, update

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event, StreamHead


def _write(n: int, subject: str = "1") -> None:
    with unit_of_work() as s:
        for i in range(n):
            events.record(s, type="test.happened", subject_type="thing", subject_id=subject,
                          payload={"i": i, "text": "Қазақстан ә ғ қ ң ө ұ ү һ і — საქართველო — Հայաստան"})


def _verify() -> events.VerifyResult:
    with unit_of_work(read_only=True) as s:
        return events.verify(s)


def test_events_chain_per_stream(engine: Engine) -> None:
    _write(3, "a")
    _write(2, "b")
    with unit_of_work(read_only=True) as s:
        a = events.for_subject(s, "thing", "a")
    assert [e.seq for e in a] == [1, 2, 3]
    assert a[0].prev_hash == events.GENESIS and a[1].prev_hash == a[0].hash
    assert a[0].payload["text"].startswith("Қазақстан")
    result = _verify()
    assert result.ok and result.events_checked == 5 and result.streams_checked == 2


def test_altered_payload_is_found(engine: Engine) -> None:
    _write(3)
    with unit_of_work() as s:
        target = s.execute(select(Event).where(Event.seq == 2)).scalar_one()
        s.execute(update(Event).where(Event.id == target.id).values(payload={"i": 99}))
    result = _verify()
    assert not result.ok
    assert (result.stream, result.seq) == ("thing:1", 2)
    assert "altered" in (result.reason or "")


def test_removed_middle_event_is_found(engine: Engine) -> None:
    _write(3)
    with unit_of_work() as s:
        s.execute(delete(Event).where(Event.seq == 2))
    result = _verify()
    assert not result.ok and result.seq == 3 and "removed" in (result.reason or "")


def test_removed_last_event_is_found(engine: Engine) -> None:
    _write(3)
    with unit_of_work() as s:
        s.execute(delete(Event).where(Event.seq == 3))
    result = _verify()
    assert not result.ok and "trailing" in (result.reason or "")


def test_removed_whole_stream_is_found_by_the_anchor(engine: Engine) -> None:
    _write(2, "a")
    with unit_of_work() as s:
        anchor = events.anchor(s)
    assert anchor is not None and anchor.payload["heads"]["thing:a"][0] == 2
    with unit_of_work() as s:
        assert events.anchor(s) is None  # nothing moved since
        s.execute(delete(Event).where(Event.stream == "thing:a"))
        s.execute(delete(StreamHead).where(StreamHead.stream == "thing:a"))
    result = _verify()
    assert not result.ok and "anchor" in (result.reason or "")


def test_rewritten_chain_without_fixing_the_head_is_found(engine: Engine) -> None:
    _write(2)
    with unit_of_work() as s:
        s.execute(text("UPDATE events SET hash = :h WHERE seq = 2"), {"h": "f" * 64})
    assert not _verify().ok


def test_rolled_back_change_leaves_no_event(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work() as s:
        events.record(s, type="test.happened", subject_type="thing", subject_id="x")
        raise RuntimeError("the request failed after recording")
    with unit_of_work(read_only=True) as s:
        assert events.for_subject(s, "thing", "x") == []
    assert _verify().ok


def test_concurrent_writers_keep_every_chain_intact(engine: Engine, make_user: Callable[..., Actor]) -> None:
    def work(worker: int) -> None:
        for i in range(10):
            with unit_of_work() as s:
                events.record(s, type="test.happened", subject_type="thing", subject_id=str(i % 3),
                              payload={"worker": worker, "i": i})

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    result = _verify()
    assert result.ok and result.events_checked == 40


def test_subscribers_run_in_the_same_transaction(engine: Engine) -> None:
    seen: list[str] = []

    @events.subscribe("test.subscribed")
    def react(session, ev):  # type: ignore[no-untyped-def]
        seen.append(ev.stream)
        events.record(session, type="test.reacted", subject_type="thing", subject_id="r")

    with pytest.raises(RuntimeError), unit_of_work() as s:
        events.record(s, type="test.subscribed", subject_type="thing", subject_id="s")
        raise RuntimeError("roll back")
    with unit_of_work(read_only=True) as s:
        assert events.for_subject(s, "thing", "r") == []  # the reaction rolled back with the action
    with unit_of_work() as s:
        events.record(s, type="test.subscribed", subject_type="thing", subject_id="s")
    with unit_of_work(read_only=True) as s:
        assert [e.type for e in events.for_subject(s, "thing", "r")] == ["test.reacted"]
    assert seen == ["thing:s", "thing:s"]
    events._subscribers["test.subscribed"].remove(react)
