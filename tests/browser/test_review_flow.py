"""A post-incident review in real Chromium: a commander resolves a serious incident, is told it cannot
close without a review, drafts the review, writes the summary, settles the exit criteria, submits it,
records the meeting, signs off, publishes, and then closes the incident from its page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def _declare_serious(page: Any, base: str) -> str:
    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", "Choking challenge among minors in Kazakhstan")
    page.select_option("select[name=type]", "dangerous_challenge")
    page.fill("input[name=countries]", "KZ")
    page.fill("input[name=languages]", "kk, ru")
    page.select_option("select[name=reach]", "4")
    page.select_option("select[name=velocity]", "4")
    page.check("input[name=vulnerable]")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    return str(page.url.split("/incidents/")[1].split("?")[0])


def _status(page: Any, status: str) -> None:
    page.click(f"button[name=status][value={status}]")
    page.wait_for_url(re.compile(r".*\?done=status#status$"))


def test_a_commander_takes_a_review_from_draft_to_publication_and_closes(
        live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    base = live_server.url
    username = log_in("commander", timezone="Asia/Almaty")
    ref = _declare_serious(page, base)
    assert page.locator(".inc-head .sev").inner_text() in ("SEV1", "SEV2")
    for status in ("active", "mitigated", "resolved"):
        _status(page, status)

    # closing is refused: a serious incident needs a published review first
    page.click("button[name=status][value=closed]")
    assert "needs a published post-incident review" in page.locator("#status .form-error").inner_text()
    assert "needs a published review" in page.locator("#review-panel").inner_text()

    page.click("#review-panel a:has-text('Draft the review')")
    page.wait_for_url(base + f"/incidents/{ref}/review")
    assert "Drafting reads the incident" in page.locator(".empty-state").inner_text()
    page.click("button:has-text('Draft the review')")
    page.wait_for_url(re.compile(r".*/review\?done=review_drafted#review$"))
    assert page.locator(".page-head .rstate").inner_text() == "Draft"
    assert page.locator("#moments .moment").count() >= 3  # declared, mitigated, resolved
    assert "the summary is empty" in page.locator("#workflow .missing").inner_text()

    page.fill("#s-summary", "A choking challenge spread among minors in KZ; contained within the day.")
    page.click("button:has-text('Save the review')")
    page.wait_for_url(re.compile(r".*\?done=review_saved#sections$"))
    assert page.locator("#s-summary").input_value().startswith("A choking challenge")

    criteria = page.locator("#criteria .criterion")
    total = criteria.count()
    assert total >= 1
    criteria.first.locator("input[name=reason]").fill("No baseline to compare with")
    criteria.first.locator("button[value=waived]").click()
    page.wait_for_url(re.compile(r".*\?done=review_criterion#criteria$"))
    while page.locator("#criteria button[value=met]").count():
        page.locator("#criteria button[value=met]").first.click()
        page.wait_for_url(re.compile(r".*\?done=review_criterion#criteria$"))
    assert page.locator("#criteria button[value=open]").count() == total

    page.click("button:has-text('Submit for review')")
    page.wait_for_url(re.compile(r".*\?done=review_submitted#workflow$"))
    assert page.locator(".page-head .rstate").inner_text() == "In review"
    page.fill(".meeting-form input[name=attendees]", username)
    page.fill(".meeting-form textarea[name=notes]", "Walked through the timeline with the kk moderators.")
    page.click("button:has-text('Record the meeting')")
    page.wait_for_url(re.compile(r".*\?done=review_meeting#workflow$"))
    assert page.locator(".page-head .rstate").inner_text() == "Meeting held"

    page.select_option(".signoff-form select[name=role]", "commander")
    page.click(".signoff-form button:has-text('Sign off')")
    page.wait_for_url(re.compile(r".*\?done=review_signed#workflow$"))
    assert "Nothing stands in the way of publishing." in page.locator("#workflow").inner_text()
    page.click("button:has-text('Publish the review')")
    page.wait_for_url(re.compile(r".*\?done=review_published#workflow$"))
    assert page.locator(".notice").inner_text() == "The review was published."
    assert page.locator(".page-head .rstate").inner_text() == "Published"
    assert page.locator("button:has-text('Save the review')").count() == 0

    page.goto(base + f"/incidents/{ref}")
    assert page.locator("#review-panel .rstate").inner_text() == "Published"
    _status(page, "closed")
    assert page.locator(".inc-ref .status").inner_text() == "Closed"
    page.goto(base + "/reviews?state=published")
    assert page.locator(f"a:text-is('{ref}')").count() == 1
    assert page.locator("script:not([src])").count() == 0
    assert page.dialogs == []
