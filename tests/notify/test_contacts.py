"""Contact methods and rules: codes that confirm a method, rules that hold later methods back (on an
injectable clock), and SMS, calls and Telegram through local servers that speak Twilio's API and the
Bot API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from protocol_servers import BotApiServer, TwilioServer
from rapidresponse import auth as auth_surface
from rapidresponse.auth import Actor, Person
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, ValidationFailed
from rapidresponse.notify import contacts, delivery, service
from rapidresponse.notify.channels import Channel
from rapidresponse.notify.models import OutboxMessage
from rapidresponse.notify.schemas import ContactIn, RuleIn


def add(actor: Actor, kind: str, address: str) -> int:
    with unit_of_work() as s:
        return contacts.add_contact(s, actor, ContactIn(kind=kind, address=address), locale=actor.locale).id  # type: ignore[arg-type]


def code_in(text: str) -> str:
    return re.findall(r"\b\d{6}\b", text)[-1]


def confirm(actor: Actor, contact_id: int, code: str) -> bool:
    with unit_of_work() as s:
        return contacts.verify(s, actor, contact_id, code).verified


def person(actor: Actor) -> Person:
    with unit_of_work(read_only=True) as s:
        found = auth_surface.person(s, actor.user_id)
        assert found is not None
        return found


def statuses() -> dict[str, str]:
    with unit_of_work(read_only=True) as s:
        return {m.idempotency_key: m.status for m in s.execute(select(OutboxMessage)).scalars()}


def test_a_method_is_used_only_after_its_code_comes_back(
        make_user: Callable[..., Actor], twilio: TwilioServer, channels: dict[str, Channel], fake_clock: Any) -> None:
    aigerim = make_user(username="aigerim", locale="ru", email=None)
    with unit_of_work() as s:
        assert contacts.reachable(s, [person(aigerim)]) == {aigerim.user_id: False}
    sms = add(aigerim, "sms", "+7 (701) 234-56-78")
    assert delivery.drain(using=channels).delivered == 1
    assert twilio.messages[0]["To"] == "+77012345678" and "код" in twilio.messages[0]["Body"]
    code = code_in(twilio.messages[0]["Body"])
    with unit_of_work() as s:
        assert contacts.reachable(s, [person(aigerim)]) == {aigerim.user_id: False}  # not confirmed yet

    wrong = "000000" if code != "000000" else "111111"
    assert confirm(aigerim, sms, wrong) is False  # counted (committed), not confirmed
    other = make_user(username="other")
    with pytest.raises(NotFound), unit_of_work() as s:  # nobody confirms another person's method
        contacts.verify(s, other, sms, code)
    assert confirm(aigerim, sms, f" {code} ") is True
    with unit_of_work() as s:
        assert contacts.reachable(s, [person(aigerim)]) == {aigerim.user_id: True}
        listed = contacts.list_contacts(s, aigerim)
    assert [(c.kind, c.address, c.verified, c.working) for c in listed] == [("sms", "+77012345678", True, True)]

    # Five wrong codes end a code; an expired code is refused; a new code works.
    call = add(aigerim, "voice", "+77012345679")
    for _ in range(5):
        assert confirm(aigerim, call, wrong) is False
    with pytest.raises(Conflict, match="too many"):
        confirm(aigerim, call, code)
    with unit_of_work() as s:
        contacts.resend_code(s, aigerim, call, locale="ru")
    fake_clock.advance(minutes=31)
    with pytest.raises(Conflict, match="expired"):
        confirm(aigerim, call, "123456")
    delivery.drain(using=channels)
    assert len(twilio.calls) == 2 and "<Say language=\"ru-RU\">" in twilio.calls[0]["Twiml"]


@pytest.mark.parametrize("kind,address", [("sms", "8 701 234"), ("telegram", "@aigerim"), ("voice", "+0123"),
                                          ("webhook", "ftp://example.org/x"), ("email", "not-an-address"),
                                          ("pager", "123")])
def test_bad_addresses_are_refused_and_change_nothing(make_user: Callable[..., Actor], kind: str,
                                                      address: str) -> None:
    aigerim = make_user()
    with pytest.raises((ValidationFailed, ValueError)), unit_of_work() as s:
        contacts.add_contact(s, aigerim, ContactIn.model_validate({"kind": kind, "address": address}))
    with unit_of_work(read_only=True) as s:
        assert contacts.list_contacts(s, aigerim) == []
        assert s.execute(select(OutboxMessage)).first() is None


def _confirmed(actor: Actor, kind: str, address: str, read: Callable[[], str],
               channels: dict[str, Channel]) -> int:
    cid = add(actor, kind, address)
    delivery.drain(using=channels)
    assert confirm(actor, cid, code_in(read()))
    return cid


def test_rules_send_telegram_at_once_and_sms_five_minutes_later_unless_acknowledged(
        make_user: Callable[..., Actor], twilio: TwilioServer, bot: BotApiServer, channels: dict[str, Channel],
        fake_clock: Any) -> None:
    aigerim = make_user(username="aigerim", email="aigerim@example.org")
    tg = _confirmed(aigerim, "telegram", "5001", lambda: bot.sent_to(5001)[-1]["text"], channels)
    sms = _confirmed(aigerim, "sms", "+77012345678", lambda: twilio.messages[-1]["Body"], channels)
    with unit_of_work() as s:
        contacts.add_rule(s, aigerim, RuleIn(contact_id=tg, delay_minutes=0))
        contacts.add_rule(s, aigerim, RuleIn(contact_id=sms, delay_minutes=5))
        with pytest.raises(Conflict):
            contacts.add_rule(s, aigerim, RuleIn(contact_id=tg, delay_minutes=0))

    def page(key: str) -> int:
        with unit_of_work() as s:
            return contacts.page_person(s, person(aigerim), key=key, subject="[SEV1] Page", body="Вызов",
                                        buttons=[[("Ack", "ack:1")]])

    texts_before = len(twilio.messages)
    assert page("page:1:s0:c0:u1") == 2  # the account's email is not used: her rules say how
    delivery.drain(using=channels)
    sent = bot.sent_to(5001)[-1]
    assert "Вызов" in sent["text"] and sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ack:1"
    assert len(twilio.messages) == texts_before  # the SMS waits for its five minutes
    fake_clock.advance(minutes=4, seconds=59)
    assert delivery.drain(using=channels).delivered == 0
    fake_clock.advance(seconds=1)
    assert delivery.drain(using=channels).delivered == 1 and len(twilio.messages) == texts_before + 1

    # Acknowledged within the five minutes: the SMS is dropped, nothing else is.
    assert page("page:2:s0:c0:u1") == 2
    with unit_of_work() as s:
        assert service.cancel(s, "page:2:") == 1
    fake_clock.advance(minutes=10)
    delivery.drain(using=channels)
    assert len(twilio.messages) == texts_before + 1
    assert sorted(st for k, st in statuses().items() if k.startswith("page:2:")) == ["cancelled", "delivered"]


def test_a_method_whose_messages_die_stops_counting_as_working(
        make_user: Callable[..., Actor], twilio: TwilioServer, bot: BotApiServer, channels: dict[str, Channel]) -> None:
    aigerim = make_user(username="aigerim", email=None)
    _confirmed(aigerim, "telegram", "5001", lambda: bot.sent_to(5001)[-1]["text"], channels)
    bot.blocked.add(5001)  # she blocked the bot: Telegram answers 403, retrying cannot help
    with unit_of_work() as s:
        assert contacts.page_person(s, person(aigerim), key="page:9:s0:c0:u1", subject="Page", body="x") == 1
    result = delivery.drain(using=channels)
    assert result.dead == 1 and "blocked" in next(iter(result.errors.values()))
    with unit_of_work() as s:
        assert contacts.reachable(s, [person(aigerim)]) == {aigerim.user_id: False}
        [method] = contacts.list_contacts(s, aigerim)
    assert method.verified and not method.working and "blocked" in (method.last_error or "")

    # A number Twilio refuses is dead at once too (no retries of error 21211).
    twilio.invalid.add("+77019999999")
    _ = add(aigerim, "sms", "+77019999999")
    assert delivery.drain(using=channels).dead == 1
