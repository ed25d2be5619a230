"""The hash-chained event log: every change is chained, and any tampering is found."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session

from rapidresponse import events
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event, StreamHead
from rapidresponse.i18n import Translate, english


class Happened(events.DomainEvent):
    type = "test.happened"
    subject_type = "thing"
    i: int = 0
    text: str = ""
    worker: int | None = None

    def describe(self, _: Translate) -> str:
        return _("thing %(i)s happened", i=self.i)


class Subscribed(events.DomainEvent):
    type = "test.subscribed"
    subject_type = "thing"


class Reacted(events.DomainEvent):
    type = "test.reacted"
    subject_type = "thing"


def _write(n: int, subject: str = "1") -> None:
    with unit_of_work() as s:
        for i in range(n):
            events.record(s, None, Happened(subject_id=subject, i=i,
                                            text="Қазақстан ә ғ қ ң ө ұ ү һ і — საქართველო — Հայաստան"))


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


def test_a_forged_anchor_is_found_by_its_signature(engine: Engine) -> None:
    """Whoever can write the database can chain events (the chain is unkeyed) but cannot sign an anchor."""
    _write(2, "a")
    with unit_of_work() as s:
        forged = events.LogAnchored(subject_id="anchor", heads={"thing:a": [1, "0" * 64]}, mac="f" * 64)
        events.record(s, None, forged, stream=events.ANCHOR_STREAM)
    result = _verify()
    assert not result.ok and "not signed with this installation's key" in (result.reason or "")


def test_a_log_rewritten_from_its_start_is_found_by_an_exported_checkpoint(engine: Engine) -> None:
    _write(3, "a")
    with unit_of_work() as s:
        point = events.checkpoint(s)
    assert point["heads"]["thing:a"][0] == 3 and point["mac"]
    with unit_of_work() as s:  # rewrite history: every event and head gone, a new, self-consistent log
        s.execute(delete(Event))
        s.execute(delete(StreamHead))
    _write(3, "a")
    assert _verify().ok  # nothing inside the database can tell
    with unit_of_work(read_only=True) as s:
        result = events.verify(s, checkpoints=[point])
        assert not result.ok and "sealed by the checkpoint" in (result.reason or "")
        tampered = {**point, "heads": {"thing:a": [3, "0" * 64]}}
        result = events.verify(s, checkpoints=[tampered])
        assert not result.ok and "checkpoint" in (result.reason or "") and "not signed" in (result.reason or "")


def test_audit_anchor_export_and_verify_from_the_cli(engine: Engine, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rapidresponse.cli import app

    runner = CliRunner()
    _write(2, "b")
    out = tmp_path / "checkpoint.json"
    assert runner.invoke(app, ["audit", "anchor", "--export", str(out)]).exit_code == 0
    verified = runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)])
    assert verified.exit_code == 0 and "1 checkpoint(s) hold" in verified.output
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert runner.invoke(app, ["audit", "verify", "--checkpoint", str(tmp_path / "bad.json")]).exit_code == 2
    with unit_of_work() as s:
        s.execute(delete(Event).where(Event.stream == "thing:b", Event.seq == 1))
    assert runner.invoke(app, ["audit", "verify", "--checkpoint", str(out)]).exit_code == 1


def test_rewritten_chain_without_fixing_the_head_is_found(engine: Engine) -> None:
    _write(2)
    with unit_of_work() as s:
        s.execute(text("UPDATE events SET hash = :h WHERE seq = 2"), {"h": "f" * 64})
    assert not _verify().ok


def test_rolled_back_change_leaves_no_event(engine: Engine) -> None:
    with pytest.raises(RuntimeError), unit_of_work() as s:
        events.record(s, None, Happened(subject_id="x"))
        raise RuntimeError("the request failed after recording")
    with unit_of_work(read_only=True) as s:
        assert events.for_subject(s, "thing", "x") == []
    assert _verify().ok


def test_concurrent_writers_keep_every_chain_intact(engine: Engine, make_user: Callable[..., Actor]) -> None:
    def work(worker: int) -> None:
        for i in range(10):
            with unit_of_work() as s:
                events.record(s, None, Happened(subject_id=str(i % 3), worker=worker, i=i))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    result = _verify()
    assert result.ok and result.events_checked == 40


def test_subscribers_run_in_the_same_transaction(engine: Engine) -> None:
    seen: list[str] = []

    @events.subscribe(Subscribed)
    def react(session: Session, event: Subscribed, row: Event) -> None:
        seen.append(row.stream)
        events.record(session, SYSTEM, Reacted(subject_id="r"))

    try:
        with pytest.raises(RuntimeError), unit_of_work() as s:
            events.record(s, None, Subscribed(subject_id="s"))
            raise RuntimeError("roll back")
        with unit_of_work(read_only=True) as s:
            assert events.for_subject(s, "thing", "r") == []  # the reaction rolled back with the action
        with unit_of_work() as s:
            events.record(s, None, Subscribed(subject_id="s"))
        with unit_of_work(read_only=True) as s:
            assert [e.type for e in events.for_subject(s, "thing", "r")] == ["test.reacted"]
        assert seen == ["thing:s", "thing:s"]
    finally:
        events._subscribers["test.subscribed"].remove(react)


def test_a_failing_subscriber_rolls_back_alone_and_is_surfaced(engine: Engine) -> None:
    """The change that recorded the event stands; the failed reaction leaves nothing but its record."""

    @events.subscribe(Subscribed)
    def half_done(session: Session, event: Subscribed, row: Event) -> None:
        events.record(session, SYSTEM, Reacted(subject_id="half"))
        raise RuntimeError("the mail relay is down")

    @events.subscribe(Subscribed)
    def fine(session: Session, event: Subscribed, row: Event) -> None:
        events.record(session, SYSTEM, Reacted(subject_id="fine"))

    try:
        with unit_of_work() as s:
            events.record(s, None, Subscribed(subject_id="s"))
    finally:
        events._subscribers["test.subscribed"].remove(half_done)
        events._subscribers["test.subscribed"].remove(fine)
    with unit_of_work(read_only=True) as s:
        stream = events.for_subject(s, "thing", "s")
        assert events.for_subject(s, "thing", "half") == []
        assert [e.type for e in events.for_subject(s, "thing", "fine")] == ["test.reacted"]
        assert events.verify(s).ok
    assert [e.type for e in stream] == ["test.subscribed", "log.subscriber_failed"]
    failure = events.parse(stream[1])
    assert isinstance(failure, events.SubscriberFailed)
    assert failure.failed_type == "test.subscribed" and failure.event_id == stream[0].id
    assert "mail relay is down" in failure.error and failure.handler.endswith("half_done")
    assert "half_done" in failure.describe(english)


def test_stored_events_read_back_typed_and_described(engine: Engine) -> None:
    _write(2, "t")
    with unit_of_work(read_only=True) as s:
        rows = events.for_subject(s, "thing", "t")
    typed = [events.parse(r) for r in rows]
    assert typed == [Happened(subject_id="t", i=0, text=typed[0].text), Happened(subject_id="t", i=1,
                                                                                    text=typed[1].text)]
    assert events.describe(rows[1]) == "thing 1 happened"
    assert events.describe(rows[1], lambda m, **v: "#" + english(m, **v)) == "#thing 1 happened"


def test_an_unknown_or_outdated_event_still_reads(engine: Engine) -> None:
    with unit_of_work() as s:
        def stored(event_type: str, payload: dict[str, object]) -> Event:  # as an older release wrote it
            return events.record(s, None, events.UnknownEvent(subject_id="u", stored_type=event_type,
                                                              stored_subject_type="thing", data=payload))

        gone = stored("test.retired", {"a": 1})
        old = stored("test.happened", {"i": 3, "removed_field": True})
        bad = stored("test.happened", {"i": "not a number"})
    unknown = events.parse(gone)
    assert isinstance(unknown, events.UnknownEvent) and unknown.event_type == "test.retired"
    assert unknown.payload == {"a": 1} and events.describe(gone) == "test.retired"
    assert events.parse(old) == Happened(subject_id="u", i=3)
    assert events.describe(bad) == "test.happened"


def test_a_misspelt_field_or_a_second_declaration_is_refused() -> None:
    with pytest.raises(ValidationError):
        Happened(subject_id="1", ii=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="declared twice"):
        type("Again", (events.DomainEvent,), {"type": "test.happened", "subject_type": "thing",
                                              "__module__": "elsewhere", "__annotations__": {}})
    assert events.CATALOGUE["test.happened"] is Happened
