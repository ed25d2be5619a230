"""Retention with an injectable clock, on every backend: rows past their time are redacted or
deleted, what an incident under legal hold links to is kept until the hold is released, the pass is
recorded as counts, and the audit chain still verifies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text

from rapidresponse import detection, events, incidents, privacy, wellness
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, PermissionDenied
from rapidresponse.incidents import NoteCreate, Status, StatusChange
from rapidresponse.wellness.models import Exposure


def _signal(ext: str, at: Any, reporter: str, body: str) -> dict[str, Any]:
    return {"source": "user_report", "external_id": ext, "occurred_at": at.isoformat(), "text": body,
            "url": f"https://video.example/v/{ext}", "harm": "dangerous_challenge", "country": "KZ",
            "language": "ru", "metadata": {"reporter_id": reporter, "app": "android"}}


def _close(actor: Actor, ref: str) -> None:
    with unit_of_work() as s:
        for status in ("active", "mitigated", "monitoring", "resolved", "closed"):
            incidents.change_status(s, actor, ref, StatusChange(status=Status(status)))


def _signal_row(external_id: str) -> Any:
    with unit_of_work(read_only=True) as s:
        return s.execute(text("SELECT text, url, meta FROM signals WHERE external_id = :e"),
                         {"e": external_id}).first()


def _notes() -> dict[str, str]:
    with unit_of_work(read_only=True) as s:
        return {a: b for a, b in s.execute(text("SELECT i.ref, n.body FROM incident_notes n JOIN incidents i "
                                   "ON i.id = n.incident_id"))}


def _summaries() -> dict[str, str]:
    with unit_of_work(read_only=True) as s:
        return {a: b for a, b in s.execute(text("SELECT ref, summary FROM incidents"))}


@pytest.fixture
def world(make_user: Callable[..., Actor], make_incident: Callable[..., str], make_signals: Callable[..., Any],
          make_case: Callable[..., int], fake_clock: Any, env: Callable[..., None]) -> dict[str, Any]:
    """Two closed incidents (one to be held) with notes, exposure and a linked signal, and signals of
    several ages; the clock then moves 800 days on."""
    env(review_required_severities="[]", retention_audit_days="365", retention_closed_incident_days="365")
    cmd, legal = make_user("commander"), make_user("legal")
    t0 = fake_clock.now
    held = make_incident(cmd, summary="Reported by Айгерим from school 12")
    other = make_incident(cmd, summary="A parent, Марат, called the hotline")
    make_signals([_signal("old", t0 - timedelta(days=1), "r-1", "видео с челленджем, мой номер 8-777"),
                  _signal("linked", t0 - timedelta(days=1), "r-2", "мой сын в этом видео")])
    case = make_case(cmd)
    with unit_of_work() as s:
        linked = s.execute(text("SELECT id FROM signals WHERE external_id = 'linked'")).scalar_one()
        s.execute(text("UPDATE cases SET signal_ids = :ids WHERE id = :c"), {"ids": f"[{linked}]", "c": case})
        detection.escalate_case(s, cmd, case, into=held)
        detection.note_case(s, cmd, case, "the reporter's mother phoned")
        for ref in (held, other):
            incidents.add_note(s, cmd, ref, NoteCreate(body=f"note on {ref}: spoke to the reporter"))
            wellness.record(s, cmd, "dangerous_challenge", "review", incident_ref=ref)
        wellness.record(s, cmd, "dangerous_challenge", "reveal")
    _close(cmd, held)
    _close(cmd, other)
    with unit_of_work() as s:
        privacy.place_hold(s, legal, held, privacy.HoldIn(reason="Claim filed by a parent"))
    fake_clock.advance(days=600)
    make_signals([_signal("middle", fake_clock.now - timedelta(days=1), "r-1", "ещё одно видео")])
    fake_clock.advance(days=200)
    make_signals([_signal("new", fake_clock.now - timedelta(days=1), "r-3", "свежая жалоба")])
    return {"cmd": cmd, "legal": legal, "held": held, "other": other, "case": case}


def _run(actor: Actor) -> privacy.RetentionReport:
    with unit_of_work() as s:
        return privacy.apply_retention(s, actor)


def _verify() -> events.VerifyResult:
    with unit_of_work(read_only=True) as s:
        return events.verify(s)


def test_a_pass_removes_what_is_past_its_time_and_keeps_what_a_hold_needs(world: dict[str, Any]) -> None:
    held, other = world["held"], world["other"]
    report = _run(world["legal"])

    assert _signal_row("old") is None  # 801 days: past the signals' 730
    kept = _signal_row("linked")  # as old, but tied to the held incident through its case
    assert kept is not None and "мой сын" in kept.text and kept.url
    middle = _signal_row("middle")  # 201 days: text, reporter details and media gone, the row kept
    assert middle is not None and middle.text == "" and middle.url is None and "r-1" not in str(middle.meta)
    assert "свежая" in _signal_row("new").text
    assert _notes() == {held: f"note on {held}: spoke to the reporter", other: ""}
    assert _summaries() == {held: "Reported by Айгерим from school 12", other: ""}
    with unit_of_work(read_only=True) as s:
        mine = s.execute(select(func.count()).select_from(Exposure).where(Exposure.user_id == world["cmd"].user_id))
        assert mine.scalar_one() == 2  # the held incident's two
        kept_streams = {ev.stream for ev in s.execute(select(events.Event)).scalars()
                        if not events.is_redacted(ev.payload) and ev.type != "log.anchored"}
        case_note = s.execute(select(events.Event).where(events.Event.type == "case.note")).scalar_one()
    assert not events.is_redacted(case_note.payload)  # its case is linked to the held incident
    assert f"incident:{_id(held)}" in kept_streams and f"incident:{_id(other)}" not in kept_streams

    assert report.held_incidents == 1
    assert report.counts["signals"] == 1 and report.counts["signal_text"] == 1 and report.counts["media"] == 1
    assert report.counts["notes"] == 1 and report.counts["exposure"] == 2 and report.counts["closed_incidents"] == 1
    assert report.counts["audit_events"] > 0
    result = _verify()
    assert result.ok, result.reason
    assert result.redacted == report.counts["audit_events"]
    with unit_of_work(read_only=True) as s:
        run = s.execute(select(events.Event).where(events.Event.type == "retention.applied")).scalar_one()
    assert run.payload["counts"] == report.counts  # counts, never content
    assert "Айгерим" not in str(run.payload) and "r-1" not in str(run.payload)


def _id(ref: str) -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(text("SELECT id FROM incidents WHERE ref = :r"), {"r": ref}).scalar_one())


def test_a_released_hold_lets_the_next_pass_remove_the_rest(world: dict[str, Any]) -> None:
    _run(world["legal"])
    with unit_of_work() as s:
        privacy.release_hold(s, world["legal"], world["held"], privacy.ReleaseIn(reason="Claim settled"))
    second = _run(world["legal"])
    assert _signal_row("linked") is None
    assert _notes()[world["held"]] == "" and _summaries()[world["held"]] == ""
    assert second.held_incidents == 0 and second.counts["exposure"] == 2
    with unit_of_work(read_only=True) as s:
        case_note = s.execute(select(events.Event).where(events.Event.type == "case.note")).scalar_one()
    assert events.is_redacted(case_note.payload)
    assert _verify().ok
    third = _run(world["legal"])  # nothing left to do: a pass is idempotent
    assert sum(third.counts.values()) == 0


def test_the_worker_job_runs_the_pass_and_a_zero_setting_keeps_a_class(world: dict[str, Any],
                                                                       env: Callable[..., None]) -> None:
    from rapidresponse import domains, worker

    env(retention_signals_days="0", retention_notes_days="0", retention_closed_incident_days="0")
    domains.load()
    with unit_of_work() as s:
        done = worker.JOBS["privacy.retention"].fn(s)
    old = _signal_row("old")  # kept as a row (0: no limit), its text still past its 90 days
    assert old is not None and old.text == "" and old.url is None
    assert _notes()[world["other"]] == f"note on {world['other']}: spoke to the reporter"
    assert _summaries()[world["other"]] == "A parent, Марат, called the hotline"
    assert isinstance(done, int) and done > 0
    assert _verify().ok


def test_holds_need_the_legal_permission_and_are_not_doubled(world: dict[str, Any],
                                                             make_user: Callable[..., Actor]) -> None:
    responder = make_user("responder")
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        privacy.place_hold(s, responder, world["other"], privacy.HoldIn(reason="mine"))
    with unit_of_work() as s, pytest.raises(Conflict):
        privacy.place_hold(s, world["legal"], world["held"], privacy.HoldIn(reason="again"))
    with unit_of_work() as s, pytest.raises(Conflict):
        privacy.release_hold(s, world["legal"], world["other"], privacy.ReleaseIn())
    with unit_of_work() as s, pytest.raises(PermissionDenied):
        privacy.apply_retention(s, responder)
    with unit_of_work(read_only=True) as s:
        timeline = [e.type for e in events.for_subject(s, "incident", _id(world["held"]))]
    assert "incident.legal_hold_placed" in timeline
