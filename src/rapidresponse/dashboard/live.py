"""Changes as they happen: the event log, followed from a cursor, handed to every open page that may see them.

The event log in the database is the only source, so every ``serve`` process (``serve --workers N``)
follows it on its own and a change made through one process reaches the pages open on all of them.
Each process runs one :class:`Feed`: it reads the events after its cursor every ``interval`` seconds
(``RAPIDRESPONSE_LIVE_POLL_SECONDS``), and at once when a transaction of this process commits events
(so a change made here does not wait for the next poll). An id the database gave out but whose
transaction had not committed when the feed read past it (ids are handed out before commit, so a later
id can commit first) is looked for again until ``GAP_SECONDS`` have passed; one whose transaction rolled
back never appears.

A listener (one open page) receives only events about what its viewer may see: an incident's events
when the viewer may see that incident and every incident the event names, alerts and cases only with
``alerts:read``, pages and requests only with their domain's permission and when the incident they
name is visible. A message carries the event's id, type and incident reference, never its payload: the
page fetches what changed through the ordinary, permission-checked pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import event as sa_event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import events, incidents
from ..auth import Actor, Perm
from ..config import get_settings
from ..db import unit_of_work
from ..errors import NotFound

log = structlog.get_logger("rapidresponse.live")
GAP_SECONDS = 10.0
BATCH = 500
QUEUE_SIZE = 1000
_REF = re.compile(r"^INC-\d{4}-\d{3,}$")
# Non-incident event families a board shows, and the permission a viewer needs to hear of them.
BOARD_FAMILIES: dict[str, Perm] = {
    "alert.": Perm.ALERTS_READ, "case.": Perm.ALERTS_READ, "oncall.page_": Perm.ONCALL_READ,
    "request.": Perm.POLICY_READ,
}


@dataclass(frozen=True)
class Change:
    """One committed event as a listener receives it."""

    id: int
    type: str
    subject_type: str
    subject_id: str
    ref: str | None
    named: tuple[str, ...]  # incident references in its payload

    def data(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "ref": self.ref}


@dataclass(eq=False)
class Listener:
    """One open page: its viewer, what it follows (the board, or one incident) and its queue."""

    actor: Actor
    incident_id: int | None = None
    queue: asyncio.Queue[Change] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: bool = False

    def offer(self, change: Change) -> None:
        try:
            self.queue.put_nowait(change)
        except asyncio.QueueFull:  # a page that reads nothing for this long reloads when it wakes
            self.dropped = True


def _refs(payload: Any) -> Iterable[str]:
    if isinstance(payload, str):
        if _REF.match(payload):
            yield payload
    elif isinstance(payload, dict):
        for value in payload.values():
            yield from _refs(value)
    elif isinstance(payload, list):
        for value in payload:
            yield from _refs(value)


def to_change(row: events.Event) -> Change:
    payload = row.payload or {}
    ref = payload.get("ref") if row.subject_type == "incident" else payload.get("incident_ref") or payload.get("ref")
    named = tuple(dict.fromkeys(_refs(payload)))
    return Change(id=row.id, type=row.type, subject_type=row.subject_type, subject_id=row.subject_id,
                  ref=ref if isinstance(ref, str) else None, named=named)


class Visibility:
    """Which incidents one viewer may see, asked once per reference per batch."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self.known: dict[str, int | None] = {}

    def incident_id(self, ref: str) -> int | None:
        if ref not in self.known:
            try:
                self.known[ref] = incidents.get(self.session, self.actor, ref).id
            except NotFound:
                self.known[ref] = None
        return self.known[ref]

    def sees_all(self, refs: Iterable[str]) -> bool:
        return all(self.incident_id(r) is not None for r in refs)


