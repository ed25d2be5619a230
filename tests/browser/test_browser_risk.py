"""The risk register in real Chromium: a commander adds a risk from the register page, sends its
first assessment for review, policy and legal review it, the commander approves it; the heatmap's
cell leads to it, a bad harm is refused with the input kept, and the Russian UI reads in Russian."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_a_risk_from_the_register_to_approval(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("commander")
    page.click("nav.mainnav summary:has-text('Insight')")
    page.click("nav.mainnav a:has-text('Risks')")
    page.wait_for_url(base + "/risks")
    # A harm and country no other browser test uses (they share one server and one register).
    page.fill("form[method=post][action='/risks'] input[name=harm]", "no_such_harm")
    page.fill("form[method=post][action='/risks'] input[name=country]", "AM")
    page.click("button:has-text('Add the risk')")
    assert "not a harm of the taxonomy" in page.locator("p.field-error").inner_text()
    assert page.locator("form[method=post][action='/risks'] input[name=country]").input_value() == "AM"
    page.fill("form[method=post][action='/risks'] input[name=harm]", "animal_abuse")
    page.select_option("select[name=likelihood]", "4")
    page.select_option("select[name=impact]", "4")
    page.click("button:has-text('Add the risk')")
    page.wait_for_url(re.compile(r".*/risks/\d+\?done=risk_added$"))
    risk_url = page.url.split("?")[0]
    page.click("button:has-text('Send for review')")
    page.wait_for_url(re.compile(r".*/risks/\d+\?done=risk_submitted$"))

    for role in ("policy", "legal"):
        page.context.clear_cookies()
        log_in(role)
        page.goto(risk_url)
        page.click(f"button:has-text('Record my review as {role}')")
        page.wait_for_url(re.compile(r".*\?done=risk_reviewed$"))

    page.context.clear_cookies()
    log_in("commander")
    page.goto(risk_url)
    page.click("button:has-text('Approve')")
    page.wait_for_url(re.compile(r".*\?done=risk_approved$"))
    assert "ratings are now the risk's" in page.content()
    page.goto(base + "/risks")
    page.click("svg.riskheat a[href='/risks?likelihood=4&impact=4']")
    page.wait_for_url(re.compile(r".*/risks\?likelihood=4&impact=4$"))
    page.click("a:has-text('Animal abuse in AM')")
    page.wait_for_url(risk_url)
    page.click(".lang button[value=ru]")
    page.goto(base + "/risks")
    assert page.locator("h1").inner_text() == "Реестр рисков"
