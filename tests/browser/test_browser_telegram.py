"""Paging through Telegram, seen in real Chromium: a responder links Telegram from their contact methods
(the code arrives from a local server that speaks the Bot API), an incident pages them there with buttons,
they press Acknowledge in Telegram (a callback query on that server), and the board they have open in the
browser shows the page acknowledged without a reload; the page list and the incident's timeline say so."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browserkit import PASSWORD, LiveServer, serve

from protocol_servers import TOKEN, BotApiServer

pytestmark = pytest.mark.browser
TELEGRAM_ID = 5001


@pytest.fixture(scope="module")
def bot() -> Iterator[BotApiServer]:
    with BotApiServer() as server:
        yield server


@pytest.fixture(scope="module")
def telegram_server(tmp_path_factory: pytest.TempPathFactory, bot: BotApiServer,
                    browser: Any) -> Iterator[LiveServer]:
    """A server of its own whose embedded worker delivers to, and long-polls, the Bot API test server
    (after ``browser``, so a machine without Chromium skips before starting it)."""
    with serve(tmp_path_factory.mktemp("telegram-var"), embedded_worker="true", telegram_bot_token=TOKEN,
               telegram_api_url=bot.api_url, telegram_poll="true") as server:
        yield server


def _rota_for(server: LiveServer, username: str) -> None:
    """A team whose weekly rotation has ``username`` on call and pages it for Russian hate-speech waves."""
    from sqlalchemy.orm import Session

    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine
    from rapidresponse.oncall import policies, service
    from rapidresponse.oncall.schemas import LayerIn, PolicyIn, RouteIn, ScheduleIn, TeamIn

    engine = make_engine(server.database_url)
    try:
        with Session(engine) as s:
            team = service.create_team(s, SYSTEM, TeamIn(name="Hate speech RU", timezone="Europe/Moscow"))
            sched = service.create_schedule(s, SYSTEM, team.id, ScheduleIn(name="Primary", timezone="Europe/Moscow",
                                                                             country="RU"))
            service.add_layer(s, SYSTEM, sched.id, LayerIn.model_validate({
                "name": "Weekly", "level": 1, "users": [username], "timezone": "Europe/Moscow",
                "start_date": "2026-01-05", "handoff_time": "10:00", "shift_unit": "weeks"}))
            policy = policies.create_policy(s, SYSTEM, team.id, PolicyIn.model_validate({
                "name": "Default", "steps": [{"kind": "schedule", "target": str(sched.id), "delay_minutes": 10}]}))
            policies.add_route(s, SYSTEM, team.id, RouteIn.model_validate({
                "policy_id": policy.id, "incident_types": ["hate_speech_wave"], "languages": ["ru"],
                "min_severity": 4}))
            s.commit()
    finally:
        engine.dispose()


def _until(found: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout}s for {what}")


def test_acknowledging_a_page_in_telegram_shows_on_the_open_board(
        telegram_server: LiveServer, bot: BotApiServer, browser: Any) -> None:
    base = telegram_server.url
    username = telegram_server.make_user("commander", display_name="Dmitry Volkov", timezone="Europe/Moscow")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(base + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(base + "/")

        # Link Telegram: the confirmation code arrives through the bot.
        page.goto(base + "/account/contacts")
        page.select_option("select[name=kind]", "telegram")
        page.fill("input[name=address]", str(TELEGRAM_ID))
        page.click("button:has-text('Add and send a code')")
        text = _until(lambda: next((m["text"] for m in bot.sent_to(TELEGRAM_ID)
                                    if re.search(r"\b\d{6}\b", m["text"])), None), "the code in Telegram")
        page.fill("input[name=code]", re.findall(r"\b\d{6}\b", text)[-1])
        page.click("button:has-text('Confirm')")
        assert page.locator("input[name=code]").count() == 0, "the method is confirmed"

        _rota_for(telegram_server, username)
        page.goto(base + "/incidents/new")
        page.fill("input[name=title]", "Wave of slurs against Central Asian workers")
        page.select_option("select[name=type]", "hate_speech_wave")
        page.fill("input[name=countries]", "RU")
        page.fill("input[name=languages]", "ru")
        page.click("button:has-text('Declare incident')")
        page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
        ref = page.url.split("/incidents/")[1].split("?")[0]

        page.goto(base + "/")
        page.wait_for_selector("body[data-live-ready='1']")
        page.evaluate("window.__sameDocument = true")
        waiting = page.locator("section[aria-labelledby='h-pages']")
        assert "Wave of slurs against Central Asian workers" in waiting.inner_text()

        message = _until(lambda: next((m for m in bot.sent_to(TELEGRAM_ID) if "reply_markup" in m), None),
                         "the page in Telegram")
        ack = message["reply_markup"]["inline_keyboard"][0][0]
        assert ack["text"] == "Acknowledge" and ack["callback_data"].startswith("ack:")
        bot.press(message["message_id"], TELEGRAM_ID, ack["callback_data"], name="Dmitry")

        waiting.get_by_text("Every page has been acknowledged.").wait_for()
        assert "Wave of slurs" not in waiting.inner_text()
        assert page.evaluate("window.__sameDocument") is True, "the board changed without a reload"
        assert _until(lambda: bot.answers, "the answer to the button")[-1]["text"].startswith("✅")

        page.goto(base + "/oncall/pages")
        row = page.locator("#pages tbody tr").first
        assert row.locator(".page-status").inner_text() == "Acknowledged"
        page.goto(f"{base}/incidents/{ref}")
        assert "Dmitry Volkov</span></strong> acknowledged the page" in page.content()
    finally:
        context.close()