def reaches(change: Change, listener: Listener, seen: Visibility) -> bool:
    """Whether the listener's viewer may hear of this change (and it concerns what the page shows)."""
    actor = listener.actor
    if not actor.can(Perm.INCIDENTS_READ) or change.type == "incident.viewed":
        return False
    if change.subject_type == "incident":
        if change.ref is None or not seen.sees_all([change.ref, *change.named]):
            return False
        return listener.incident_id is None or seen.incident_id(change.ref) == listener.incident_id
    if listener.incident_id is not None:
        return False
    perm = next((p for prefix, p in BOARD_FAMILIES.items() if change.type.startswith(prefix)), None)
    return perm is not None and actor.can(perm) and seen.sees_all(change.named)


class Feed:
    """This process's follower of the event log (see the module's docstring)."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = interval if interval is not None else get_settings().live_poll_seconds
        self.listeners: set[Listener] = set()
        self.cursor: int | None = None
        self.gaps: dict[int, float] = {}
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = threading.Lock()

    # ---- listeners -------------------------------------------------------------------------------
    def listen(self, actor: Actor, incident_id: int | None = None) -> Listener:
        self._ensure_running()
        listener = Listener(actor=actor, incident_id=incident_id)
        self.listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    # ---- the loop --------------------------------------------------------------------------------
    def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._loop is loop:
            return
        self._loop, self._wake = loop, asyncio.Event()
        self._task = loop.create_task(self._run())

    def wake(self) -> None:
        """Read the log now (called from any thread when this process committed events)."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
            if not self.listeners:
                self.cursor = None  # nobody listens: start from the head when someone does
                continue
            try:
                await asyncio.to_thread(self.poll)
            except Exception:  # a database hiccup must not end the feed
                log.exception("live.poll_failed")

    def poll(self) -> None:
        """Read what was committed since the cursor and hand it to the listeners that may see it."""
        with self._lock, unit_of_work(read_only=True) as s:
            if self.cursor is None:
                self.cursor = s.execute(select(events.Event.id).order_by(events.Event.id.desc()).limit(1)
                                        ).scalar_one_or_none() or 0
                return
            rows = self._read(s)
            if rows:
                self.deliver(s, [to_change(r) for r in rows])

    def _read(self, s: Session) -> list[events.Event]:
        assert self.cursor is not None
        at = time.monotonic()
        self.gaps = {i: t for i, t in self.gaps.items() if at - t < GAP_SECONDS}
        cond = events.Event.id > self.cursor
        if self.gaps:
            cond = or_(cond, events.Event.id.in_(list(self.gaps)))
        rows = list(s.execute(select(events.Event).where(cond).order_by(events.Event.id).limit(BATCH)).scalars())
        got = {r.id for r in rows}
        for i in got:
            self.gaps.pop(i, None)
        fresh = [r.id for r in rows if r.id > self.cursor]
        if fresh:
            self.gaps.update({i: at for i in range(self.cursor + 1, max(fresh)) if i not in got})
            self.cursor = max(fresh)
        return rows

    def deliver(self, s: Session, changes: list[Change]) -> None:
        by_viewer: dict[tuple[int | None, str], Visibility] = {}
        for listener in list(self.listeners):
            key = (listener.actor.user_id, listener.actor.role)
            seen = by_viewer.setdefault(key, Visibility(s, listener.actor))
            for change in changes:
                if reaches(change, listener, seen):
                    self._hand(listener, change)

    def _hand(self, listener: Listener, change: Change) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(listener.offer, change)


class _ProcessFeed:
    """The process's feed, made on first use (when the settings are read)."""

    feed: Feed | None = None

    def get(self) -> Feed:
        if self.feed is None:
            self.feed = Feed()
        return self.feed


PROCESS = _ProcessFeed()


def feed() -> Feed:
    return PROCESS.get()


@sa_event.listens_for(Session, "after_flush")
def _note_events(session: Session, _context: Any) -> None:
    if any(isinstance(o, events.Event) for o in session.new):
        session.info["live_events"] = True


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop("live_events", False) and PROCESS.feed is not None:
        PROCESS.feed.wake()


@sa_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop("live_events", None)
