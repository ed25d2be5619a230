"""The update gate: a stakeholder update in another language than English is submitted for legal
approval only with an approved translation of its exact text; editing it voids the translation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rapidresponse import translation
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict
from rapidresponse.notify import audiences
from rapidresponse.playbooks import updates
from rapidresponse.translation import TranslationOut

RU_SUBJECT, RU_BODY = "Заявление для прессы", "Мы удалили 1 200 видео с опасным челленджем."
EN = "Press statement\n\nWe removed 1,200 videos of the dangerous challenge."


def test_an_update_in_russian_needs_an_approved_translation_of_its_exact_text(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str],
        approve_translation: Callable[..., TranslationOut]) -> None:
    commander = make_user("commander")
    ref = make_incident(commander)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "pr", emails=["press@rr.example"])
        upd = updates.create(s, commander, ref, audience="pr", language="ru", subject=RU_SUBJECT, body=RU_BODY)
        english = updates.create(s, commander, ref, audience="pr", language="en", subject="Statement", body="Text.")
    with unit_of_work() as s, pytest.raises(Conflict, match="translation of its exact text"):
        updates.request_approval(s, commander, ref, upd.id)
    with unit_of_work() as s:  # English needs none
        assert updates.request_approval(s, commander, ref, english.id).status == "pending_approval"
    text = f"{RU_SUBJECT}\n\n{RU_BODY}"  # what legal approves: the subject, a blank line, the body
    approve_translation(source_kind="text", source_id="", text=text, translation=EN)
    with unit_of_work() as s, pytest.raises(Conflict, match="exact text"):  # the same words, not of this update
        updates.request_approval(s, commander, ref, upd.id)
    done = approve_translation(source_kind="stakeholder_update", source_id=str(upd.id), text="", translation=EN)
    assert done.source_text == text and done.incident_ref == ref  # read from the update itself
    with unit_of_work() as s:
        assert updates.request_approval(s, commander, ref, upd.id).status == "pending_approval"
    with unit_of_work() as s:  # an edit voids the translation, and the gate holds again
        updates.edit(s, commander, ref, upd.id, subject=RU_SUBJECT, body=RU_BODY + " Проверка продолжается.")
    with unit_of_work(read_only=True) as s:
        assert translation.get(s, commander, done.id).state == "void"
        assert translation.get(s, commander, done.id).source_text == text  # the original stays as it was
    with unit_of_work() as s, pytest.raises(Conflict, match="translation"):
        updates.request_approval(s, commander, ref, upd.id)


def test_an_update_that_another_role_approves_needs_no_translation(
        engine: Engine, make_user: Callable[..., Actor], make_incident: Callable[..., str]) -> None:
    """Only legal's approval waits for a translation: a commander approves a Russian leadership update as it is."""
    commander = make_user("commander")
    ref = make_incident(commander)
    with unit_of_work() as s:
        audiences.set_audience(s, SYSTEM, "leadership", emails=["lead@rr.example"])
        upd = updates.create(s, commander, ref, audience="leadership", language="ru", subject="Обновление",
                             body="Ситуация под контролем.")
    with unit_of_work() as s:
        pending = updates.request_approval(s, commander, ref, upd.id)
    assert pending.status == "pending_approval" and pending.approval_id is not None
