"""Editing an incident in real Chromium: the commander corrects its details after declaration (a refused
country code keeps what was typed), takes a scribe out of the role and leaves command by handing it
over; each change reads on the timeline."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_commander_edits_details_and_hands_over_on_removal(live_server: LiveServer, page: Any,
                                                          log_in: Callable[..., str]) -> None:
    base = live_server.url
    username = log_in("commander")
    scribe, successor = live_server.make_user("responder"), live_server.make_user("commander")

    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", "Choking challenge")
    page.select_option("select[name=type]", "dangerous_challenge")
    page.fill("input[name=countries]", "KZ")
    page.fill("input[name=languages]", "kk")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))
    ref = page.url.split("/incidents/")[1].split("?")[0]

    # The details, corrected where they are shown; a bad country is refused beside the form.
    page.click("#details summary")
    form = page.locator(f"form[action='/incidents/{ref}/details']")
    form.locator("input[name=title]").fill("Челлендж «удушение» среди подростков")
    form.locator("input[name=countries]").fill("KZ, Uzbekistan")
    form.locator("button[type=submit]").click()
    assert page.locator("p.form-error").first.is_visible()
    form = page.locator(f"form[action='/incidents/{ref}/details']")
    assert form.locator("input[name=countries]").input_value() == "KZ, Uzbekistan"
    form.locator("input[name=countries]").fill("KZ, UZ")
    form.locator("select[name=type]").select_option("self_harm")
    form.locator("textarea[name=source_description]").fill("Жалобы пользователей и классификатор")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/incidents/{ref}\?done=edited#details$"))
    assert page.locator(".notice").inner_text() == "The details were saved."
    assert page.locator("h1 .inc-title").inner_text() == "Челлендж «удушение» среди подростков"
    facts = page.locator("dl.facts").inner_text()
    assert "UZ" in facts and "Self-harm and suicide" in facts
    assert page.locator("ol.timeline").get_by_text(re.compile(r"updated the details \(.*countries.*\)")).count() == 1

    # A scribe joins and is taken out of the role again.
    people = page.locator("#people")
    people.locator("summary").click()
    people.locator("input[name=username]").fill(scribe)
    people.locator("select[name=role]").select_option("scribe")
    people.locator("button:has-text('Assign')").click()
    page.wait_for_url(re.compile(rf".*/incidents/{ref}\?done=role#people$"))
    page.locator(f"form[action='/incidents/{ref}/roles/scribe/{scribe}/remove'] button").click()
    page.wait_for_url(re.compile(rf".*/incidents/{ref}\?done=removed#people$"))
    assert scribe not in page.locator("#people ul.people").inner_text()

    # The commander leaves only by naming who takes over.
    leave = page.locator(f"form[action='/incidents/{ref}/roles/commander/{username}/remove']")
    leave.locator("input[name=handover_to]").fill(successor)
    leave.locator("button").click()
    page.wait_for_url(re.compile(rf".*/incidents/{ref}\?done=removed#people$"))
    people_text = page.locator("#people ul.people").inner_text()
    assert successor in people_text and f"@{username}" not in people_text
    timeline = page.locator("ol.timeline").inner_text()
    assert f"removed {scribe.title()} from the role Scribe" in timeline  # by display name
    assert f"handed over command from {username.title()} to {successor.title()}" in timeline
    assert page.dialogs == []
