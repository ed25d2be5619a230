"""The live feed: it follows the event log from a cursor (as every ``serve`` process does on its own) and
hands each open page only what its viewer may see."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.dashboard.live import Change, Feed, Listener
from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents import work
from rapidresponse.incidents.schemas import LinkRequest, NoteCreate


def _note(actor: Actor, ref: str, body: str) -> None:
    with unit_of_work() as s:
        work.add_note(s, actor, ref, NoteCreate(body=body))


def _drain(listener: Listener) -> list[Change]:
    got = []
    while not listener.queue.empty():
        got.append(listener.queue.get_nowait())
    return got


async def _settle(feed: Feed, *listeners: Listener) -> None:
    """Wait until the feed has read to the head of the log and handed everything over."""
    with unit_of_work(read_only=True) as s:
        from sqlalchemy import func, select

        head = s.execute(select(func.max(events.Event.id))).scalar_one() or 0
    for _ in range(200):
        if feed.cursor is not None and feed.cursor >= head:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)  # the hand-over is scheduled on the loop


def test_each_viewer_hears_only_of_incidents_they_may_see(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander, viewer, outsider = make_user("commander"), make_user("viewer"), make_user("responder")
    shown = make_incident(commander, title="Open wave")
    secret = make_incident(commander, type="child_safety", title="Grooming ring SECRET-42", countries=["KZ"])

    async def run() -> tuple[list[Change], list[Change], list[Change], list[Change]]:
        feed = Feed(interval=0.02)
        board_c, board_v, board_o = feed.listen(commander), feed.listen(viewer), feed.listen(outsider)
        with unit_of_work(read_only=True) as s:
            only_secret = feed.listen(commander, incidents.get(s, commander, secret).id)
        await _settle(feed)
        await asyncio.to_thread(_note, commander, shown, "Takedowns started")
        await asyncio.to_thread(_note, commander, secret, "Partner notified")
        await _settle(feed)
        return _drain(board_c), _drain(board_v), _drain(board_o), _drain(only_secret)

    to_commander, to_viewer, to_outsider, to_page = asyncio.run(run())
    assert [(c.type, c.ref) for c in to_commander] == [("incident.note_added", shown), ("incident.note_added", secret)]
    assert [(c.type, c.ref) for c in to_viewer] == [("incident.note_added", shown)]
    assert [(c.type, c.ref) for c in to_outsider] == [("incident.note_added", shown)]
    assert [(c.type, c.ref) for c in to_page] == [("incident.note_added", secret)]
    assert all(set(c.data()) == {"id", "type", "ref"} for c in to_commander), "never the payload"


def test_an_event_naming_a_hidden_incident_reaches_only_those_who_see_both(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander, viewer = make_user("commander"), make_user("viewer")
    shown = make_incident(commander, title="Open wave")
    secret = make_incident(commander, type="child_safety", title="SECRET-42", countries=["KZ"])

    async def run() -> tuple[list[Change], list[Change]]:
        feed = Feed(interval=0.02)
        to_c, to_v = feed.listen(commander), feed.listen(viewer)
        await _settle(feed)

        def link() -> None:
            with unit_of_work() as s:
                incidents.link(s, commander, shown, LinkRequest(ref=secret, kind="related"))

        await asyncio.to_thread(link)
        await _settle(feed)
        return _drain(to_c), _drain(to_v)

    to_commander, to_viewer = asyncio.run(run())
    assert any(c.type == "incident.linked" and c.ref == shown for c in to_commander)
    assert not any(c.type == "incident.linked" for c in to_viewer)


def test_alerts_reach_the_board_of_those_who_read_alerts(engine: Engine, make_user: Callable[..., Actor]) -> None:
    responder, viewer = make_user("responder"), make_user("viewer")

    async def run() -> tuple[list[Change], list[Change]]:
        feed = Feed(interval=0.02)
        to_r, to_v = feed.listen(responder), feed.listen(viewer)
        await _settle(feed)

        def raise_alert() -> None:
            from rapidresponse import clock, signals

            with unit_of_work() as s:
                alerts.on_crossing(s, ("dangerous_challenge", "KZ", "kk"), bucket=signals.bucket_of(clock.now()),
                                   score=0.9, threshold=0.7, observed=20)

        await asyncio.to_thread(raise_alert)
        await _settle(feed)
        return _drain(to_r), _drain(to_v)

    to_responder, to_viewer = asyncio.run(run())
    assert [c.type for c in to_responder] == ["alert.raised"] and to_viewer == []


def test_an_id_committed_after_a_later_one_is_still_delivered(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    """Ids are handed out before commit, so a later id can commit first: the feed looks again for the id
    it read past. (SQLite has one writer at a time, so there its ids always commit in order.)"""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite commits one writer at a time: ids cannot commit out of order")
    commander = make_user("commander")
    first, second = make_incident(commander), make_incident(commander)

    async def run() -> list[Change]:
        feed = Feed(interval=3600)  # polled by hand below
        listener = feed.listen(commander)
        await asyncio.to_thread(feed.poll)  # the cursor starts at the head
        with contextlib.ExitStack() as slow:
            s = slow.enter_context(unit_of_work())
            work.add_note(s, commander, first, NoteCreate(body="slow writer"))
            s.flush()  # its event has an id, not yet committed
            await asyncio.to_thread(_note, commander, second, "fast writer")
            await asyncio.to_thread(feed.poll)  # reads the later id, notes the earlier one as a gap
        await asyncio.to_thread(feed.poll)  # the slow writer has committed
        await asyncio.sleep(0.05)
        return _drain(listener)

    got = asyncio.run(run())
    assert [c.ref for c in got if c.type == "incident.note_added"] == [second, first]
