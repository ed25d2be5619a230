"""The demo world: seeded through the services, idempotent, with a year of ordered history."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rapidresponse import clock, events, translation
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.auth.models import User
from rapidresponse.db import unit_of_work
from rapidresponse.demo import DEFAULT_HISTORY, data, seed
from rapidresponse.errors import NotFound
from rapidresponse.incidents import service, work
from rapidresponse.incidents.models import Incident, Note, Task
from rapidresponse.incidents.schemas import IncidentFilter
from rapidresponse.notify import service as notify

MILESTONES = ("detected_at", "declared_at", "acknowledged_at", "mitigated_at", "resolved_at", "closed_at")
KAZAKH_LETTERS = set("әғқңөұүһі")


def actor(s: Session, username: str) -> Actor:
    return auth.to_actor(auth.find_person(s, username))


def counts(s: Session) -> tuple[int, ...]:
    return tuple(s.execute(select(func.count()).select_from(model)).scalar_one()
                 for model in (User, Incident, Note, Task, events.Event))


def test_small_world_has_the_active_sev2_and_a_hidden_restricted_case(engine: Engine) -> None:
    report = seed(history_size=10)
    assert report.created
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5), "the wall clock is restored"
    with unit_of_work(read_only=True) as s:
        admin = actor(s, "marta.zielinska")
        inc = service.get(s, admin, report.active_ref)
        assert (inc.status, inc.severity, inc.type) == ("active", 2, "dangerous_challenge")
        assert inc.countries == ["KZ", "RU"] and inc.languages == ["ru", "kk"] and not inc.restricted
        assert timedelta(hours=1) <= inc.declared_at - inc.detected_at <= timedelta(hours=2)
        assert inc.declared_at < inc.acknowledged_at < clock.now()
        roles = {m.role: m.username for m in service.members(s, inc.id)}
        for role in ("commander", "deputy", "comms_lead", "policy_lead", "legal", "regional_lead", "scribe"):
            assert role in roles, role
        assert roles["regional_lead"] == "assel.zhumabekova"

        tasks = work.tasks(s, admin, inc.ref)
        open_ = [t for t in tasks if t.status in ("open", "in_progress")]
        assert open_ and all(t.owner for t in open_)
        assert any(t.due_at for t in open_)
        assert any(t.due_at and t.due_at > clock.now() for t in open_)
        assert any(t.status == "done" and t.completed_at for t in tasks)
        assert len(work.pinned_notes(s, admin, inc.ref)) == 1
        notes = [e.note.body for e in work.timeline(s, admin, inc.ref, kinds=["notes"]) if e.note]
        assert any(KAZAKH_LETTERS & set(body) for body in notes), "some notes are in Kazakh"
        assert any("Рост" in body for body in notes) and any(body.startswith("Policy call") for body in notes)
        asked = {r.source_kind: r for r in translation.for_incident(s, admin, inc.ref)}
        assert asked["note"].source_text in notes and asked["note"].source_lang == "kk"  # read from the note itself

        hidden = report.restricted_ref
        for name in ("bekzod.yusupov", "aigerim.nurlanova", "anna.smirnova"):
            outsider = actor(s, name)
            with pytest.raises(NotFound):
                service.get(s, outsider, hidden)
            items, _ = service.list_incidents(s, outsider, IncidentFilter(limit=200))
            assert hidden not in {i.ref for i in items}
        for name in ("dmitry.volkov", "olena.kovalenko", "jasur.tursunov"):
            assert service.get(s, actor(s, name), hidden).type == "child_safety"
        assert service.get(s, admin, hidden).restricted

        users = {u.username: u for u in auth.list_users(s, admin)}
        for person in data.PEOPLE:
            user = users[person.username]
            assert (user.role, user.timezone, user.must_change_password) == (person.role, person.timezone, False)
        assert {p.role for p in data.PEOPLE} >= {"commander", "responder", "policy", "legal", "comms", "analyst",
                                                 "viewer"}
    with unit_of_work() as s:
        viewer = auth.authenticate(s, "bekzod.yusupov", data.demo_password("viewer"))
        assert not viewer.must_change_password

    with unit_of_work(read_only=True) as s:
        before = counts(s)
    again = seed(history_size=10)
    assert not again.created and again.active_ref == report.active_ref
    with unit_of_work(read_only=True) as s:
        assert counts(s) == before
        # The back-dated history queues no mail for a relay the demo machine does not have.
        assert sum(notify.counts(s, actor(s, "marta.zielinska")).values()) == 0


@pytest.mark.slow
def test_default_history_covers_a_year_in_order_and_the_chain_verifies(engine: Engine) -> None:
    report = seed()
    assert report.incidents >= DEFAULT_HISTORY
    with unit_of_work(read_only=True) as s:
        incidents = s.execute(select(Incident)).scalars().all()
        history = [i for i in incidents if i.status in ("closed", "cancelled", "merged")]
        assert 150 <= len(history) <= 300
        statuses = Counter(i.status for i in history)
        assert statuses["closed"] > 0.8 * len(history) and statuses["cancelled"] and statuses["merged"]
        first = min(i.declared_at for i in history)
        last = max(i.closed_at for i in history if i.closed_at)
        assert last - first >= timedelta(days=365) and last < clock.now()
        for inc in incidents:
            stamps = [getattr(inc, m) for m in MILESTONES if getattr(inc, m) is not None]
            assert stamps == sorted(stamps), inc.ref
            if inc.status == "closed":
                assert all(getattr(inc, m) for m in MILESTONES), inc.ref

        severities = Counter(i.severity for i in history)
        assert set(severities) == {1, 2, 3, 4}
        assert severities[1] < severities[2] < severities[3] and severities[1] < severities[4]
        assert {i.type for i in history} == set(data.TYPE_WEIGHTS)
        assert len({c for i in history for c in i.countries}) >= 14
        assert any(any("\u0400" <= ch <= "\u04ff" for ch in i.title) for i in history)
        assert s.execute(select(func.count()).select_from(Note)).scalar_one() > len(history) / 2

        result = events.verify(s)
        assert result.ok, result
        assert result.events_checked > 10 * len(history)


def test_an_update_can_be_drafted_approved_and_sent_in_the_demo(engine: Engine) -> None:
    """Every demo audience has a recipient: an update goes from draft through approval to the outbox."""
    from rapidresponse import approvals, playbooks

    report = seed(history_size=3)
    with unit_of_work() as s:
        admin = actor(s, "marta.zielinska")
        inc = service.get(s, admin, report.active_ref)
        roles = {m.role: m.username for m in service.members(s, inc.id)}
        comms, commander = actor(s, roles["comms_lead"]), actor(s, roles["commander"])
        upd = playbooks.create_update(s, comms, inc.ref, audience="leadership", language="ru",
                                      subject="Обновление", body="Ситуация под контролем")
        pending = playbooks.request_update_approval(s, comms, inc.ref, upd.id)
        assert pending.approval_id is not None
        a = approvals.get(s, commander, pending.approval_id)
        approvals.decide(s, commander, a.id, decision="approved", text_sha256=a.text_sha256)
        sent = playbooks.send_update(s, comms, inc.ref, upd.id)
        assert sent.status == "sent"
