"""Regulator requests on the real database: deadlines from profiles, outcomes, the clock job's warnings
and escalation through the outbox, events on the request and the incident, replies from templates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from rapidresponse import events, policy
from rapidresponse.approvals import service as approvals
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents import work
from rapidresponse.incidents.schemas import IncidentCreate, RoleAssign
from rapidresponse.notify.models import OutboxMessage
from rapidresponse.requests import jobs, replies
from rapidresponse.requests import service as requests
from rapidresponse.requests.clocks import ClockState, clock_state
from rapidresponse.requests.models import RegulatorRequest
from rapidresponse.requests.schemas import OutcomeIn, RequestCreate, RequestFilter, RequestOut

FRIDAY_EVENING_ALMATY = "2026-11-27T18:30:00+05:00"
MakeRequest = Callable[..., RequestOut]


def _state(s: Any, req: RegulatorRequest, at: datetime | None = None) -> ClockState:
    return clock_state(req, policy.get_country(req.country, s), at)


def _outbox(kind: str) -> list[OutboxMessage]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id)).scalars())


def _events(prefix: str) -> list[events.Event]:
    with unit_of_work(read_only=True) as s:
        return list(s.execute(select(events.Event).where(events.Event.type.startswith(prefix))
                              .order_by(events.Event.id)).scalars())


def test_deadline_comes_from_the_regulator_profile(fake_clock: Any, make_user: Callable[..., Actor],
                                                   make_request: MakeRequest) -> None:
    fake_clock.now = datetime.fromisoformat("2026-11-28T00:00:00+00:00")
    legal = make_user("legal")
    rid = make_request(legal, received_at=FRIDAY_EVENING_ALMATY).id
    with unit_of_work(read_only=True) as s:
        req = requests.load(s, legal, rid)
        # Law No. 18-VIII counts 24 real hours: Friday 18:30 in Almaty → Saturday 18:30, weekend or not.
        assert req.deadline_name == "authorised_body_request" and req.deadline_time == "calendar"
        assert req.due_at == datetime.fromisoformat("2026-11-28T13:30:00+00:00")
        assert _state(s, req).due_local.isoformat() == "2026-11-28T18:30:00+05:00"
        assert [i.target for i in requests.items(s, req)] == ["https://example.org/v/1", "vid:42"]
    # The inspection remedy runs in business hours: Friday evening counts nothing until Monday 09:00.
    rid = make_request(legal, received_at=FRIDAY_EVENING_ALMATY, deadline="inspection_remedy").id
    with unit_of_work(read_only=True) as s:
        req = requests.load(s, legal, rid)
        assert req.deadline_time == "business" and req.deadline_hours == 27
        assert req.due_at.astimezone(policy.get_country("KZ").zone).isoformat() == "2026-12-02T18:00:00+05:00"
        state = _state(s, req, datetime.fromisoformat("2026-11-30T04:00:00+00:00"))  # Mon 09:00
        assert state.progress == 0.0 and state.level == "ok"


@pytest.mark.parametrize(("fields", "field"), [
    ({"country": "FR"}, "country"), ({"regulator": "nobody"}, "regulator"),
    ({"deadline": "no_such_deadline"}, "deadline"), ({"received_at": "2099-01-01T00:00:00+00:00"}, "received_at"),
    ({"owner": "ghost"}, None),
])
def test_bad_requests_are_refused_and_change_nothing(engine: Any, make_user: Callable[..., Actor],
                                                     request_defaults: dict[str, Any], fields: dict[str, Any],
                                                     field: str | None) -> None:
    legal = make_user("legal")
    before = _events("request.")
    with pytest.raises((ValidationFailed, NotFound)) as exc, unit_of_work() as s:
        requests.register(s, legal, RequestCreate.model_validate({**request_defaults, **fields}))
    if field:
        assert exc.value.extra.get("field") == field and field in exc.value.detail
    assert _events("request.") == before
    with unit_of_work(read_only=True) as s:
        assert requests.list_requests(s, legal, RequestFilter()).total == 0


def test_permissions_checked_in_the_service(engine: Any, make_user: Callable[..., Actor],
                                            request_defaults: dict[str, Any], make_request: MakeRequest) -> None:
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        requests.register(s, make_user("responder"), RequestCreate.model_validate(request_defaults))
    rid = make_request(make_user("commander")).id
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        requests.get(s, make_user("viewer"), rid)
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        requests.set_outcome(s, make_user("responder"), rid, 1, OutcomeIn(outcome="no_action", reason="x"))


def test_outcomes_and_events_on_the_incident_timeline(fake_clock: Any, make_user: Callable[..., Actor],
                                                      make_request: MakeRequest) -> None:
    commander = make_user("commander")
    with unit_of_work() as s:
        ref = incidents.declare(s, commander, IncidentCreate(title="Choking challenge", type="dangerous_challenge",
                                                             countries=["KZ"])).ref
    rid = make_request(commander, incident=ref).id
    with unit_of_work() as s:
        first, second = requests.get(s, commander, rid).items
        requests.set_outcome(s, commander, rid, first.id, OutcomeIn(outcome="removed_globally"))
    with pytest.raises(ValidationFailed, match="reason"), unit_of_work() as s:
        requests.set_outcome(s, commander, rid, second.id, OutcomeIn(outcome="no_action"))
    with pytest.raises(NotFound), unit_of_work() as s:
        requests.set_outcome(s, commander, rid, second.id + 100, OutcomeIn(outcome="removed_globally"))
    with unit_of_work() as s:
        requests.set_outcome(s, commander, rid, second.id,
                             OutcomeIn(outcome="no_action", reason="Не найдено на платформе"))
        timeline = [e.type for e in work.timeline(s, commander, ref)]
    assert timeline.count("incident.request_registered") == 1 and timeline.count("incident.request_outcome") == 2
    assert [e.type for e in _events("request.")] == ["request.registered", "request.outcome", "request.outcome"]


def test_incident_timeline_lines_in_english_and_russian(fake_clock: Any, make_user: Callable[..., Actor],
                                                        make_request: MakeRequest) -> None:
    from rapidresponse.web.templating import Translator, compile_catalogs

    compile_catalogs()
    commander = make_user("commander")
    with unit_of_work() as s:
        ref = incidents.declare(s, commander, IncidentCreate(title="t", type="dangerous_challenge",
                                                             countries=["KZ"])).ref
    out = make_request(commander, incident=ref)
    with unit_of_work() as s:
        requests.set_outcome(s, commander, out.id, out.items[0].id, OutcomeIn(outcome="removed_globally"))
    registered, outcome = (events.parse(e) for e in _events("incident.request_"))
    assert registered.describe(Translator("en")) == (
        f"registered {out.ref} from Ministry of Culture and Information of the Republic of Kazakhstan (MCI) (KZ); "
        "the legal clock runs")
    assert outcome.describe(Translator("en")) == f"recorded an outcome on {out.ref}: Removed globally"
    assert out.ref in outcome.describe(Translator("ru")) and "Removed" not in outcome.describe(Translator("ru"))


def test_clock_warns_the_owner_once_per_mark_and_escalates_to_legal_on_breach(
        fake_clock: Any, make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    owner = make_user("commander", email="owner@example.org", locale="ru")
    make_user("legal", email="legal@example.org")
    incident_legal = make_user("responder", email="counsel@example.org")
    with unit_of_work() as s:
        ref = incidents.declare(s, owner, IncidentCreate(title="t", type="dangerous_challenge", countries=["KZ"])).ref
        incidents.assign_role(s, owner, ref, RoleAssign(role="legal", username=incident_legal.username))
    start = fake_clock.now
    make_request(owner, received_at=start.isoformat(), incident=ref)

    def tick(hours: float) -> int:
        fake_clock.now = start + timedelta(hours=hours)
        with unit_of_work() as s:
            return jobs.tick(s)

    assert tick(11) == 0 and _outbox("request.deadline_warning") == []
    assert tick(12.5) == 1 and tick(13) == 0  # 52 %: once
    warned = _outbox("request.deadline_warning")
    assert [m.recipient for m in warned] == ["owner@example.org"]
    assert "50%" in warned[0].subject and "REQ-" in warned[0].subject and "срока" in warned[0].subject
    assert tick(23) == 1  # past 75 % and 90 % at once: one message, the higher mark
    warned = _outbox("request.deadline_warning")
    assert len(warned) == 2 and "90%" in warned[1].subject
    assert tick(23.5) == 0
    assert _outbox("request.breached") == []
    assert tick(24.1) == 1 and tick(24.9) == 0  # the next escalation waits for the cadence (an hour)
    breached = _outbox("request.breached")
    assert sorted(m.recipient for m in breached) == ["counsel@example.org", "legal@example.org", "owner@example.org"]
    assert all(m.incident_id is not None for m in breached)
    kinds = [e.type for e in _events("incident.request_")]
    assert kinds.count("incident.request_deadline_warning") == 2 and kinds.count("incident.request_breached") == 1
    with unit_of_work(read_only=True) as s:
        (out,) = requests.list_requests(s, owner, RequestFilter()).items
        req = requests.load(s, owner, out.id)
        assert req.warned == [50, 75, 90] and req.breached_at is not None
        assert _state(s, req, fake_clock.now).level == "breached" and out.clock.level == "breached"
        assert out.escalations == 1


def test_a_breached_request_keeps_escalating_on_its_cadence_until_answered(
        fake_clock: Any, env: Callable[..., None], make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    env(request_escalation_minutes="30")
    owner = make_user("commander", email="owner@example.org")
    make_user("legal", email="legal@example.org")
    start = fake_clock.now
    out = make_request(owner, received_at=start.isoformat())

    def tick(hours: float) -> int:
        fake_clock.now = start + timedelta(hours=hours)
        with unit_of_work() as s:
            return jobs.tick(s)

    tick(23)
    assert tick(24.1) == 1 and tick(24.5) == 0 and tick(24.7) == 1 and tick(25.0) == 0 and tick(25.3) == 1
    assert len(_outbox("request.breached")) == 6  # three escalations, each to legal and the owner
    lines = [events.describe(e) for e in _events("request.breached")]
    assert lines[0] == f"the legal deadline of {out.ref} passed; legal was escalated"
    assert lines[2] == (f"{out.ref} is still unanswered past its legal deadline; "
                        "legal was escalated again (escalation 3)")
    with unit_of_work() as s:
        req = requests.load(s, owner, out.ref)
        assert (req.escalations, req.breached_at) == (3, start + timedelta(hours=24.1))
        req.status = "answered"  # as the sent reply does (tests/requests/test_letters.py)
    assert tick(30) == 0 and len(_outbox("request.breached")) == 6


def test_requests_are_numbered_per_year_and_found_by_reference_or_id(
        fake_clock: Any, make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    owner = make_user("commander")
    first, second = make_request(owner), make_request(owner)
    year = fake_clock.now.year
    assert (first.ref, second.ref) == (f"REQ-{year}-0001", f"REQ-{year}-0002")
    fake_clock.now = fake_clock.now.replace(year=year + 1, month=1, day=2)
    third = make_request(owner, received_at=fake_clock.now.isoformat())
    assert third.ref == f"REQ-{year + 1}-0001"
    with unit_of_work(read_only=True) as s:
        for key in (second.ref, second.ref.lower(), second.id, str(second.id)):
            assert requests.get(s, owner, key).id == second.id
        for missing in (f"REQ-{year}-0099", "REQ-1", "0", "INC-2026-0001"):
            with pytest.raises(NotFound):
                requests.get(s, owner, missing)


def test_requests_linked_to_a_restricted_incident_are_hidden(engine: Any, make_user: Callable[..., Actor],
                                                             request_defaults: dict[str, Any],
                                                             make_request: MakeRequest) -> None:
    member, outsider = make_user("commander"), make_user("legal")
    with unit_of_work() as s:
        ref = incidents.declare(s, member, IncidentCreate(title="Grooming ring", type="child_safety",
                                                          countries=["KZ"])).ref
    rid = make_request(member, incident=ref).id
    with pytest.raises(NotFound), unit_of_work() as s:
        requests.get(s, outsider, rid)
    with pytest.raises(NotFound), unit_of_work() as s:
        requests.register(s, outsider, RequestCreate.model_validate({**request_defaults, "incident": ref}))
    with unit_of_work(read_only=True) as s:
        assert requests.list_requests(s, outsider, RequestFilter()).total == 0
        assert requests.list_requests(s, member, RequestFilter()).total == 1


def test_reply_drafted_in_kazakh_and_english_then_edited(fake_clock: Any, make_user: Callable[..., Actor],
                                                         make_request: MakeRequest) -> None:
    legal = make_user("legal")
    out = make_request(legal)
    with unit_of_work() as s:
        requests.set_outcome(s, legal, out.id, out.items[0].id, OutcomeIn(outcome="restricted_in_country"))
        letter = replies.draft_reply(s, legal, out.id).reply
        assert letter is not None
        body = letter.body
    assert letter.languages == ["kk", "en"]
    kk, en = body.split(replies.SEPARATOR)
    assert "Қазақстан аумағында қолжетімділік шектелді." in kk and "Қаралуда." in kk and "№ 01-12/345" in kk
    assert "Access restricted in Kazakhstan." in en and "Under review." in en
    assert "Ministry of Culture and Information" in en
    with unit_of_work() as s:
        edited = replies.edit_reply(s, legal, out.id, body + "\nP.S. Қосымша ақпарат.\r\n").reply
        assert edited is not None
        assert edited.status == "draft" and edited.body.endswith("Қосымша ақпарат.\n")
    assert [e.type for e in _events("request.reply")] == ["request.reply_drafted", "request.reply_edited"]


def test_template_sandbox_keeps_request_text_inert(engine: Any, make_user: Callable[..., Actor],
                                                   make_request: MakeRequest) -> None:
    legal = make_user("legal")
    rid = make_request(legal, sender="{{ ''.__class__.__mro__ }}", legal_basis="{% raw %}x").id
    with unit_of_work() as s:
        body = replies.draft(s, legal, rid).body
    assert "{{ ''.__class__.__mro__ }}" in body and "{% raw %}x" in body


def test_answered_request_outcomes_are_final(engine: Any, make_user: Callable[..., Actor],
                                             make_request: MakeRequest) -> None:
    legal = make_user("legal")
    rid = make_request(legal).id
    with unit_of_work() as s:
        req = requests.load(s, legal, rid)
        req.status = "answered"
        item = requests.items(s, req)[0]
    with pytest.raises(Conflict), unit_of_work() as s:
        requests.set_outcome(s, legal, rid, item.id, OutcomeIn(outcome="removed_globally"))


def test_reply_goes_through_legal_approval_and_the_exact_text_is_logged_as_sent(
        fake_clock: Any, make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    commander, legal = make_user("commander"), make_user("legal")
    with unit_of_work() as s:
        ref = incidents.declare(s, commander, IncidentCreate(title="t", type="dangerous_challenge",
                                                             countries=["KZ"])).ref
    rid = make_request(commander, incident=ref).id
    with pytest.raises(ValidationFailed, match="draft the reply"), unit_of_work() as s:
        replies.submit(s, commander, rid)
    with unit_of_work() as s:
        replies.draft(s, commander, rid)
        first = replies.submit(s, commander, rid).approval_id
    with pytest.raises(Conflict), unit_of_work() as s:
        replies.submit(s, commander, rid)
    # Editing the submitted text voids its approval: approving the old text would send nothing.
    with unit_of_work() as s:
        replies.edit(s, commander, rid, "Құрметті әріптестер!\nМатериалдар жойылды.\n")
        assert approvals.latest(s, "regulator_request", rid).status == "superseded"
        second = replies.submit(s, commander, rid).approval_id
    assert second != first
    with pytest.raises(PermissionDenied), unit_of_work() as s:  # nobody approves their own text
        approvals.decide(s, commander, second, decision="approved", text_sha256=replies.sha256("x"))
    with pytest.raises(Conflict), unit_of_work() as s:  # the approver confirms the text they read
        approvals.decide(s, legal, second, decision="approved", text_sha256=replies.sha256("other"))
    with unit_of_work() as s:
        approvals.decide(s, legal, second, decision="rejected", text_sha256=approvals.latest(
            s, "regulator_request", rid).text_sha256, comment="Add the legal basis")
        assert requests.reply(s, requests.load(s, commander, rid)).status == "draft"
        third = replies.submit(s, commander, rid).approval_id
        text = approvals.latest(s, "regulator_request", rid).text
        approvals.decide(s, legal, third, decision="approved", text_sha256=replies.sha256(text))
    with unit_of_work(read_only=True) as s:
        req = requests.load(s, commander, rid)
        letter = requests.reply(s, req)
        assert (req.status, letter.status, letter.body) == ("answered", "sent", text)
        assert letter.sent_sha256 == replies.sha256(text) and req.answered_at == fake_clock.now
        assert _state(s, req).level == "answered"
        timeline = [e.type for e in work.timeline(s, commander, ref)]
    sent = [e for e in _events("request.reply_sent")]
    assert len(sent) == 1 and sent[0].payload["text"] == text and sent[0].payload["approved_by"] == legal.username
    assert "incident.request_reply_sent" in timeline and "incident.request_reply_rejected" in timeline
    with pytest.raises(Conflict), unit_of_work() as s:
        replies.edit(s, commander, rid, "changed after sending")
    fake_clock.advance(hours=30)  # an answered request never breaches
    with unit_of_work() as s:
        assert jobs.tick(s) == 0


def test_a_corrected_deadline_applies_to_new_requests_not_running_clocks(
        fake_clock: Any, make_user: Callable[..., Actor], make_request: MakeRequest,
        policy_files: Callable[[str, Any], Any]) -> None:
    policy_files("countries/KZ.yaml", {"notes": "team corrections live here"})
    policy_user = make_user("policy")
    before = make_request(policy_user).id
    with unit_of_work() as s:
        d = policy.correct_deadline(s, policy_user, "KZ", "authorised_body_request", hours=12, time="business",
                                    confidence="uncertain", notes="Ministry guidance of 2026")
    assert (d.hours, d.time.value, d.confidence.value) == (12, "business", "uncertain")
    assert policy.get_country("KZ").notes.en == "team corrections live here"  # the team's file still applies
    after = make_request(policy_user).id
    with unit_of_work(read_only=True) as s:
        assert requests.get(s, policy_user, before).hours == 24
        new = requests.get(s, policy_user, after)
        assert (new.hours, new.time) == (12, "business")
