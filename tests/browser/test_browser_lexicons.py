"""The lexicon manager in real Chromium: add a term, test an adversarial text, remove it, read history."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_add_test_and_remove_a_term(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("policy")
    page.goto(base + "/lexicons")
    page.select_option("select[name=harm]", "dangerous_challenge")
    page.select_option("select[name=language]", "ru")
    page.fill("input[name=term]", "собачий кайф")
    page.select_option("select[name=kind]", "coded")
    page.click("button:has-text('Add term')")
    page.wait_for_url(re.compile(r".*/lexicons/\d+\?done=term_added$"))
    lexicon_url = page.url.split("?")[0]
    assert "собачий кайф" in page.locator("table.terms").inner_text()

    page.goto(base + "/lexicons")
    page.fill("textarea[name=text]", "го играть в С.О.Б.А.Ч.И.Й К@АААЙФ после школы")
    page.click("button:has-text('Test')")
    assert page.locator("mark").first.inner_text() == "С.О.Б.А.Ч.И.Й К@АААЙФ"
    assert "собачий кайф" in page.locator(".test-result code").inner_text()

    page.goto(lexicon_url)
    page.click("table.terms button:has-text('Remove')")
    page.wait_for_url(re.compile(r".*\?done=term_removed$"))
    assert "No terms in this version." in page.content()
    page.click("ul.versions a:has-text('v1')")
    assert "собачий кайф" in page.locator("table.terms").inner_text()
