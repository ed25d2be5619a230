"""The hash-list manager in real Chromium: create a list, import a partner CSV (report with a rejected
row), then check an uploaded image against it (matched, never displayed), and the Russian UI."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browserkit import LiveServer

from hashkit import encode, picture, random_hashes, variants
from rapidresponse.hashes import pdq

pytestmark = pytest.mark.browser


def test_import_a_csv_and_check_an_image(live_server: LiveServer, page: Any, log_in: Callable[..., str],
                                          tmp_path: Path) -> None:
    base = live_server.url
    log_in("policy")
    page.goto(base + "/")
    page.click("nav.mainnav summary:has-text('Detection')")
    page.click("nav.mainnav a:has-text('Hash lists')")
    page.wait_for_url(base + "/hashlists")
    page.fill("input[name=name]", "Partner TVEC stills")
    page.select_option("select[name=harm]", "terrorist_content")
    page.fill("input[name=source]", "GIFCT")
    page.click("button:has-text('Create list')")
    page.wait_for_url(re.compile(r".*/hashlists/\d+\?done=created$"))

    img = picture(41)
    listed = pdq.hash_image(variants(img)["resized"]).hash
    others = random_hashes(2, seed=41)
    csv_file = tmp_path / "partner.csv"
    csv_file.write_text(f"hash;label;added\n{listed};attack still;2026-03-01\n{others[0]};tvec;\n"
                        f"{others[1]};tvec;\n{others[0]};again;\nnot-a-hash;x;\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(csv_file))
    page.click("button:has-text('Import')")
    report = page.locator("section.import-report")
    report.wait_for()
    assert report.locator(".accepted strong").inner_text() == "3"
    assert report.locator(".duplicates strong").inner_text() == "1"
    assert report.locator(".rejected strong").inner_text() == "1"
    assert "64 hex digits" in report.locator("table.rejected-rows").inner_text()
    hashes = page.locator("table.entries code.pdq").all_inner_texts()
    assert listed in hashes and len(hashes) == 3
    family = page.locator("table.entries code.pdq").first.evaluate("e => getComputedStyle(e).fontFamily")
    assert "monospace" in family

    page.goto(base + "/hashlists")
    image = tmp_path / "upload.jpg"
    image.write_bytes(encode(img, "JPEG", quality=80))
    page.set_input_files("input[name=image]", str(image))
    page.click("button:has-text('Check image')")
    result = page.locator("dl.check-result")
    result.wait_for()
    assert "attack still" in result.locator("table.matches").inner_text()
    assert page.locator("img").count() == 0  # the upload is neither stored nor shown
    row = page.locator("table.hashlists tbody tr").first.inner_text()
    assert "Partner TVEC stills" in row and "3" in row


def test_russian_manager(live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    log_in("analyst", locale="ru")
    page.goto(live_server.url + "/hashlists")
    assert page.locator("h1").inner_text() == "Списки хешей"
    assert page.locator("button:has-text('Проверить')").count() == 1
