"""The append-only, hash-chained event log.

Every state change records an event in the same transaction as the change. Events are chained per
stream (one stream per subject, e.g. ``incident:42``), so concurrent writers on different subjects
never wait for each other; the worker periodically writes an *anchor* event that seals the heads of
the streams that moved since the last anchor, so that deleting a whole stream is detectable too.

An event's hash covers the digest of its payload (``payload_hash``), not the payload itself, so that
retention and erasure can *redact* a payload (:func:`redact`: the payload is replaced by a marker,
the digest stays) and the chain still verifies. Events recorded before payload digests existed
(``payload_hash`` empty) hash their payload inline and cannot be redacted.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint, func, literal, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .clock import now
from .config import get_settings
from .db import Base, JSONType, UTCDateTime, insert_ignore
from .i18n import Translate, english

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
    # SHA-256 of the canonical payload as recorded; the event's hash covers this digest, so a redacted
    # payload (see ``redact``) leaves the chain intact. None on events recorded before digests existed.
    payload_hash: Mapped[str | None] = mapped_column(String(64))
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


def payload_digest(payload: dict[str, Any]) -> str:
    """SHA-256 of a payload's canonical JSON: what an event's hash covers in place of the payload."""
    return hashlib.sha256(canonical(payload).encode("utf-8")).hexdigest()


REDACTED = "_redacted"
"""The key of a redacted payload's marker: ``{"_redacted": {"reason": …, "at": …}}``."""


def is_redacted(payload: dict[str, Any] | None) -> bool:
    return bool(payload) and set(payload or {}) == {REDACTED}


def _event_hash(ev: Event) -> str:
    if ev.payload_hash is None:  # recorded before payload digests: the payload is hashed inline
        return compute_hash(stream=ev.stream, seq=ev.seq, occurred_at=ev.occurred_at, actor_id=ev.actor_id,
                            actor=ev.actor, subject_type=ev.subject_type, subject_id=ev.subject_id,
                            type=ev.type, payload=ev.payload, prev_hash=ev.prev_hash)
    body = canonical([2, ev.stream, ev.seq, ev.occurred_at.isoformat(timespec="microseconds"), ev.actor_id,
                      ev.actor, ev.subject_type, ev.subject_id, ev.type, ev.payload_hash, ev.prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _payload_intact(ev: Event) -> bool:
    """A payload matches its digest, or was redacted (the marker is all that is left)."""
    return ev.payload_hash is None or is_redacted(ev.payload) or payload_digest(ev.payload) == ev.payload_hash


class Acting(Protocol):
    """Who records an event: a user (``user_id``) or a named part of the system (``user_id`` None)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def label(self) -> str: ...


class DomainEvent(BaseModel):
    """A typed event: its fields are the payload, ``type`` names it in the log, ``subject_type`` and
    ``subject_id`` say whose stream it goes to, and :meth:`describe` says how it reads to a person.

    A domain declares its events in its ``events.py``; defining the class registers it in
    :data:`CATALOGUE`, so a type name is declared once and a misspelt field is a validation error.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True,
                              defer_build=True)  # built on first use: importing a domain stays cheap

    type: ClassVar[str] = ""
    subject_type: ClassVar[str] = ""
    people: ClassVar[tuple[str, ...]] = ()
    """Payload fields that name people by username (one name, or a list of names): pages show them by
    their display names (:func:`as_shown`)."""
    subject_id: int | str = Field(exclude=True, description="The subject's id; the stream is subject_type:subject_id")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "type" not in cls.__dict__:
            return
        if not cls.type or not cls.subject_type:
            raise TypeError(f"{cls.__qualname__} must name its type and subject_type")
        known = CATALOGUE.get(cls.type)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(f"event type {cls.type!r} is declared twice: {known.__qualname__} and {cls.__qualname__}")
        CATALOGUE[cls.type] = cls

    @property
    def event_type(self) -> str:
        return self.type

    def subject(self) -> tuple[str, str]:
        return self.subject_type, str(self.subject_id)

    @property
    def payload(self) -> dict[str, Any]:
        dumped: dict[str, Any] = json.loads(canonical(self.model_dump(mode="json", by_alias=True)))
        return dumped

    def describe(self, _: Translate) -> str:
        """What happened, in the reader's language, without the actor or the time (shown beside it)."""
        return self.event_type


CATALOGUE: dict[str, type[DomainEvent]] = {}
"""Every event type the code can record, by its name."""


class UnknownEvent(DomainEvent):
    """A stored event whose type is not (or no longer) in the catalogue, or whose payload does not
    fit its declared shape any more: shown by its type name, its payload kept as stored."""

    stored_type: str
    stored_subject_type: str
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def event_type(self) -> str:
        return self.stored_type

    def subject(self) -> tuple[str, str]:
        return self.stored_subject_type, str(self.subject_id)

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.data)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Any, "Event"], None]
_subscribers: dict[str, list[Handler]] = defaultdict(list)


