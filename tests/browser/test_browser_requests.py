"""A Kazakhstan ministry request in real Chromium: register it, watch its clock, record outcomes,
draft the reply, get it approved by a legal user, see it logged as sent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from browserkit import PASSWORD, LiveServer

pytestmark = pytest.mark.browser
ALMATY = ZoneInfo("Asia/Almaty")


def _log_in_other(browser: Any, live_server: LiveServer, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    other = context.new_page()
    other.set_default_timeout(10_000)
    other.goto(live_server.url + "/login")
    other.fill("input[name=username]", username)
    other.fill("input[name=password]", PASSWORD)
    other.click("form[action='/login'] button[type=submit]")
    other.wait_for_url(live_server.url + "/")
    return other


def test_kazakhstan_ministry_request_from_arrival_to_approved_reply(
        live_server: LiveServer, page: Any, browser: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("commander", timezone="Asia/Almaty")
    received = (datetime.now(UTC) - timedelta(hours=13)).astimezone(ALMATY).replace(second=0, microsecond=0)

    page.goto(base + "/requests")
    page.click("a:has-text('Register a request')")
    page.select_option("select[name=regulator]", "KZ/mci")
    page.fill("input[name=sender]", "Ақпарат комитеті, Мәдениет және ақпарат министрлігі")
    page.fill("input[name=reference]", "04-2-13/1187")
    page.fill("input[name=legal_basis]", "Закон № 18-VIII, ст. 9(4)(2)")
    page.fill("input[name=received_at]", received.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=language]", "kk")
    page.fill("textarea[name=items]", "https://video.example/kz/clip/7731\nhttps://video.example/kz/clip/1204")
    page.click("button:has-text('Register and start the clock')")
    page.wait_for_url(re.compile(r".*/requests/REQ-\d{4}-\d{4}\?done=request$"))
    request_url = page.url.split("?")[0]
    assert page.locator(".notice").inner_text() == "The request was registered and its clock started."

    # The 24-hour clock (Law No. 18-VIII Art. 9(4)(2)) is past half: yellow, due 24 h after arrival.
    due = received + timedelta(hours=24)
    clock = page.locator("header .clock")
    assert "clock-50" in (clock.get_attribute("class") or "")
    assert clock.locator(".clock-level").inner_text() == "Over 50% used"
    assert re.fullmatch(r"1[01] h \d+ min left", clock.locator(".clock-left").inner_text())
    assert due.strftime("%Y-%m-%d %H:%M") in page.locator(".req-due").inner_text()
    page.goto(base + "/requests")
    assert page.locator(".req-row.req-50").count() == 1
    page.goto(base + "/")
    assert page.locator("#h-clocks").inner_text() == "Regulator clocks"

    page.goto(request_url)
    forms = page.locator("form.outcome-form")
    forms.nth(1).locator("select[name=outcome]").select_option("no_action")
    forms.nth(1).locator("button").click()
    assert "say why no action is taken" in page.locator(".form-error").inner_text()
    page.goto(request_url)
    forms.nth(0).locator("select[name=outcome]").select_option("removed_globally")
    forms.nth(0).locator("button").click()
    page.wait_for_url(re.compile(r".*\?done=outcome#items$"))
    forms.nth(1).locator("select[name=outcome]").select_option("no_action")
    forms.nth(1).locator("input[name=reason]").fill("Мазмұн платформада табылмады")
    forms.nth(1).locator("button").click()
    page.wait_for_url(re.compile(r".*\?done=outcome#items$"))
    assert page.locator(".item-outcome").all_inner_texts() == ["Removed globally", "No action"]

    page.click("button:has-text('Draft the reply')")
    page.wait_for_url(re.compile(r".*\?done=reply_drafted#reply$"))
    letter = page.locator("#reply-body").input_value()
    assert "Бүкіл әлемде жойылды." in letter and "Removed worldwide." in letter and "№ 04-2-13/1187" in letter
    page.fill("#reply-body", letter + "\nҚұрметпен, заң бөлімі.")
    page.click("button:has-text('Save the draft')")
    page.wait_for_url(re.compile(r".*\?done=reply_saved#reply$"))
    final = page.locator("#reply-body").input_value()
    assert final.endswith("Құрметпен, заң бөлімі.")
    page.click("button:has-text('Submit for legal approval')")
    page.wait_for_url(re.compile(r".*\?done=reply_submitted#reply$"))
    assert page.locator(".approval-state .chip").inner_text() == "Awaiting legal approval"
    assert page.locator("button:has-text('Approve and log as sent')").count() == 0  # not one's own text

    # A legal user reads the exact text and approves it.
    lawyer = _log_in_other(browser, live_server, live_server.make_user("legal"))
    lawyer.goto(request_url)
    assert lawyer.locator(".approval-text").inner_text().rstrip("\n") == final.rstrip("\n")
    lawyer.click("button:has-text('Approve and log as sent')")
    lawyer.wait_for_url(re.compile(r".*\?done=reply_approved#reply$"))
    assert lawyer.locator(".reply-status").inner_text() == "Approved and sent"
    assert lawyer.locator(".sent-letter").inner_text().rstrip("\n") == final.rstrip("\n")
    assert len(lawyer.locator("code.sha").inner_text()) == 64
    lawyer.context.close()

    page.goto(request_url)
    assert "clock-answered" in (page.locator("header .clock").get_attribute("class") or "")
    assert page.locator("#reply-body").count() == 0
    page.goto(base + "/requests?status=answered")
    assert page.locator(".req-row.req-answered").count() == 1
    assert page.locator("script:not([src])").count() == 0
    assert page.dialogs == []
