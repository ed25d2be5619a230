"""A request that names its object (a note, an update, a reply letter, a signal, a review) reads the
text from that object as it is now, with its incident and harm; it never trusts a typed copy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import incidents, reviews, signals
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import NotFound, ValidationFailed
from rapidresponse.notify import audiences
from rapidresponse.playbooks import updates
from rapidresponse.requests import replies
from rapidresponse.translation import TranslationOut
from rapidresponse.translation import service as svc

NOTE = "Родители в Алматы сообщают о трёх случаях в одной школе."


def _ask(actor: Actor, **fields: Any) -> TranslationOut:
    with unit_of_work() as s:
        return svc.request(s, actor, source_lang="ru", target_lang="en", **fields)


def test_a_note_is_read_from_the_incident_with_its_ref(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander)
    with unit_of_work() as s:
        note = incidents.add_note(s, commander, ref, incidents.NoteCreate(body=NOTE))
    r = _ask(commander, source_kind="note", source_id=str(note.id))
    assert r.source_text == NOTE and r.incident_ref == ref and r.source_sha256 == svc.sha256(NOTE)
    assert _ask(commander, source_kind="note", source_id=f" {note.id} ", text=NOTE).source_text == NOTE
    with pytest.raises(ValidationFailed, match="differs") as refused:
        _ask(commander, source_kind="note", source_id=str(note.id), text=NOTE + " Уже пять.")
    assert refused.value.extra == {"field": "text"}
    with pytest.raises(ValidationFailed, match=f"belongs to {ref}"):
        _ask(commander, source_kind="note", source_id=str(note.id), incident=make_incident(commander))
    for missing in ("999999", "abc", "9" * 30):
        with pytest.raises(NotFound):
            _ask(commander, source_kind="note", source_id=missing)
    with unit_of_work(read_only=True) as s:
        assert len(svc.queue(s, commander, tab="open")) == 2  # the refused ones changed nothing


def test_a_note_of_a_restricted_incident_is_nobodys_but_its_members(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander, restricted=True)
    with unit_of_work() as s:
        note = incidents.add_note(s, commander, ref, incidents.NoteCreate(body=NOTE))
    with pytest.raises(NotFound, match=f"no note {note.id}"):
        _ask(make_user("responder"), source_kind="note", source_id=str(note.id))
    assert _ask(commander, source_kind="note", source_id=str(note.id)).incident_ref == ref


def test_an_update_and_a_reply_letter_are_read_as_their_approvers_read_them(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        make_request: Callable[..., Any]) -> None:
    commander, lawyer = make_user("commander"), make_user("legal")
    ref = make_incident(commander)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "pr", emails=["press@rr.example"])
        upd = updates.create(s, commander, ref, audience="pr", language="ru", subject="Заявление",
                             body="Мы удалили 1 200 видео.")
    r = _ask(commander, source_kind="stakeholder_update", source_id=str(upd.id))
    assert r.source_text == "Заявление\n\nМы удалили 1 200 видео." and r.incident_ref == ref
    req = make_request(lawyer, incident=ref)
    with pytest.raises(NotFound, match="no reply drafted"):
        _ask(lawyer, source_kind="reply_letter", source_id=req.ref)
    with unit_of_work() as s:
        letter = replies.draft(s, lawyer, req.ref)
        body = letter.body
    by_ref = _ask(lawyer, source_kind="reply_letter", source_id=req.ref)
    assert by_ref.source_text == body and by_ref.source_id == str(req.id)  # named as the approval gate names it


def test_a_signal_carries_its_harm_and_a_review_its_sections(
        engine: Engine, make_user: Callable[..., Actor], make_signals: Callable[..., signals.BatchResult],
        make_reviewed: Callable[..., str]) -> None:
    responder = make_user("responder")
    sent = make_signals([{"external_id": "src-1", "source": "user_report", "occurred_at": "2026-11-30T10:00:00+00:00",
                          "harm": "dangerous_challenge", "country": "KZ", "language": "ru",
                          "text": "Снимай челлендж и отмечай друзей"}])
    assert sent.inserted == 1, sent.rejected
    with unit_of_work(read_only=True) as s:
        found, _ = signals.list_signals(s, responder, signals.SignalFilter(q="отмечай"))
    r = _ask(responder, source_kind="signal", source_id=str(found[0].id))
    assert r.source_text == "Снимай челлендж и отмечай друзей" and r.harm == "dangerous_challenge"
    ref = make_reviewed()
    with unit_of_work(read_only=True) as s:
        review = reviews.get(s, SYSTEM, ref)
    reviewed = _ask(responder, source_kind="review", source_id=ref.lower())
    assert reviewed.source_text.startswith(review.sections["summary"]) and reviewed.source_id == ref
    assert reviewed.incident_ref == ref
