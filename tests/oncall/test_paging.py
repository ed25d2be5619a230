"""Routing, paging and escalation through the real outbox, a real SMTP server and a webhook receiver."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from factories.oncall import Rota
from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import InvalidTransition, NotFound
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents import work
from rapidresponse.incidents.schemas import IncidentCreate, StatusChange
from rapidresponse.notify import delivery
from rapidresponse.notify.channels import Channel
from rapidresponse.oncall import notices, paging
from rapidresponse.oncall.models import Page
from receivers import HttpReceiver, SmtpServer

SEV1 = {"harm": 4, "reach": 3, "velocity": 3, "vulnerable": True, "regulatory": 2}
TITLE = "Grooming network in Kazakh-language groups Қазақстан"


def declare(actor: Actor, **fields: Any) -> str:
    data = {"title": TITLE, "type": "child_safety", "countries": ["KZ"], "languages": ["kk"], "severity": SEV1,
            **fields}
    with unit_of_work() as s:
        return incidents.declare(s, actor, IncidentCreate.model_validate(data)).ref


def the_page(ref: str) -> Page:
    with unit_of_work() as s:
        return s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()


def text(msg: Any) -> str:
    return str(msg.get_body(("plain",)).get_content())


def escalate() -> int:
    with unit_of_work() as s:
        return paging.escalate_due(s)


def page_events(ref: str, admin: Actor) -> list[str]:
    with unit_of_work(read_only=True) as s:
        return [e.type for e in work.timeline(s, admin, ref) if e.type.startswith("incident.page_")]


def test_an_unacknowledged_page_climbs_every_step_to_mail_and_webhook(
        make_rota: Callable[..., Rota], fake_clock: Any, smtp: SmtpServer, receiver: HttpReceiver,
        channels: dict[str, Channel]) -> None:
    rota = make_rota(endpoint_url=f"{receiver.url}/team")
    ref = declare(rota.admin, restricted=False)
    page = the_page(ref)
    assert page.status == "triggered" and page.step == 0 and page.severity == 1
    fake_clock.advance(minutes=9)
    assert escalate() == 0  # the first step's 10 minutes are not over
    fake_clock.advance(minutes=1)
    assert escalate() == 1  # to the lead
    fake_clock.advance(minutes=15)
    assert escalate() == 1  # no further step: exhausted, still triggered
    assert escalate() == 0
    assert the_page(ref).status == "triggered" and the_page(ref).next_escalation_at is None
    assert delivery.drain(using=channels).delivered == 4

    # 09:00 UTC is 14:00 in Almaty: the 28th daily shift since 1 February is Aigerim's (Russian UI).
    mails = {m.rcpt_tos[0]: m.message for m in smtp.inbox.messages}
    assert set(mails) == {"aigerim@example.org", "lead@example.org"}
    ru = mails["aigerim@example.org"]
    assert "Вызов дежурного" in ru["Subject"] and TITLE in ru["Subject"]
    ack_link = next(line for line in text(ru).splitlines() if "/oncall/ack/" in line).split()[-1]
    assert "Step 2 of 2" in text(mails["lead@example.org"])
    hooks = sorted((r.json for r in receiver.requests), key=lambda h: h["data"]["step"])  # delivered concurrently
    assert len(hooks) == 2 and all(h["data"]["incident"] == ref for h in hooks)
    assert [h["data"]["paged"] for h in hooks] == [[rota.people[0].username], [rota.lead.username]]

    # The link in the mail acknowledges as Aigerim, and only this page.
    token = ack_link.rsplit("/", 1)[1]
    with unit_of_work() as s:
        acked = paging.acknowledge_with_token(s, token)
        assert acked.acknowledged_by_id == rota.people[0].user_id
        assert acked.seconds_to_ack == 25 * 60
    with unit_of_work() as s, pytest.raises(InvalidTransition):
        paging.acknowledge_with_token(s, token)
    with unit_of_work() as s, pytest.raises(NotFound):
        paging.acknowledge_with_token(s, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert page_events(ref, rota.admin) == ["incident.page_triggered", "incident.page_escalated",
                                            "incident.page_escalated", "incident.page_acknowledged"]
    with unit_of_work(read_only=True) as s:  # the acknowledger joined the incident
        members = [m.username for m in incidents.members(s, incidents.get(s, rota.admin, ref).id)]
    assert rota.people[0].username in members


def test_acknowledging_stops_the_escalation(make_rota: Callable[..., Rota], fake_clock: Any, smtp: SmtpServer,
                                            channels: dict[str, Channel]) -> None:
    rota = make_rota()
    ref = declare(rota.admin, restricted=False)
    fake_clock.advance(minutes=3)
    with unit_of_work() as s:
        page = paging.acknowledge(s, rota.people[0], the_page(ref).id, via="ui")
        assert page.seconds_to_ack == 180
    fake_clock.advance(hours=2)
    assert escalate() == 0
    delivery.drain(using=channels)
    pages = [m for m in smtp.inbox.messages if "Вызов дежурного" in m.message["Subject"]]
    assert [m.rcpt_tos for m in pages] == [["aigerim@example.org"]]  # (the other mail: she joined the incident)
    with unit_of_work() as s:
        paging.resolve(s, rota.people[0], page.id)
    assert page_events(ref, rota.admin)[-2:] == ["incident.page_acknowledged", "incident.page_resolved"]


def test_repeat_starts_the_policy_again(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota(repeat=1, delays=(5, 5))
    ref = declare(rota.admin, restricted=False)
    seen = []
    for _ in range(5):
        fake_clock.advance(minutes=5)
        escalate()
        page = the_page(ref)
        seen.append((page.cycle, page.step, page.next_escalation_at is not None))
    assert seen == [(0, 1, True), (1, 0, True), (1, 1, True), (1, 1, False), (1, 1, False)]


def test_routing_picks_by_type_language_and_severity(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    hate = declare(rota.admin, type="hate_speech_wave", languages=["ru"], countries=["RU"], restricted=False)
    minor = declare(rota.admin, severity={"harm": 1}, restricted=False)
    kazakh_script = declare(rota.admin, languages=["kk-Cyrl"], restricted=False)
    with unit_of_work(read_only=True) as s:
        refs = set(s.execute(select(Page.incident_ref)).scalars())
    assert refs == {kazakh_script}
    assert hate not in refs and minor not in refs


def test_restricted_incidents_page_without_their_title(make_rota: Callable[..., Rota], fake_clock: Any,
                                                       make_user: Callable[..., Actor], smtp: SmtpServer,
                                                       receiver: HttpReceiver, channels: dict[str, Channel]) -> None:
    rota = make_rota(endpoint_url=f"{receiver.url}/team")
    ref = declare(rota.admin)  # child safety: restricted by default
    delivery.drain(using=channels)
    [mail] = smtp.inbox.messages
    assert TITLE not in mail.message["Subject"] and TITLE not in text(mail.message)
    assert notices.RESTRICTED_TITLE["ru"] in mail.message["Subject"]
    assert receiver.requests == []  # team channels never learn a restricted incident exists
    outsider = make_user("responder")
    with unit_of_work() as s:
        assert paging.list_pages(s, outsider)[1] == 0
        assert paging.list_pages(s, rota.people[0])[1] == 1  # the person it reached sees it
        page = paging.list_pages(s, rota.admin)[0][0]
        with pytest.raises(NotFound):
            paging.acknowledge(s, outsider, page.id)
        paging.acknowledge(s, rota.people[0], page.id)
    with unit_of_work() as s:  # and can now open the incident
        assert incidents.get(s, rota.people[0], ref).ref == ref


def test_an_incident_that_ends_resolves_its_pages(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    ref = declare(rota.admin, restricted=False)
    with unit_of_work() as s:
        incidents.change_status(s, rota.admin, ref, StatusChange(status="cancelled", reason="duplicate report"))
    page = the_page(ref)
    assert page.status == "resolved" and page.next_escalation_at is None
    fake_clock.advance(hours=1)
    assert escalate() == 0


def test_escalating_twice_pages_nobody_twice(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    rota = make_rota()
    ref = declare(rota.admin, restricted=False)
    fake_clock.advance(minutes=10)
    escalate()
    with unit_of_work() as s:
        page = s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()
        page.step = 0  # as if a second worker re-ran the same step
        page.next_escalation_at = fake_clock.now
    escalate()
    with unit_of_work(read_only=True) as s:
        queued = s.execute(select(events.Event).where(events.Event.type == "notification.queued")).scalars().all()
    keys = [e.subject_id for e in queued]
    assert len(keys) == len(set(keys))
    assert sum(1 for e in queued if e.payload.get("user_id") == rota.lead.user_id) == 1


def test_a_role_step_pages_the_incident_commander(make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    from rapidresponse.oncall import policies
    from rapidresponse.oncall.schemas import PolicyIn

    rota = make_rota()
    with unit_of_work() as s:
        policies.update_policy(s, rota.admin, rota.policy_id, PolicyIn.model_validate({
            "name": "Commander first", "steps": [{"kind": "role", "target": "commander", "delay_minutes": 5}]}))
    ref = declare(rota.lead, restricted=False)  # a commander declares: they command the incident
    with unit_of_work(read_only=True) as s:
        [page] = paging.pages_out(s, paging.list_pages(s, rota.admin)[0])
    assert page.incident_ref == ref and page.notified == [rota.lead.username]
    with unit_of_work(read_only=True) as s:  # the timeline names whom it paged as they are shown
        lines = [e for e in work.timeline(s, rota.admin, ref) if e.payload.get("notified")]
    assert [(e.payload["notified"], e.shown["notified"]) for e in lines] == [([rota.lead.username], ["Lead"])]


def test_a_step_that_reaches_several_pages_those_with_room_in_their_exposure_budget(
        make_rota: Callable[..., Rota], make_user: Callable[..., Actor], fake_clock: Any) -> None:
    from rapidresponse import wellness
    from rapidresponse.incidents.schemas import RoleAssign
    from rapidresponse.oncall import policies
    from rapidresponse.oncall.models import PageTarget
    from rapidresponse.oncall.schemas import PolicyIn

    rota = make_rota()
    tired, fresh, also_tired = make_user("responder"), make_user("responder"), make_user("responder")
    with unit_of_work() as s:
        policies.update_policy(s, rota.admin, rota.policy_id, PolicyIn.model_validate({
            "name": "Lead, then the participants", "steps": [
                {"kind": "user", "target": rota.lead.username, "delay_minutes": 5},
                {"kind": "role", "target": "participant", "delay_minutes": 5}]}))
        for who in (tired, also_tired):  # child safety is extreme: 30 minutes a day, spent
            wellness.record(s, who, "csam", "review", seconds=40 * 60)
    ref = declare(rota.lead, restricted=False)
    with unit_of_work() as s:
        for who in (tired, fresh):
            incidents.assign_role(s, rota.lead, ref, RoleAssign(role="participant", username=who.username))
    fake_clock.advance(minutes=6)
    escalate()

    def reached(step: int) -> set[int]:
        with unit_of_work(read_only=True) as s:
            page = s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()
            return set(s.execute(select(PageTarget.user_id).where(PageTarget.page_id == page.id,
                                                                  PageTarget.step == step)).scalars())

    assert reached(1) == {fresh.user_id}  # the one with room; the spent one is spared
    with unit_of_work() as s:  # nobody with room: the step pages everyone rather than no one
        incidents.assign_role(s, rota.lead, ref, RoleAssign(role="participant", username=also_tired.username))
        page = s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()
        page_id = page.id
        page.step, page.next_escalation_at = 0, fake_clock.now
        wellness.record(s, fresh, "csam", "review", seconds=40 * 60)
    escalate()
    with unit_of_work(read_only=True) as s:
        again = set(s.execute(select(PageTarget.user_id).where(PageTarget.page_id == page_id,
                                                               PageTarget.step == 1)).scalars())
    assert {tired.user_id, also_tired.user_id, fresh.user_id} <= again


def test_several_workers_never_take_the_same_page(make_rota: Callable[..., Rota], fake_clock: Any,
                                                  engine: Any) -> None:
    """On PostgreSQL a worker's claim skips pages another worker holds (FOR UPDATE SKIP LOCKED)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there is nothing to skip")
    rota = make_rota()
    declare(rota.admin, restricted=False)
    fake_clock.advance(minutes=10)
    with unit_of_work() as first:
        assert paging.escalate_due(first) == 1  # holds the page's row lock until it commits
        with unit_of_work() as second:
            assert paging.escalate_due(second) == 0  # skipped, not waited for
    with unit_of_work(read_only=True) as s:
        page = s.execute(select(Page)).scalar_one()
        assert page.step == 1


