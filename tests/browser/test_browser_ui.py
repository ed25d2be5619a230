"""The web UI in real Chromium: log in, declare, note, change status, Russian UI, hostile input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser
HOSTILE = "<script>alert('xss')</script><img src=x onerror=alert('img')>"


def _declare(page: Any, base: str, *, title: str, kind: str = "dangerous_challenge", summary: str = "") -> str:
    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", title)
    page.select_option("select[name=type]", kind)
    page.fill("textarea[name=summary]", summary)
    page.fill("input[name=countries]", "KZ, RU")
    page.fill("input[name=languages]", "ru, kk")
    page.select_option("select[name=reach]", "3")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    return page.url.split("/incidents/")[1].split("?")[0]


def test_respond_to_an_incident(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    username = log_in("commander", timezone="Asia/Almaty")
    assert page.locator("h1").inner_text() == "Now"
    assert page.locator(".who-name").inner_text().lower() == username

    ref = _declare(page, base, title="Choking challenge spreading among teenagers",
                   summary="Clips re-uploaded under new hashtags since 06:00.")
    assert page.locator(".notice").inner_text() == "The incident was declared."
    assert page.locator(".inc-title").inner_text() == "Choking challenge spreading among teenagers"
    assert page.locator(".inc-ref .status").inner_text() == "Triage"

    page.fill("#note-body", "Hashes added to the **match list**")
    page.check("input[name=pinned]")
    page.click("button:has-text('Add note')")
    page.wait_for_url(re.compile(r".*\?done=note#timeline$"))
    note = page.locator(".tl-pinned .note-body")
    assert note.inner_text().strip() == "Hashes added to the match list"
    assert note.locator("strong").inner_text() == "match list"

    page.click("button[name=status][value=active]")
    page.wait_for_url(re.compile(r".*\?done=status#status$"))
    assert page.locator(".inc-ref .status").inner_text() == "Active"
    assert page.locator(".timeline").get_by_text("changed the status from Triage to Active").count() == 1
    assert page.locator("button[name=status][value=mitigated]").is_visible()

    page.goto(base + "/incidents")
    row = page.locator("tr", has=page.locator(f"a:text-is('{ref}')"))
    assert row.locator(".sev").inner_text().startswith("SEV")
    assert row.locator(".status").inner_text() == "Active"

    # switch the UI to Russian: the preference is saved, labels from the vocabulary are translated too
    page.click(".lang button[value=ru]")
    page.wait_for_url(base + "/incidents")
    assert page.locator("h1").inner_text() == "Инциденты"
    assert page.locator("html").get_attribute("lang") == "ru"
    assert row.locator(".status").inner_text() == "В работе"
    page.goto(base + f"/incidents/{ref}")
    assert page.locator("#h-timeline").inner_text() == "Хронология"
    assert page.get_by_text("Опасный челлендж").count() >= 1
    assert page.locator("button[name=status][value=mitigated]").inner_text() == "Перевести в «Смягчено»"
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "Сейчас"
    assert "UTC+05" in page.locator(".activity time").first.inner_text()

    page.click(".lang button[value=en]")
    page.click("button:has-text('Log out')")
    page.wait_for_url(base + "/login")
    assert page.dialogs == []


def test_hostile_input_shows_as_text(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("commander")
    ref = _declare(page, base, title=f"Hostile {HOSTILE}", summary=HOSTILE)
    assert page.locator(".inc-title").inner_text() == f"Hostile {HOSTILE}"
    assert HOSTILE in page.locator(".inc-summary").first.inner_text()  # markdown, raw HTML shown as text
    page.fill("#note-body", f"note {HOSTILE} [link](javascript:alert('js'))")
    page.click("button:has-text('Add note')")
    page.wait_for_url(re.compile(r".*\?done=note#timeline$"))
    note = page.locator(".note-body").first
    assert "<script>" in note.inner_text()
    assert note.locator("script, img").count() == 0
    assert note.locator("a[href^='javascript']").count() == 0
    for path in ("/", "/incidents", f"/incidents/{ref}"):
        page.goto(base + path)
        assert page.locator("script:not([src])").count() == 0, path
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_declare_form_restricts_child_safety(live_server: LiveServer, page: Any,
                                            log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("commander")
    page.goto(base + "/incidents/new")
    box = page.locator("#restricted")
    assert not box.is_checked()
    page.select_option("select[name=type]", "child_safety")
    assert box.is_checked()
    page.select_option("select[name=type]", "other")
    assert not box.is_checked()
    # a missing title is refused inline, and the input stays
    page.select_option("select[name=type]", "child_safety")
    page.fill("textarea[name=summary]", "kept")
    page.click("button:has-text('Declare incident')")
    assert page.locator("#err-title").inner_text() == "This field is required."
    assert page.locator("textarea[name=summary]").input_value() == "kept"
    page.fill("input[name=title]", "Grooming ring in a gaming community")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*\?done=declared$"))
    assert page.locator(".inc-ref .restricted").count() == 1