@functools.cache
def subscriber_failures() -> Any:
    """The Prometheus counter of subscribers that raised (made on first use: the command line rarely
    needs it; the server makes it at start so that it is listed from the first scrape)."""
    from prometheus_client import Counter

    return Counter("rapidresponse_event_subscriber_failures_total",
                   "Event subscribers that raised; their changes were rolled back to a savepoint", ["handler"])


def subscribe(*types: type[E]) -> Callable[[Callable[[Session, E, Event], None]], Callable[[Session, E, Event], None]]:
    """Register ``handler(session, event, row)`` to run in the recording transaction, each run in a
    savepoint, whenever one of ``types`` is recorded.

    This is how a workflow that spans domains is wired: the domain that reacts subscribes to the
    event of the domain that acts. A handler that raises is rolled back to its savepoint, logged,
    counted and recorded as ``log.subscriber_failed`` on the subject's stream; the change that
    recorded the event stands.
    """

    def register(fn: Callable[[Session, E, Event], None]) -> Callable[[Session, E, Event], None]:
        for cls in types:
            if not cls.type:
                raise TypeError(f"{cls.__qualname__} is not a concrete event type")
            if fn not in _subscribers[cls.type]:
                _subscribers[cls.type].append(fn)
        return fn

    return register


def _lock_head(session: Session, stream: str) -> StreamHead:
    """The stream's head, locked (``FOR UPDATE`` on PostgreSQL) until the transaction ends; created at the
    stream's first event. An existing stream (the usual case) costs one statement."""
    query = (select(StreamHead).where(StreamHead.stream == stream).with_for_update()
             .execution_options(populate_existing=True))
    head = session.execute(query).scalar_one_or_none()
    if head is None:
        insert_ignore(session, StreamHead, {"stream": stream, "seq": 0, "hash": GENESIS, "anchored_seq": 0},
                      "stream")
        head = session.execute(query).scalar_one()
    return head


_reactions_loader: Callable[[], object] | None = None


def load_reactions_with(loader: Callable[[], object]) -> None:
    """Have ``loader`` (the domain registry) register every domain's subscribers before the first event
    this process records: a command that only reads never pays for importing every domain."""
    global _reactions_loader
    _reactions_loader = loader


def record(session: Session, actor: Acting | None, event: DomainEvent, *, stream: str | None = None,
           at: datetime | None = None) -> Event:
    """Append ``event`` to its subject's stream (in the caller's transaction), then run its subscribers.

    ``actor`` None is the system. ``stream`` overrides the subject's stream for high-volume subjects
    (a batch of signals); ``at`` backdates an imported or replayed event.
    """
    global _reactions_loader
    if _reactions_loader is not None:
        loader, _reactions_loader = _reactions_loader, None
        loader()
    subject_type, subject_id = event.subject()
    stream = stream or f"{subject_type}:{subject_id}"
    head = _lock_head(session, stream)
    ev = Event(stream=stream, seq=head.seq + 1, occurred_at=at or now(),
               actor_id=actor.user_id if actor else None, actor=actor.label if actor else "system",
               subject_type=subject_type, subject_id=subject_id, type=event.event_type, payload=event.payload,
               prev_hash=head.hash)
    ev.payload_hash = payload_digest(ev.payload)
    ev.hash = _event_hash(ev)
    head.seq, head.hash = ev.seq, ev.hash
    session.add(ev)
    session.flush()
    for handler in list(_subscribers.get(ev.type, ())):
        _run(session, handler, event, ev)
    return ev


def _run(session: Session, handler: Handler, event: DomainEvent, ev: Event) -> None:
    name = f"{handler.__module__}.{handler.__qualname__}"
    try:
        with session.begin_nested():
            handler(session, event, ev)
    except Exception as exc:  # a reaction must not undo the change it reacts to
        import structlog  # only on this path: importing the log stays cheap for the CLI

        structlog.get_logger("rapidresponse.events").exception(
            "event subscriber failed", handler=name, event_type=ev.type, event_id=ev.id)
        subscriber_failures().labels(name).inc()
        record(session, None, SubscriberFailed(subject_id=ev.subject_id, on=ev.subject_type, failed_type=ev.type,
                                               event_id=ev.id, handler=name,
                                               error=f"{type(exc).__name__}: {exc}"[:500]), stream=ev.stream)


def parse(ev: Event) -> DomainEvent:
    """The typed event of a stored row; never raises (see :class:`UnknownEvent`)."""
    return typed(ev.type, ev.subject_type, ev.subject_id, ev.payload)


