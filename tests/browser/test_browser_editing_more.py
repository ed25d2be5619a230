"""More editing where things are shown, in real Chromium: a playbook's tasks previewed before saving a
version, and a person's working hours and calendar-feed link on their settings page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_preview_a_playbook_then_fix_the_line_it_names(live_server: LiveServer, page: Any,
                                                       log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("commander")
    page.goto(base + "/playbooks/dangerous_challenge")
    page.click("#edit summary")
    editor = page.locator("#edit textarea[name=text]")
    original = editor.input_value()
    page.select_option("#edit select[name=severity]", "1")
    page.click("#edit button:has-text('Preview the tasks')")
    heading = page.locator("#preview h3").inner_text()
    assert re.fullmatch(r"At SEV1 this version would create \d+ tasks", heading)
    assert page.locator("#preview ol.preview-tasks li").count() == int(heading.split()[-2])
    assert page.locator("#edit textarea[name=text]").input_value() == original  # nothing saved, text kept

    broken = re.sub(r"owner_role: \w+", "owner_role: emperor", original, count=1)
    page.locator("#edit textarea[name=text]").fill(broken)
    page.click("#edit button:has-text('Preview the tasks')")
    error = page.locator("#edit .form-error")
    assert "owner_role" in error.inner_text()
    assert re.search(r"line \d+ │\s+owner_role: emperor", page.locator("pre.error-line").inner_text())
    assert page.dialogs == []


def test_working_hours_and_a_new_feed_link(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("responder", timezone="Europe/Moscow")
    page.goto(base + "/account/settings")
    hours = page.locator("#hours form")
    hours.locator("input[name=days][value='5']").check()
    hours.locator("input[name=start]").fill("08:30")
    hours.locator("input[name=end]").fill("17:30")
    hours.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/account/settings\?done=hours_saved#hours$"))
    assert page.locator(".notice").inner_text() == "Your working hours are saved."
    assert page.locator("#hours input[name=start]").input_value() == "08:30"
    assert page.locator("#hours input[name=days][value='5']").is_checked()

    old = page.locator("#calendar code.feed-url").inner_text()
    page.click("#calendar button:has-text('Issue a new link')")
    page.wait_for_url(re.compile(r".*/account/settings\?done=feed_reissued#calendar$"))
    new = page.locator("#calendar code.feed-url").inner_text()
    assert new != old and "/oncall/feed/" in new

    def fetch(link: str) -> int:  # the link names the configured base URL; fetch it from this server
        return int(page.request.get(base + "/oncall/feed/" + link.split("/oncall/feed/")[1]).status)

    assert fetch(old) == 404 and fetch(new) == 200
    page.click("#calendar button:has-text('Revoke the link')")
    page.wait_for_url(re.compile(r".*/account/settings\?done=feed_revoked#calendar$"))
    assert page.locator("#calendar code.feed-url").count() == 0
    assert fetch(new) == 404
    assert page.dialogs == []