def test_fairness_counts_the_heavy_content_incidents_each_person_was_paged_for(
        make_rota: Callable[..., Rota], fake_clock: Any) -> None:
    """The exposure column comes from the rota (the harms of the incidents paged), not the private log."""
    from rapidresponse.oncall import reports
    from rapidresponse.wellness.models import Exposure

    rota = make_rota()
    start = fake_clock.now
    declare(rota.admin, harm_categories=["grooming"], restricted=False)  # high intensity
    declare(rota.admin, harm_categories=["csam"], restricted=False)  # extreme
    declare(rota.admin, harm_categories=["phishing"], restricted=False)  # low: pages, but no exposure
    fake_clock.advance(minutes=10)
    escalate()  # to the lead: three more pages reach them
    with unit_of_work(read_only=True) as s:
        rows = {r.username: r for r in reports.fairness(s, rota.admin, start, fake_clock.now + timedelta(minutes=1))}
        exposures = s.execute(select(Exposure)).scalars().all()
    on_call = [r for r in rows.values() if r.username != rota.lead.username]
    assert [(r.pages, r.heavy_incidents) for r in on_call] == [(3, 2)]
    assert (rows[rota.lead.username].pages, rows[rota.lead.username].heavy_incidents) == (3, 2)
    assert exposures == []  # nothing was read from, or written to, the exposure log