def typed(event_type: str, subject_type: str, subject_id: str | int, payload: dict[str, Any] | None) -> DomainEvent:
    """The typed event of a stored type and payload; never raises (see :class:`UnknownEvent`)."""
    cls = CATALOGUE.get(event_type)
    if cls is not None and not is_redacted(payload):
        data = {**(payload or {}), "subject_id": subject_id}
        try:
            return cls.model_validate(data)
        except ValidationError:
            names = set(cls.model_fields) | {f.alias for f in cls.model_fields.values() if f.alias}
            known = {k: v for k, v in data.items() if k in names}
            try:
                return cls.model_validate(known)
            except ValidationError:
                pass
    return UnknownEvent(subject_id=subject_id, stored_type=event_type, stored_subject_type=subject_type,
                        data=dict(payload or {}))


def label(_: Translate, labels: dict[str, str], value: Any) -> str:
    """A vocabulary value as its translated label (the value itself when it has none)."""
    key = str(value or "")
    return _(labels[key]) if key in labels else key


def _people_fields(event_type: str) -> tuple[str, ...]:
    cls = CATALOGUE.get(event_type)
    return cls.people if cls is not None else ()


def people_named(evs: Iterable[Event]) -> set[str]:
    """The usernames that the events' payloads name in their people fields."""
    named: set[str] = set()
    for ev in evs:
        for key in _people_fields(ev.type):
            value = ev.payload.get(key)
            named.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v)
    return named


def as_shown(ev: Event, names: Mapping[str, str]) -> dict[str, Any]:
    """The event's payload with the people it names as they are shown (``names``: username → display
    name); an event that names nobody comes back empty, so a page falls back to its payload."""
    fields = _people_fields(ev.type)
    if not fields:
        return {}

    def shown(value: Any) -> Any:
        if isinstance(value, list):
            return [shown(v) for v in value]
        return names.get(value, value) if isinstance(value, str) else value

    return {k: shown(v) if k in fields else v for k, v in ev.payload.items()}


def describe(ev: Event, _: Translate = english) -> str:
    """How a stored event reads, in the language of ``_``."""
    return parse(ev).describe(_)


# --- the log's own events -----------------------------------------------------------------------

class LogAnchored(DomainEvent):
    type = "log.anchored"
    subject_type = "log"
    heads: dict[str, list[Any]]
    mac: str = Field(default="", description="HMAC-SHA256 of the heads with the installation's audit key")

    def describe(self, _: Translate) -> str:
        return _("sealed the heads of %(n)s streams", n=len(self.heads))


class SubscriberFailed(DomainEvent):
    """A reaction to an event failed and was rolled back; recorded on the same subject's stream."""

    type = "log.subscriber_failed"
    subject_type = "log"
    on: str = Field(description="The subject type of the event the handler reacted to")
    failed_type: str
    event_id: int
    handler: str
    error: str

    def subject(self) -> tuple[str, str]:
        return self.on, str(self.subject_id)

    def describe(self, _: Translate) -> str:
        return _("a follow-up step (%(handler)s) failed after %(event)s: %(error)s",
                 handler=self.handler.rsplit(".", 1)[-1], event=self.failed_type, error=self.error)


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
    return record(session, None, LogAnchored(subject_id="anchor", heads=heads, mac=_mac(heads)),
                  stream=ANCHOR_STREAM)


def _mac(value: Any) -> str:
    """HMAC-SHA256 of ``value`` (canonical JSON) with a key derived from the installation's secret,
    which lives outside the database: whoever can only write the database cannot forge it."""
    key = hmac.new(get_settings().effective_secret_key.encode(), b"rapidresponse audit anchors",
                   hashlib.sha256).digest()
    return hmac.new(key, canonical(value).encode(), hashlib.sha256).hexdigest()


def checkpoint(session: Session) -> dict[str, Any]:
    """Anchor what moved, then a signed checkpoint of every stream's head: kept outside the database
    (``audit anchor --export``), it lets ``verify`` notice a log rewritten from its start."""
    anchor(session)
    heads = {h.stream: [h.seq, h.hash] for h in session.execute(
        select(StreamHead).where(StreamHead.seq > 0).order_by(StreamHead.stream)).scalars()}
    body = {"version": 1, "at": now().isoformat(), "heads": heads}
    return {**body, "mac": _mac(body)}


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    streams_checked: int
    stream: str | None = None
    seq: int | None = None
    event_id: int | None = None
    reason: str | None = None
    redacted: int = 0  # events whose payload retention or an erasure replaced by its marker (digest kept)


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


