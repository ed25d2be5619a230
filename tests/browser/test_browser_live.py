"""Live pages in real Chromium: the board and the incident page change, without a reload, when another user
changes an incident; a viewer's board is never told of a restricted incident."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browserkit import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture
def other(browser: Any, live_server: LiveServer) -> Iterator[Callable[[str], Any]]:
    """Log a second user in, in their own browser context; returns their page."""
    contexts: list[Any] = []

    def open_as(role: str) -> Any:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
        contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(10_000)
        username = live_server.make_user(role)
        pg.goto(live_server.url + "/login")
        pg.fill("input[name=username]", username)
        pg.fill("input[name=password]", PASSWORD)
        pg.click("form[action='/login'] button[type=submit]")
        pg.wait_for_url(live_server.url + "/")
        return pg

    yield open_as
    for context in contexts:
        context.close()


def _declare(pg: Any, base: str, title: str, type_: str = "hate_speech_wave") -> str:
    pg.goto(base + "/incidents/new")
    pg.fill("input[name=title]", title)
    pg.select_option("select[name=type]", type_)
    pg.fill("input[name=countries]", "KZ")
    pg.click("button:has-text('Declare incident')")
    pg.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    return str(pg.url.split("/incidents/")[1].split("?")[0])


def _listening(pg: Any) -> None:
    pg.wait_for_selector("body[data-live-ready='1']")
    pg.evaluate("window.__sameDocument = true")


def test_the_board_and_the_incident_page_follow_another_users_changes(
        live_server: LiveServer, page: Any, log_in: Callable[..., str], other: Callable[[str], Any]) -> None:
    base = live_server.url
    log_in("commander")
    _listening(page)
    colleague = other("commander")

    ref = _declare(colleague, base, "Slur wave against migrant workers")
    board = page.locator("#board")
    board.get_by_role("link", name="Slur wave against migrant workers").wait_for()
    assert ref in board.inner_text()

    colleague.click("button:has-text('Move to Active')")
    page.wait_for_function(
        "ref => [...document.querySelectorAll('#board li')].some(li => li.textContent.includes(ref)"
        " && li.textContent.includes('Active'))", arg=ref)

    page.goto(f"{base}/incidents/{ref}")
    _listening(page)
    colleague.goto(f"{base}/incidents/{ref}")
    colleague.fill("#note-body", "Takedown requests sent to three platforms")
    colleague.click("button:has-text('Add note')")
    page.locator("#timeline-entries").get_by_text("Takedown requests sent to three platforms").wait_for()
    assert page.evaluate("window.__sameDocument") is True, "the page changed without a reload"


def test_a_viewers_board_hears_nothing_of_a_restricted_incident(
        live_server: LiveServer, page: Any, log_in: Callable[..., str], other: Callable[[str], Any]) -> None:
    base = live_server.url
    log_in("viewer")
    _listening(page)
    colleague = other("commander")
    page.evaluate("""() => { window.__events = [];
        const es = new EventSource('/live/board');
        es.addEventListener('change', e => window.__events.push(JSON.parse(e.data))); }""")
    page.wait_for_timeout(300)

    secret = _declare(colleague, base, "Grooming ring SECRET-42", type_="child_safety")
    shown = _declare(colleague, base, "Open hate-speech wave")
    page.locator("#board").get_by_role("link", name="Open hate-speech wave").wait_for()
    page.wait_for_function("ref => window.__events.some(e => e.ref === ref)", arg=shown)
    refs = page.evaluate("window.__events.map(e => e.ref)")
    assert secret not in refs and shown in refs
    assert "SECRET-42" not in page.content()
