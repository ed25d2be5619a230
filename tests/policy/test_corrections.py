"""Corrections of country profiles: validated, stored in the database with their history, laid over the
data files, seen by every process, and gone with a transaction that rolls back."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

import rapidresponse
from rapidresponse import events, policy
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import NotFound, PermissionDenied, ValidationFailed
from rapidresponse.policy.models import CountryProfileCorrection

NAME = "authorised_body_request"


def _events(prefix: str) -> list[events.Event]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(events.Event).where(events.Event.type.startswith(prefix))
                              .order_by(events.Event.id)).scalars())


def _stored() -> list[CountryProfileCorrection]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(CountryProfileCorrection).order_by(CountryProfileCorrection.id)).scalars())


def test_a_correction_is_validated_stored_and_recorded(fake_clock: Any, make_user: Callable[..., Actor],
                                                       policy_files: Callable[[str, Any], Path]) -> None:
    team_file = policy_files("countries/KZ.yaml", {"notes": "team corrections live here"})
    written = team_file.read_text("utf-8")
    policy_user = make_user("policy")
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        policy.correct_deadline(s, make_user("commander"), "KZ", NAME, hours=12, time="calendar",
                                confidence="verified")
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=-3, time="calendar", confidence="verified")
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=3, time="weekdays", confidence="verified")
    with pytest.raises(NotFound), unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", "nope", hours=3, time="calendar", confidence="verified")
    with pytest.raises(NotFound), unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "XX", NAME, hours=3, time="calendar", confidence="verified")
    assert _stored() == [] and _events("policy.profile_corrected") == []
    with unit_of_work() as s:
        d = policy.correct_deadline(s, policy_user, "KZ", NAME, hours=12, time="business", confidence="uncertain",
                                    notes="  Ministry guidance of 2026 ")
    assert (d.hours, d.time.value, d.confidence.value, d.notes.en) == (12, "business", "uncertain",
                                                                    "Ministry guidance of 2026")
    kz = policy.get_country("KZ")
    assert kz.deadline(NAME) == d and kz.notes.en == "team corrections live here"  # the team's file still applies
    assert team_file.read_text("utf-8") == written  # the team's directory is never written
    (row,) = _stored()
    assert (row.country, row.deadline, row.hours, row.time, row.confidence, row.notes, row.corrected_by) == (
        "KZ", NAME, 12, "business", "uncertain", "Ministry guidance of 2026", policy_user.username)
    assert row.corrected_by_id == policy_user.user_id and row.corrected_at == fake_clock.now
    (ev,) = _events("policy.profile_corrected")
    assert ev.subject_id == "KZ" and ev.actor == policy_user.username and ev.payload["correction_id"] == row.id
    assert ev.payload["before"]["hours"] == 24 and ev.payload["after"]["hours"] == 12
    assert events.describe(ev) == f"corrected the deadline {NAME} of the KZ profile"


def test_a_later_correction_supersedes_and_the_history_stays(engine: Engine,
                                                             make_user: Callable[..., Actor]) -> None:
    policy_user, responder = make_user("policy"), make_user("responder")
    with unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=12, time="business", confidence="uncertain")
        policy.correct_deadline(s, policy_user, "KZ", "threat_notification", hours=1, time="calendar",
                                confidence="verified")
    with unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=None, time="calendar", confidence="verified",
                                notes="back to the law's own wording")
    kz = policy.get_country("KZ")
    assert kz.deadline(NAME).defaulted and kz.deadline(NAME).notes.en == "back to the law's own wording"
    assert kz.deadline("threat_notification").hours == 1
    with unit_of_work(read_only=True) as s:
        history = policy.corrections(s, responder, "kz")
        assert [(c.deadline, c.hours, c.current) for c in history] == [
            (NAME, 12, False), ("threat_notification", 1, True), (NAME, None, True)]
        assert policy.corrections(s, responder, "RU") == []
        with pytest.raises(PermissionDenied):
            policy.corrections(s, make_user("viewer"), "KZ")


def test_a_correction_whose_transaction_rolls_back_leaves_the_profile_as_it_was(
        make_user: Callable[..., Actor], policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("countries/KZ.yaml", {"notes": "team corrections live here"})
    policy_user = make_user("policy")
    hours_before = policy.get_country("KZ").deadline(NAME).hours

    class Boom(Exception):
        pass

    with pytest.raises(Boom), unit_of_work() as s:
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=6, time="calendar", confidence="verified")
        assert policy.get_country("KZ", s).deadline(NAME).hours == 6  # seen inside
        assert policy.get_country("KZ").deadline(NAME).hours == hours_before  # and by nobody else yet
        raise Boom
    assert policy.get_country("KZ").deadline(NAME).hours == hours_before
    assert policy.get_country("KZ").notes.en == "team corrections live here"
    assert _events("policy.profile_corrected") == [] and _stored() == []
    with unit_of_work() as s:  # a later correction that commits is kept
        policy.correct_deadline(s, policy_user, "KZ", NAME, hours=6, time="calendar", confidence="verified")
    assert policy.get_country("KZ").deadline(NAME).hours == 6


def test_a_correction_saved_by_another_process_is_seen_without_a_restart(
        engine: Engine, make_user: Callable[..., Actor]) -> None:
    policy_user = make_user("policy", username="second-process")
    with unit_of_work(read_only=True) as s:  # this process has the profiles cached
        assert policy.get_country("KZ", s).deadline(NAME).hours == 24
    assert policy.get_country("KZ").deadline(NAME).hours == 24
    script = (
        "from rapidresponse import auth, domains, policy\n"
        "from rapidresponse.db import unit_of_work\n"
        "domains.load()\n"
        "with unit_of_work() as s:\n"
        "    actor = auth.to_actor(auth.find_person(s, 'second-process'))\n"
        f"    policy.correct_deadline(s, actor, 'KZ', '{NAME}', hours=3, time='calendar', confidence='verified')\n"
    )
    env = {**os.environ, "RAPIDRESPONSE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "PYTHONPATH": str(Path(rapidresponse.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    with unit_of_work(read_only=True) as s:
        assert policy.get_country("KZ", s).deadline(NAME).hours == 3
    assert policy.get_country("KZ").deadline(NAME).hours == 3
    (row,) = _stored()
    assert row.corrected_by == policy_user.username


def test_corrections_an_earlier_release_saved_in_the_var_dir_keep_applying(
        tmp_path: Path, env: Callable[..., None], make_user: Callable[..., Actor]) -> None:
    """Before corrections were stored in the database, the UI wrote them to ``<var dir>/policy``; an
    upgraded installation keeps them, and a correction made now is laid over them."""
    earlier = tmp_path / "var" / "policy" / "countries" / "KZ.yaml"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("deadlines:\n- name: authorised_body_request\n  hours: 20\n  time: calendar\n"
                       "  confidence: uncertain\n  notes: Сохранено прежней версией\n", encoding="utf-8")
    env(var_dir=str(tmp_path / "var"), policy_dir=None)
    policy.clear_cache()
    try:
        kept = policy.get_country("KZ").deadline(NAME)
        assert (kept.hours, kept.notes.en) == (20, "Сохранено прежней версией")
        with unit_of_work() as s:
            policy.correct_deadline(s, make_user("policy"), "KZ", NAME, hours=18, time="calendar",
                                    confidence="verified")
        assert policy.get_country("KZ").deadline(NAME).hours == 18
    finally:
        policy.clear_cache()