def verify(session: Session, progress: Callable[[int], None] | None = None,
           checkpoints: Sequence[dict[str, Any]] = ()) -> VerifyResult:
    """Walk every stream; report the first broken link (altered, removed or reordered event), an
    anchor not signed with this installation's key, or an event a checkpoint sealed that is gone."""
    state: dict[str, tuple[int, str]] = {}
    anchors: list[tuple[Event, dict[str, list[Any]]]] = []
    checked = redacted = 0
    for ev in _iter_events(session):
        checked += 1
        redacted += is_redacted(ev.payload)
        if progress and checked % 5000 == 0:
            progress(checked)
        seq, prev = state.get(ev.stream, (0, GENESIS))
        broken = None
        if ev.seq != seq + 1:
            broken = f"expected seq {seq + 1}, found {ev.seq}: an event was removed or reordered"
        elif ev.prev_hash != prev:
            broken = "prev_hash does not match the previous event: an event was removed or altered"
        elif _event_hash(ev) != ev.hash or not _payload_intact(ev):
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
    for anchor_ev, anchor_heads in anchors:
        mac = anchor_ev.payload.get("mac")
        if mac and not hmac.compare_digest(str(mac), _mac(anchor_heads)):
            return VerifyResult(False, checked, len(state), ANCHOR_STREAM, anchor_ev.seq, anchor_ev.id,
                                f"anchor #{anchor_ev.seq} is not signed with this installation's key: "
                                "the log was rewritten")
    for point in checkpoints:  # signed by this installation before anything in it is believed
        body = {k: v for k, v in point.items() if k != "mac"}
        if not hmac.compare_digest(str(point.get("mac", "")), _mac(body)):
            return VerifyResult(False, checked, len(state), reason=f"the checkpoint of {point.get('at')} is not "
                                "signed with this installation's key")
    sealed = _sealed_hashes(session, [heads for _, heads in anchors] + [dict(c.get("heads", {}))
                                                                         for c in checkpoints])
    for anchor_ev, anchor_heads in anchors:
        for stream, (seq, digest) in anchor_heads.items():
            if sealed.get((stream, seq)) != digest:
                return VerifyResult(False, checked, len(state), stream, seq, anchor_ev.id,
                                    f"event sealed by anchor #{anchor_ev.seq} is missing or changed")
    for point in checkpoints:
        for stream, (seq, digest) in dict(point.get("heads", {})).items():
            if sealed.get((stream, seq)) != digest:
                return VerifyResult(False, checked, len(state), stream, seq, None,
                                    f"event sealed by the checkpoint of {point.get('at')} is missing or changed")
    return VerifyResult(True, checked, len(state), redacted=redacted)


def _sealed_hashes(session: Session, sealed: list[dict[str, list[Any]]]) -> dict[tuple[str, int], str]:
    wanted = {(s, v[0]) for heads in sealed for s, v in heads.items()}
    found: dict[tuple[str, int], str] = {}
    streams = sorted({s for s, _ in wanted})
    for i in range(0, len(streams), 500):
        chunk = streams[i:i + 500]
        rows = session.execute(select(Event.stream, Event.seq, Event.hash).where(Event.stream.in_(chunk)))
        for stream, seq, digest in rows:
            if (stream, seq) in wanted:
                found[(stream, seq)] = digest
    return found


def redact(session: Session, where: Any, *, reason: str, at: datetime | None = None,
           batch: int = 5000) -> int:
    """Replace the payloads of the events ``where`` (a SQLAlchemy condition on :class:`Event`) selects
    with a redaction marker, keeping their digests, so the chain still verifies; returns how many.

    Anchors are never redacted; nor are events recorded before payload digests existed (their hash
    covers the payload itself) or those already redacted.
    """
    marker = {REDACTED: {"reason": reason, "at": (at or now()).isoformat(timespec="seconds")}}
    if session.get_bind().dialect.name == "postgresql":
        pending = ~Event.payload.op("?", return_type=Boolean)(literal(REDACTED, String))
    else:
        pending = func.json_type(Event.payload, f"$.{REDACTED}").is_(None)
    done, last = 0, 0
    while True:
        ids = list(session.execute(
            select(Event.id).where(where, pending, Event.id > last, Event.payload_hash.is_not(None),
                                   Event.stream != ANCHOR_STREAM)
            .order_by(Event.id).limit(batch)).scalars())
        if not ids:
            return done
        last = ids[-1]
        session.execute(update(Event).where(Event.id.in_(ids)).values(payload=marker)
                        .execution_options(synchronize_session=False))
        done += len(ids)


def for_subject(session: Session, subject_type: str, subject_id: str | int) -> list[Event]:
    return list(session.execute(
        select(Event).where(Event.subject_type == subject_type, Event.subject_id == str(subject_id))
        .order_by(Event.id)
    ).scalars())
