"""The append-only, hash-chained event log.

Every state change records an event in the same transaction as the change. Events are chained per
stream (one stream per subject, e.g. ``incident:42``), so concurrent writers on different subjects
never wait for each other; the worker periodically writes an *anchor* event that seals the heads of
the streams that moved since the last anchor, so that deleting a whole stream is detectable too.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import now
from .db import Base, JSONType, UTCDateTime, insert_ignore

GENESIS = "0" * 64
ANCHOR_STREAM = "anchor"
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("stream", "seq"),
        Index("ix_events_subject", "subject_type", "subject_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stream: Mapped[str] = mapped_column(String(160))
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(120), default="system")
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class StreamHead(Base):
    __tablename__ = "event_streams"

    stream: Mapped[str] = mapped_column(String(160), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
    anchored_seq: Mapped[int] = mapped_column(Integer, default=0)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def compute_hash(*, stream: str, seq: int, occurred_at: datetime, actor_id: int | None, actor: str,
                 subject_type: str, subject_id: str, type: str, payload: dict[str, Any],
                 prev_hash: str) -> str:
    body = canonical([stream, seq, occurred_at.isoformat(timespec="microseconds"), actor_id, actor,
                      subject_type, subject_id, type, payload, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _event_hash(ev: Event) -> str:
    return compute_hash(stream=ev.stream, seq=ev.seq, occurred_at=ev.occurred_at, actor_id=ev.actor_id,
                        actor=ev.actor, subject_type=ev.subject_type, subject_id=ev.subject_id,
                        type=ev.type, payload=ev.payload, prev_hash=ev.prev_hash)


Subscriber = Callable[[Session, Event], None]
_subscribers: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event_type: str) -> Callable[[Subscriber], Subscriber]:
    """Register a handler run in the same transaction whenever ``event_type`` is recorded.

    This is how a workflow that spans domains is wired: the domain that reacts subscribes to the
    event of the domain that acts.
    """

    def register(fn: Subscriber) -> Subscriber:
        if fn not in _subscribers[event_type]:
            _subscribers[event_type].append(fn)
        return fn

    return register


def _lock_head(session: Session, stream: str) -> StreamHead:
    insert_ignore(session, StreamHead, {"stream": stream, "seq": 0, "hash": GENESIS, "anchored_seq": 0},
                  "stream")
    return session.execute(
        select(StreamHead).where(StreamHead.stream == stream).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def record(session: Session, *, type: str, subject_type: str, subject_id: str | int,
           payload: dict[str, Any] | None = None, actor_id: int | None = None, actor: str = "system",
           stream: str | None = None, at: datetime | None = None) -> Event:
    """Append an event to its subject's stream (in the caller's transaction) and run subscribers."""
    stream = stream or f"{subject_type}:{subject_id}"
    head = _lock_head(session, stream)
    payload = json.loads(canonical(payload or {}))
    ev = Event(stream=stream, seq=head.seq + 1, occurred_at=at or now(), actor_id=actor_id, actor=actor,
               subject_type=subject_type, subject_id=str(subject_id), type=type, payload=payload,
               prev_hash=head.hash)
    ev.hash = _event_hash(ev)
    head.seq, head.hash = ev.seq, ev.hash
    session.add(ev)
    session.flush()
    for handler in list(_subscribers.get(type, ())) + list(_subscribers.get("*", ())):
        handler(session, ev)
    return ev


def anchor(session: Session) -> Event | None:
    """Seal the heads of every stream that moved since the last anchor; ``None`` when none did."""
    moved = session.execute(
        select(StreamHead).where(StreamHead.seq > StreamHead.anchored_seq, StreamHead.stream != ANCHOR_STREAM)
        .order_by(StreamHead.stream).with_for_update()
    ).scalars().all()
    if not moved:
        return None
    heads = {h.stream: [h.seq, h.hash] for h in moved}
    for h in moved:
        h.anchored_seq = h.seq
    return record(session, type="log.anchored", subject_type="log", subject_id="anchor",
                  stream=ANCHOR_STREAM, payload={"heads": heads})


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    streams_checked: int
    stream: str | None = None
    seq: int | None = None
    event_id: int | None = None
    reason: str | None = None


def _iter_events(session: Session) -> Iterator[Event]:
    last_id = 0
    while True:
        batch = session.execute(
            select(Event).where(Event.id > last_id).order_by(Event.id).limit(5000)
        ).scalars().all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        session.expunge_all()


def verify(session: Session, progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk every stream; report the first broken link (altered, removed or reordered event)."""
    state: dict[str, tuple[int, str]] = {}
    anchors: list[tuple[Event, dict[str, list[Any]]]] = []
    checked = 0
    for ev in _iter_events(session):
        checked += 1
        if progress and checked % 5000 == 0:
            progress(checked)
        seq, prev = state.get(ev.stream, (0, GENESIS))
        broken = None
        if ev.seq != seq + 1:
            broken = f"expected seq {seq + 1}, found {ev.seq}: an event was removed or reordered"
        elif ev.prev_hash != prev:
            broken = "prev_hash does not match the previous event: an event was removed or altered"
        elif _event_hash(ev) != ev.hash:
            broken = "hash does not match the event's content: the event was altered"
        if broken:
            return VerifyResult(False, checked, len(state), ev.stream, ev.seq, ev.id, broken)
        state[ev.stream] = (ev.seq, ev.hash)
        if ev.stream == ANCHOR_STREAM:
            anchors.append((ev, dict(ev.payload.get("heads", {}))))
    heads = {h.stream: h for h in session.execute(select(StreamHead)).scalars()}
    for stream, (seq, digest) in state.items():
        head = heads.get(stream)
        if head is None or head.seq != seq or head.hash != digest:
            return VerifyResult(False, checked, len(state), stream, seq, None,
                                "stream head does not match its last event: trailing events were removed")
    for stream, head in heads.items():
        if head.seq and stream not in state:
            return VerifyResult(False, checked, len(state), stream, head.seq, None,
                                "the stream's events were all removed")
    sealed = _sealed_hashes(session, anchors)
    for anchor_ev, anchor_heads in anchors:
        for stream, (seq, digest) in anchor_heads.items():
            if sealed.get((stream, seq)) != digest:
                return VerifyResult(False, checked, len(state), stream, seq, anchor_ev.id,
                                    f"event sealed by anchor #{anchor_ev.seq} is missing or changed")
    return VerifyResult(True, checked, len(state))


def _sealed_hashes(session: Session, anchors: list[tuple[Event, dict[str, list[Any]]]]
                   ) -> dict[tuple[str, int], str]:
    wanted = {(s, v[0]) for _, heads in anchors for s, v in heads.items()}
    found: dict[tuple[str, int], str] = {}
    streams = sorted({s for s, _ in wanted})
    for i in range(0, len(streams), 500):
        chunk = streams[i:i + 500]
        rows = session.execute(select(Event.stream, Event.seq, Event.hash).where(Event.stream.in_(chunk)))
        for stream, seq, digest in rows:
            if (stream, seq) in wanted:
                found[(stream, seq)] = digest
    return found


def for_subject(session: Session, subject_type: str, subject_id: str | int) -> list[Event]:
    return list(session.execute(
        select(Event).where(Event.subject_type == subject_type, Event.subject_id == str(subject_id))
        .order_by(Event.id)
    ).scalars())
