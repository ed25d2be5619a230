"""Redacting event payloads: the digest stays, so the chain verifies; anything else still breaks it."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from rapidresponse import events
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event, StreamHead
from rapidresponse.i18n import Translate, english


class Said(events.DomainEvent):
    type = "test.said"
    subject_type = "person"
    i: int
    words: str

    def describe(self, _: Translate) -> str:
        return _("said %(w)s", w=self.words)


def _say(n: int, subject: str = "7") -> None:
    with unit_of_work() as s:
        for i in range(n):
            events.record(s, None, Said(subject_id=subject, i=i, words=f"Меня зовут Айгерим, мой телефон {i}"))


def _verify() -> events.VerifyResult:
    with unit_of_work(read_only=True) as s:
        return events.verify(s)


def _redact(where: object) -> int:
    with unit_of_work() as s:
        return events.redact(s, where, reason="erasure")


def _rows() -> list[Event]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(Event).where(Event.type == "test.said").order_by(Event.id)).scalars())


def test_a_redacted_payload_keeps_the_chain_and_reads_as_its_type(engine: Engine) -> None:
    _say(3)
    with unit_of_work() as s:
        events.anchor(s)
    assert _redact(Event.type == "test.said") == 3 and _redact(Event.type == "test.said") == 0
    rows = _rows()
    assert all(events.is_redacted(r.payload) and "Айгерим" not in str(r.payload) for r in rows)
    assert all(r.payload_hash for r in rows)
    assert events.describe(rows[0], english) == "test.said"
    result = _verify()
    assert result.ok, result.reason
    assert result.redacted == 3
    assert _redact(Event.stream == events.ANCHOR_STREAM) == 0  # anchors are never redacted


def test_tampering_is_still_found_after_a_redaction(engine: Engine) -> None:
    _say(3)
    _redact(Event.id == _rows()[0].id)
    first, second, _ = _rows()
    for change in ({"payload": {"i": 1, "words": "something else"}},  # an intact payload altered
                   {"payload": {"_redacted": {"reason": "x"}, "i": 0}},  # a marker with content beside it
                   {"actor": "someone"}):  # a redacted event's other fields
        target = second if "words" in str(change) else first
        with unit_of_work() as s:
            original = s.get(Event, target.id)
            assert original is not None
            kept = {k: getattr(original, k) for k in change}
            s.execute(update(Event).where(Event.id == target.id).values(**change))
        assert not _verify().ok, change
        with unit_of_work() as s:
            s.execute(update(Event).where(Event.id == target.id).values(**kept))
        assert _verify().ok


def test_events_from_before_payload_digests_verify_and_are_not_redacted(engine: Engine) -> None:
    _say(1, subject="old")
    (row,) = _rows()
    legacy = events.compute_hash(stream=row.stream, seq=row.seq, occurred_at=row.occurred_at, actor_id=row.actor_id,
                                 actor=row.actor, subject_type=row.subject_type, subject_id=row.subject_id,
                                 type=row.type, payload=row.payload, prev_hash=row.prev_hash)
    with unit_of_work() as s:  # as an event recorded before migration 0020 is stored
        s.execute(update(Event).where(Event.id == row.id).values(payload_hash=None, hash=legacy))
        s.execute(update(StreamHead).where(StreamHead.stream == row.stream).values(hash=legacy))
    assert _verify().ok
    assert _redact(Event.type == "test.said") == 0
    assert "Айгерим" in str(_rows()[0].payload) and _verify().ok
