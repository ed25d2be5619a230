"""Paging through Telegram end to end against a local Bot API server (no browser): the page goes out
with buttons, the button is pressed on the server, the worker's long poll brings the press back and
the page is acknowledged as the person who pressed it. Chat-ops commands act with the linked user's
permissions; war rooms receive an incident's notes; a page to someone nobody can reach goes on at once
and says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from factories.oncall import Rota
from protocol_servers import BotApiServer
from rapidresponse import auth
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents import work
from rapidresponse.incidents.schemas import IncidentCreate, NoteCreate
from rapidresponse.notify import contacts, delivery
from rapidresponse.notify.channels import Channel
from rapidresponse.notify.schemas import ContactIn
from rapidresponse.oncall import jobs, paging, reach
from rapidresponse.oncall.models import Page

SEV1 = {"harm": 4, "reach": 3, "velocity": 3, "vulnerable": True, "regulatory": 2}
AIGERIM_TG = 5001


def link_telegram(actor: Actor, telegram_id: int, bot: BotApiServer, channels: dict[str, Channel]) -> None:
    with unit_of_work() as s:
        cid = contacts.add_contact(s, actor, ContactIn(kind="telegram", address=str(telegram_id))).id
    delivery.drain(using=channels)
    code = re.findall(r"\b\d{6}\b", bot.sent_to(telegram_id)[-1]["text"])[-1]
    with unit_of_work() as s:
        assert contacts.verify(s, actor, cid, code).verified


def declare(actor: Actor) -> str:
    data = {"title": "Grooming network in Kazakh-language groups", "type": "child_safety", "countries": ["KZ"],
            "languages": ["kk"], "severity": SEV1, "restricted": False}
    with unit_of_work() as s:
        return incidents.declare(s, actor, IncidentCreate.model_validate(data)).ref


def the_page(ref: str) -> Page:
    with unit_of_work() as s:
        return s.execute(select(Page).where(Page.incident_ref == ref)).scalar_one()


def test_a_page_is_acknowledged_by_pressing_its_button_in_telegram(
        make_rota: Callable[..., Rota], fake_clock: Any, bot: BotApiServer, channels: dict[str, Channel]) -> None:
    rota = make_rota()
    aigerim = rota.people[0]  # on call at 09:00 UTC (14:00 in Almaty), Russian UI
    link_telegram(aigerim, AIGERIM_TG, bot, channels)
    ref = declare(rota.admin)
    delivery.drain(using=channels)
    [message] = [m for m in bot.sent_to(AIGERIM_TG) if "reply_markup" in m]
    page_id = the_page(ref).id
    buttons = message["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Подтвердить", "Эскалировать"]
    assert [b["callback_data"] for b in buttons] == [f"ack:{page_id}", f"esc:{page_id}"]

    # Someone who is not linked presses it (a forwarded message): refused, nothing changes.
    bot.press(message["message_id"], 7777, f"ack:{page_id}", name="Stranger")
    assert jobs.poll_once() == 1
    assert the_page(ref).status == "triggered" and "not linked" in bot.answers[-1]["text"]

    fake_clock.advance(minutes=2)
    bot.press(message["message_id"], AIGERIM_TG, f"ack:{page_id}")
    assert jobs.poll_once() == 1
    page = the_page(ref)
    assert page.status == "acknowledged" and page.acknowledged_by_id == aigerim.user_id
    assert page.seconds_to_ack == 120 and bot.answers[-1]["text"].startswith("✅")
    assert jobs.poll_once() == 0  # the position moved: the press is not handled twice
    delivery.drain(using=channels)
    assert bot.messages[message["message_id"]]["text"] == "✅ Подтвердил(а) Айгерим"  # the page message, edited
    with unit_of_work(read_only=True) as s:
        timeline = [(e.type, e.payload.get("via")) for e in work.timeline(s, rota.admin, ref)]
    assert ("incident.page_acknowledged", "telegram") in timeline


def test_the_escalate_button_sends_the_page_on_at_once(
        make_rota: Callable[..., Rota], fake_clock: Any, bot: BotApiServer, channels: dict[str, Channel]) -> None:
    rota = make_rota()
    link_telegram(rota.people[0], AIGERIM_TG, bot, channels)
    ref = declare(rota.admin)
    delivery.drain(using=channels)
    [message] = [m for m in bot.sent_to(AIGERIM_TG) if "reply_markup" in m]
    bot.press(message["message_id"], AIGERIM_TG, f"esc:{the_page(ref).id}")
    jobs.poll_once()
    page = the_page(ref)
    assert page.status == "triggered" and page.step == 1  # the lead's step, without waiting ten minutes


def test_chat_ops_act_as_the_linked_user_with_their_permissions(
        make_rota: Callable[..., Rota], make_user: Callable[..., Actor], fake_clock: Any, bot: BotApiServer,
        channels: dict[str, Channel]) -> None:
    rota = make_rota()
    viewer = make_user("viewer", username="viewer")
    link_telegram(rota.people[0], AIGERIM_TG, bot, channels)
    link_telegram(viewer, 6001, bot, channels)

    def said(chat: int, user: int, text: str, chat_type: str = "private") -> str:
        bot.say(chat, user, text, chat_type=chat_type)
        jobs.poll_once()
        delivery.drain(using=channels)
        return str(bot.sent_to(chat)[-1]["text"])

    assert "8888" in said(8888, 8888, "/start")  # not linked: told their id and where to add it
    assert "/account/contacts" in said(8888, 8888, "/declare Anything")
    assert "Айгерим" in said(AIGERIM_TG, AIGERIM_TG, "/oncall Almaty")
    assert "Никто не дежурит" in said(AIGERIM_TG, AIGERIM_TG, "/oncall Tbilisi")
    assert said(6001, 6001, "/declare Viral challenge").startswith("Refused")
    reply = said(AIGERIM_TG, AIGERIM_TG, "/declare Опасный челлендж в TikTok")
    ref = re.findall(r"INC-\d{4}-\d{4}", reply)[0]
    with unit_of_work(read_only=True) as s:
        assert incidents.get(s, rota.admin, ref).title == "Опасный челлендж в TikTok"

    # A group chat becomes the incident's war room: notes from the web reach it; /note in it adds one.
    group = -100500
    assert ref in said(group, AIGERIM_TG, f"/warroom {ref}", "supergroup")
    with unit_of_work() as s:
        work.add_note(s, rota.admin, ref, NoteCreate(body="Хэштег заблокирован в KZ"))
    delivery.drain(using=channels)
    assert "Хэштег заблокирован в KZ" in bot.sent_to(group)[-1]["text"]
    said(group, AIGERIM_TG, "/note Платформа подтвердила удаление", "supergroup")
    with unit_of_work(read_only=True) as s:
        notes = [e.note.body for e in work.timeline(s, rota.admin, ref, kinds=["notes"]) if e.note]
    assert "Платформа подтвердила удаление" in notes
    assert ref in said(group, AIGERIM_TG, "/status", "supergroup")
    before = len(bot.sent_to(group))
    bot.say(group, AIGERIM_TG, "just talking in the group", chat_type="supergroup")
    jobs.poll_once()
    delivery.drain(using=channels)
    assert len(bot.sent_to(group)) == before  # the bot answers commands only

    # A restricted incident is never named in a group chat, not even to one of its members.
    with unit_of_work() as s:
        secret = incidents.declare(s, rota.people[0], IncidentCreate.model_validate(
            {"title": "Секретный инцидент", "type": "child_safety", "restricted": True})).ref
    reply = said(group, AIGERIM_TG, f"/status {secret}", "supergroup")
    assert "Секретный" not in reply and "групповых чатах" in reply
    assert "Секретный инцидент" in said(AIGERIM_TG, AIGERIM_TG, f"/status {secret}")
    assert said(group, 6001, "/note from a viewer", "supergroup").startswith("Refused")


def test_a_page_to_someone_nobody_can_reach_goes_on_at_once_and_says_so(
        make_rota: Callable[..., Rota], fake_clock: Any, channels: dict[str, Channel]) -> None:
    rota = make_rota()
    aigerim = rota.people[0]
    with unit_of_work() as s:  # her only address is gone: no method, no account email
        auth.update_user(s, rota.admin, aigerim.username, email="")
    with unit_of_work(read_only=True) as s:
        soon = reach.unreachable(s, schedule_id=rota.schedule_id)
    assert [u.username for u in soon] == [aigerim.username]

    ref = declare(rota.admin)
    page = the_page(ref)
    assert page.next_escalation_at == fake_clock.now  # no ten-minute wait for someone who cannot hear it
    with unit_of_work() as s:
        assert paging.escalate_due(s) == 1
        [out] = paging.pages_out(s, [s.get(Page, page.id)])  # type: ignore[list-item]
    assert out.step == 1 and out.unreachable == [aigerim.username]
    with unit_of_work(read_only=True) as s:
        lines = [e.type for e in work.timeline(s, rota.admin, ref)]
        triggered = next(e for e in work.timeline(s, rota.admin, ref) if e.type == "incident.page_triggered")
    assert "incident.page_escalated" in lines and triggered.payload["unreachable"] == [aigerim.username]


def test_someone_on_call_soon_whose_methods_all_fail_is_told_once_at_their_account_address(
        make_rota: Callable[..., Rota], fake_clock: Any, bot: BotApiServer, smtp: Any,
        channels: dict[str, Channel]) -> None:
    rota = make_rota()
    yerzhan = rota.people[1]  # on call from tomorrow 09:00 Almaty (04:00 UTC), within the 24 hours
    link_telegram(yerzhan, 6002, bot, channels)
    with unit_of_work() as s:
        assert reach.warn(s) == 0  # reachable on Telegram: nothing to say
    bot.blocked.add(6002)
    with unit_of_work() as s:
        cid = contacts.list_contacts(s, yerzhan)[0].id
        contacts.record_delivery(s, cid, "Telegram: Forbidden: bot was blocked by the user")
    with unit_of_work() as s:
        assert reach.warn(s) == 1
    with unit_of_work() as s:
        assert reach.warn(s) == 0  # once per shift
    delivery.drain(using=channels)
    [mail] = [m.message for m in smtp.inbox.messages if "cannot reach you" in m.message["Subject"]]
    assert mail["To"] == "yerzhan@example.org" and "/account/contacts" in mail.get_body(("plain",)).get_content()
