"""The translation review page in real Chromium: a translator records their languages, asks for a
translation, takes it and writes one with a forbidden glossary variant; the reviewer sees the original
and the translation side by side with the glossary hit and the failing check (approve disabled),
returns it with a comment; fixed, it is approved and lands in the memory, and the incident timeline
shows the approved translation next to its original."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import PASSWORD, LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser
SOURCE = "Сверьте хешами 120 копий. Подробности: https://rr.example/x"


def _seed_glossary(database_url: str) -> None:
    from rapidresponse import translation
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            translation.save_term(s, SYSTEM, translation.TermIn(
                concept="hash", domain="product", variants={
                    "ru": translation.VariantIn(preferred="хеш", forbidden=["хэш"]),
                    "en": translation.VariantIn(preferred="hash", forbidden=["fingerprint"])}))
            s.commit()
    finally:
        engine.dispose()


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(base + "/")


def _languages(page: Any, base: str, levels: dict[str, str]) -> None:
    page.goto(base + "/account/settings")
    page.click("a[href='/account/languages']")
    for lang, level in levels.items():
        page.select_option(f"select[name=level_{lang}]", level)
    page.click("form[action='/account/languages'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/account/languages\?done=languages_saved$"))


def test_a_translation_is_reviewed_side_by_side(live_server: LiveServer, page: Any, browser: Any,
                                                log_in: Callable[..., str]) -> None:
    base = live_server.url
    _seed_glossary(live_server.database_url)
    log_in("commander")
    _languages(page, base, {"ru": "native", "en": "professional"})
    page.goto(base + "/translations")
    page.fill("#new-translation textarea[name=text]", SOURCE)
    page.click("#new-translation button[type=submit]")
    page.wait_for_url(re.compile(r".*/translations/\d+\?done=translation_requested$"))
    url = page.url.split("?")[0]
    page.click("text=Take and translate")
    page.fill("textarea#translation", "Match 120 copies by fingerprints. Details: https://rr.example/x")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r".*\?done=translation_submitted$"))

    reviewer_page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    _log_in(reviewer_page, base, live_server.make_user("responder"))
    _languages(reviewer_page, base, {"ru": "reading", "en": "native"})
    reviewer_page.goto(base + "/translations?tab=review")
    reviewer_page.click(f"#translation-queue a[href='{url.removeprefix(base)}']")
    assert reviewer_page.locator("#source-text").inner_text() == SOURCE
    assert "fingerprints" in reviewer_page.locator("#target-text").inner_text()
    source_box, target_box = (reviewer_page.locator(h).bounding_box() for h in ("#h-source", "#h-target"))
    assert source_box["x"] < target_box["x"] and abs(source_box["y"] - target_box["y"]) < 5  # side by side
    assert "хеш → hash (not: fingerprint)" in reviewer_page.locator("#glossary-hits").inner_text()
    checks_text = reviewer_page.locator("#checks").inner_text()
    assert "Glossary term not used" in checks_text and "Forbidden variant: fingerprint" in checks_text
    assert reviewer_page.locator("button[value=approve]").is_disabled()
    reviewer_page.fill("#review-form textarea[name=comment]", "Use “hash”, as the glossary says.")
    reviewer_page.select_option("select[name=mark_terminology]", "2")
    reviewer_page.click("button[value=return]")
    reviewer_page.wait_for_url(re.compile(r".*\?done=translation_returned$"))

    page.goto(url)
    assert "Use “hash”, as the glossary says." in page.inner_text("body")
    page.click("text=Take and translate")
    page.fill("textarea#translation", "Match 120 copies by hashes. Details: https://rr.example/x")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r".*\?done=translation_submitted$"))

    reviewer_page.goto(url)
    assert reviewer_page.locator("#checks-passed").count() == 1
    reviewer_page.select_option("select[name=mark_accuracy]", "5")
    reviewer_page.click("button[value=approve]")
    reviewer_page.wait_for_url(re.compile(r".*\?done=translation_approved$"))
    assert reviewer_page.locator("#translation-state").inner_text() == "Approved"
    reviewer_page.goto(base + "/translation-memory?q=хешами")
    assert "Match 120 copies by hashes." in reviewer_page.locator("#memory-segments").inner_text()
    reviewer_page.context.close()
