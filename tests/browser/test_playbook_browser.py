"""Playbooks in real Chromium: the checklist on a declared incident, a press statement composed from
its template, approved by legal in the inbox, sent, and listed in the outbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browserkit import PASSWORD, LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser
PRESS = "press-desk@example.org"


def _set_press_audience(live_server: LiveServer) -> None:
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine
    from rapidresponse.notify import audiences

    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as s:
            audiences.set_audience(s, SYSTEM, "pr", emails=[PRESS])
            s.commit()
    finally:
        engine.dispose()


def _log_in_as(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + "/")


def test_press_statement_through_legal_approval(live_server: LiveServer, browser: Any, page: Any,
                                                log_in: Callable[..., str], tmp_path: Path) -> None:
    base = live_server.url
    _set_press_audience(live_server)
    log_in("commander", timezone="Asia/Almaty")
    legal = live_server.make_user("legal")

    # declare: the dangerous-challenge playbook applies itself
    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", "Blackout challenge among teenagers")
    page.select_option("select[name=type]", "dangerous_challenge")
    page.fill("input[name=countries]", "KZ, RU")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    ref = page.url.split("/incidents/")[1].split("?")[0]
    checklist = page.locator("#checklist")
    assert "Dangerous" in checklist.locator("h2").inner_text()
    assert re.search(r"0 of \d+ done", checklist.inner_text())
    first = checklist.locator("li.step").first
    first.locator("button.tick").click()
    page.wait_for_url(re.compile(r".*\?done=task_status#tasks$"))
    assert re.search(r"1 of \d+ done", page.locator("#checklist").inner_text())
    assert page.locator("#checklist li.step").first.locator(".chip-done").is_visible()
    page.locator("#checklist").screenshot(path=str(tmp_path / "checklist.png"))

    # compose the press statement from its template, in English (a Russian one first needs its approved
    # translation: tests/translation/test_gate.py)
    page.click("#checklist a:has-text('Stakeholder updates')")
    page.select_option("select[name=template]", "press_statement")
    page.select_option("#compose form[method=get] select[name=language]", "en")
    page.click("button:has-text('Preview')")
    assert "needs the approval of Legal (External statement)" in page.locator("#compose").inner_text()
    assert page.locator("#compose select[name=audience]").input_value() == "pr"
    subject = page.locator("#compose input[name=subject]").input_value()
    assert subject
    page.click("button:has-text('Save draft')")
    page.wait_for_url(re.compile(r".*\?done=update_drafted#update-\d+$"))
    update = page.locator("article.update").first
    assert update.locator("button:has-text('Send')").is_disabled()
    update.locator("button:has-text('Request approval')").click()
    page.wait_for_url(re.compile(r".*\?done=approval_requested#update-\d+$"))
    assert page.locator("article.update .ustatus-pending_approval").inner_text() == "Waiting for approval"
    page.screenshot(path=str(tmp_path / "composer.png"), full_page=True)

    # legal approves in the inbox
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    lp = context.new_page()
    try:
        _log_in_as(lp, base, legal)
        assert lp.locator(".mainnav a[href='/approvals'] .badge").inner_text() == "1"
        lp.click(".mainnav a[href='/approvals']")
        lp.click(f"a:has-text('{ref}: ')")
        assert subject in lp.locator(".approval-text").inner_text()
        lp.click("button:has-text('Approve this text')")
        lp.wait_for_url(re.compile(r".*/approvals/\d+\?done=approved$"))
        assert lp.locator(".badge-status").inner_text() == "Approved"
        assert lp.locator(".mainnav a[href='/approvals'] .badge").count() == 0
        lp.screenshot(path=str(tmp_path / "approval.png"), full_page=True)
    finally:
        context.close()

    # the commander sends it; it shows as sent and the outbox lists the message
    page.reload()
    update = page.locator("article.update").first
    assert update.locator(".ustatus-approved").inner_text() == "Approved"
    update.locator("button:has-text('Send')").click()
    page.wait_for_url(re.compile(r".*\?done=update_sent#update-\d+$"))
    assert page.locator("article.update .ustatus-sent").inner_text() == "Sent"
    page.goto(base + "/outbox")  # under the Response group of the navigation
    row = page.locator("table.outbox tr", has=page.locator(f"td:text-is('{PRESS}')"))
    assert row.count() == 1 and subject in row.inner_text()
    page.screenshot(path=str(tmp_path / "outbox.png"), full_page=True)
    assert page.dialogs == []
