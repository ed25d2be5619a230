"""Translation requests through the service: routing by language skills and exposure, the states,
who may translate and review, the original kept untouched, and the events that say who did what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

import pytest
from sqlalchemy import select

from rapidresponse import auth, clock, events, incidents, translation, wellness
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, PermissionDenied, ValidationFailed
from rapidresponse.events import Event
from rapidresponse.translation import TranslationOut
from rapidresponse.translation import service as svc
from rapidresponse.translation.models import MemorySegment, ReviewMark

GOOD = "The challenge video got 120 000 views. Link: https://example.org/v/1"


def _types(request_id: int) -> list[str]:
    with unit_of_work(read_only=True) as s:
        rows = s.execute(select(Event).where(Event.subject_type == "translation",
                                             Event.subject_id == str(request_id)).order_by(Event.id)).scalars()
        return [r.type for r in rows]


def test_a_request_goes_to_a_qualified_person_and_reviewers_must_write_the_target(
        make_linguist: Callable[..., Actor], make_translation: Callable[..., TranslationOut]) -> None:
    native = make_linguist({"ru": "reading", "en": "native"})
    professional = make_linguist({"ru": "native", "en": "professional"})
    reader = make_linguist({"ru": "native", "en": "reading"})
    kazakh = make_linguist({"kk": "native", "en": "native"})
    r = make_translation()
    assert r.translator_id == native.user_id  # natives of the target first
    with unit_of_work(read_only=True) as s:
        assert [x.id for x in svc.queue(s, native, tab="translate")] == [r.id]
        assert [x.id for x in svc.queue(s, professional, tab="translate")] == [r.id]
        assert svc.queue(s, reader, tab="translate") == [] and svc.queue(s, kazakh, tab="translate") == []
        assert translation.qualified(s, "ru", "en", reviewing=True) == [native.user_id, professional.user_id]
    with unit_of_work() as s, pytest.raises(PermissionDenied, match="native or professional"):
        svc.start(s, reader, r.id)
    with unit_of_work() as s:
        svc.start(s, professional, r.id)
        svc.submit(s, professional, r.id, translation=GOOD)
    with unit_of_work(read_only=True) as s:
        assert [x.id for x in svc.queue(s, native, tab="review")] == [r.id]
        assert svc.queue(s, professional, tab="review") == []  # never one's own
        assert svc.queue(s, reader, tab="review") == []
    with unit_of_work() as s, pytest.raises(PermissionDenied, match="native or professional"):
        svc.review(s, reader, r.id, decision="approve", translation_sha256=svc.sha256(GOOD))


def test_a_request_goes_to_someone_at_work_before_someone_off(
        make_linguist: Callable[..., Actor], make_translation: Callable[..., TranslationOut]) -> None:
    native = make_linguist({"ru": "reading", "en": "native"})  # first by level, but works weekends only
    professional = make_linguist({"ru": "native", "en": "professional"})
    with unit_of_work() as s:
        auth.set_working_hours(s, native, auth.WorkingHoursIn(days=[5, 6], start="09:00", end="18:00"))
        auth.set_working_hours(s, professional, auth.WorkingHoursIn(days=[0, 1, 2, 3, 4], start="00:00",
                                                                    end="23:59"))
    with clock.held_at(datetime(2026, 12, 2, 10, 0, tzinfo=UTC)):  # a Wednesday
        assert make_translation().translator_id == professional.user_id
    with clock.held_at(datetime(2026, 12, 5, 12, 0, tzinfo=UTC)):  # a Saturday: only the native is at work
        assert make_translation().translator_id == native.user_id


def test_the_states_from_request_to_approval_keep_the_original_and_say_who_did_what(
        make_linguist: Callable[..., Actor], make_translation: Callable[..., TranslationOut],
        make_incident: Callable[..., str], make_user: Callable[..., Actor]) -> None:
    translator = make_linguist({"ru": "native", "en": "professional"})
    reviewer = make_linguist({"ru": "reading", "en": "native"})
    ref = make_incident(make_user("commander"), severity={"harm": 3, "reach": 3, "velocity": 3, "vulnerable": True})
    r = make_translation(incident=ref)
    original = r.source_text
    assert r.state == "requested" and r.priority in ("urgent", "high") and r.incident_ref == ref
    assert r.due_at > r.requested_at
    with unit_of_work() as s, pytest.raises(Conflict, match="requested"):
        svc.submit(s, translator, r.id, translation=GOOD)
    with unit_of_work() as s:
        svc.start(s, translator, r.id)
    with unit_of_work() as s, pytest.raises(Conflict):
        svc.start(s, reviewer, r.id)  # taken
    with unit_of_work() as s, pytest.raises(PermissionDenied, match="only its translator"):
        svc.submit(s, reviewer, r.id, translation=GOOD)
    with unit_of_work() as s:
        svc.submit(s, translator, r.id, translation="The challenge video got views. Link: https://example.org/v/1")
    with unit_of_work() as s, pytest.raises(PermissionDenied, match="another person"):
        svc.review(s, translator, r.id, decision="approve", translation_sha256="0" * 64)
    with unit_of_work() as s, pytest.raises(Conflict, match="changed since you read it"):
        svc.review(s, reviewer, r.id, decision="approve", translation_sha256=svc.sha256(GOOD))
    bad = svc.sha256("The challenge video got views. Link: https://example.org/v/1")
    with unit_of_work() as s, pytest.raises(Conflict, match="numbers"):
        svc.review(s, reviewer, r.id, decision="approve", translation_sha256=bad)  # 120 000 was dropped
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="say what to change"):
        svc.review(s, reviewer, r.id, decision="return", translation_sha256=bad)
    with unit_of_work() as s:
        back = svc.review(s, reviewer, r.id, decision="return", translation_sha256=bad,
                          comment="The number of views is missing.", marks={"accuracy": 2})
        assert back.state == "returned"
    with unit_of_work() as s:
        svc.start(s, translator, r.id)
        svc.submit(s, translator, r.id, translation=GOOD)
    with unit_of_work() as s:
        done = svc.review(s, reviewer, r.id, decision="approve", translation_sha256=svc.sha256(GOOD),
                          marks={"accuracy": 5, "fluency": 4, "terminology": 5, "style": 4})
    assert done.state == "approved" and done.source_text == original and done.translation == GOOD
    assert done.reviewer_id == reviewer.user_id and done.translator_id == translator.user_id
    assert _types(r.id) == ["translation.requested", "translation.assigned", "translation.started",
                            "translation.submitted", "translation.returned", "translation.started",
                            "translation.submitted", "translation.approved"]
    with unit_of_work(read_only=True) as s:
        inc_id = str(incidents.get(s, reviewer, ref).id)
        rows = s.execute(select(Event).where(Event.subject_type == "incident", Event.subject_id == inc_id,
                                             Event.type == "incident.translation_approved")).scalars().all()
        parsed = events.parse(rows[0])
        assert len(rows) == 1 and parsed.original == original and parsed.translation == GOOD  # type: ignore[attr-defined]
        quality = svc.quality(s, reviewer)
        # each review is a round of its own: the returned draft's mark stays beside the approved text's
        assert quality[0].reviewed == 1 and quality[0].marks == {"accuracy": 3.5, "fluency": 4, "style": 4,
                                                                 "terminology": 5}
        rounds = s.execute(select(ReviewMark.round, ReviewMark.category, ReviewMark.score)
                           .where(ReviewMark.request_id == r.id).order_by(ReviewMark.round, ReviewMark.category)).all()
        assert [tuple(x) for x in rounds] == [(1, "accuracy", 2), (2, "accuracy", 5), (2, "fluency", 4),
                                              (2, "style", 4), (2, "terminology", 5)]
        found = translation.approved_for(s, source_kind="evidence", source_id="", text=original)
        assert found is not None and found.id == r.id
        assert translation.approved_for(s, source_kind="evidence", source_id="", text=original + ".") is None


def test_harmful_evidence_goes_to_people_with_room_in_their_exposure_budget(
        make_linguist: Callable[..., Actor], make_translation: Callable[..., TranslationOut],
        fake_clock: Any) -> None:
    spent = make_linguist({"ru": "native", "en": "native"})
    fresh = make_linguist({"ru": "reading", "en": "professional"})
    with unit_of_work() as s:
        wellness.record(s, spent, "suicide_promotion", "review", seconds=35 * 60)
    r = make_translation(harm="suicide_promotion")
    assert r.translator_id == fresh.user_id  # the native has no room left today
    plain = make_translation()
    assert plain.translator_id == spent.user_id  # no harm: skills alone
    with unit_of_work() as s, pytest.raises(Conflict, match="budget"):
        svc.start(s, spent, r.id)
    with unit_of_work() as s:
        assert svc.start(s, spent, r.id, confirm=True).translator_id == spent.user_id


def test_translating_and_reviewing_harmful_material_is_logged_as_exposure_without_the_text(
        make_linguist: Callable[..., Actor], make_translation: Callable[..., TranslationOut],
        make_incident: Callable[..., str], fake_clock: Any) -> None:
    from rapidresponse.wellness.models import Exposure

    translator = make_linguist({"ru": "native", "en": "professional"})
    reviewer = make_linguist({"ru": "reading", "en": "native"})
    ref = make_incident()
    harmful = make_translation(harm="animal_abuse", incident=ref)
    plain = make_translation()
    for r in (harmful, plain):
        with unit_of_work() as s:
            svc.start(s, translator, r.id)
            svc.submit(s, translator, r.id, translation=GOOD)
            svc.review(s, reviewer, r.id, decision="approve", translation_sha256=sha256(GOOD.encode()).hexdigest())
    with unit_of_work(read_only=True) as s:
        rows = s.execute(select(Exposure).order_by(Exposure.id)).scalars().all()
        logged = [(e.user_id, e.kind, e.harm, e.intensity, e.incident_ref) for e in rows]
        columns = set(Exposure.__table__.columns.keys())
    assert logged == [(translator.user_id, "translation", "animal_abuse", "extreme", ref),
                      (reviewer.user_id, "review", "animal_abuse", "extreme", ref)]  # the plain one: nothing
    assert not columns & {"text", "content", "body", "translation"}
    with unit_of_work(read_only=True) as s:  # harmful material is named on the timeline, never quoted
        approved = s.execute(select(Event).where(Event.type == "incident.translation_approved")).scalars().one()
        kept = set(s.execute(select(MemorySegment.request_id)).scalars())
    assert approved.payload["harm"] == "animal_abuse" and approved.payload["original"] == ""
    assert GOOD not in str(approved.payload) and kept == {plain.id}  # only the plain pair entered the memory


def test_bad_requests_change_nothing(make_linguist: Callable[..., Actor],
                                     make_translation: Callable[..., TranslationOut]) -> None:
    for fields, message in (({"target_lang": "ru"}, "same"), ({"source_lang": "xx"}, "unknown language"),
                            ({"text": "  "}, "no text"), ({"channel": "fax"}, "channel"),
                            ({"source_kind": "poem"}, "source_kind")):
        with pytest.raises(ValidationFailed, match=message):
            make_translation(**fields)
    with unit_of_work(read_only=True) as s:
        assert svc.queue(s, make_linguist({"ru": "native", "en": "native"}), tab="open") == []
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="level"):
        translation.set_skills(s, make_linguist({}), {"en": "fluent"})
