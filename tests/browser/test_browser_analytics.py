"""Analytics in real Chromium: a commander declares an incident and refreshes the warehouse, the
metrics page draws it, and an analyst runs a query in the console, sees its quick chart, downloads it
as CSV and saves it; the Russian UI reads in Russian."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_metrics_and_the_console_in_the_browser(live_server: LiveServer, page: Any, log_in: Callable[..., str],
                                                tmp_path: Any) -> None:
    base = live_server.url
    log_in("commander")
    page.goto(base + "/incidents/new")
    page.fill("input[name=title]", "Choking challenge, Chișinău schools")
    page.select_option("select[name=type]", "dangerous_challenge")
    page.fill("input[name=countries]", "MD")  # a country no other browser test uses (they share the server)
    page.fill("input[name=languages]", "ro, ru")
    page.click("button:has-text('Declare incident')")
    page.wait_for_url(re.compile(r".*/incidents/INC-\d{4}-\d{4}\?done=declared$"))

    page.click("nav.mainnav summary:has-text('Insight')")
    page.click("nav.mainnav a:has-text('Analytics')")
    page.wait_for_url(base + "/analytics")
    page.fill("input[name=country]", "MD")
    page.click("button:has-text('Apply')")
    page.wait_for_url(re.compile(r".*/analytics\?.*country=MD"))
    page.click("button:has-text('Refresh now')")
    page.wait_for_url(re.compile(r".*/analytics\?.*country=MD.*&done=analytics_synced$"))
    assert "The warehouse is up to date." in page.content()
    assert page.locator(".tile-num .big-number").first.inner_text() == "1"
    assert page.locator("svg.tilemap rect.heat-5 title").text_content() == "MD: 1"  # the darkest tile
    with page.expect_download() as got:
        page.click("a[href^='/analytics/metrics/by_country.csv']")
    assert '"MD",1' in got.value.path().read_text()

    page.context.clear_cookies()
    log_in("analyst")
    page.goto(base + "/analytics/sql")
    page.fill("textarea[name=sql]", "SELECT range AS day, range * range AS n FROM range(5)")
    page.click("button:has-text('Run')")
    assert page.locator("#result tbody tr").count() == 5
    assert page.locator("svg.hbars rect.sigchart-bar").count() == 5  # the quick chart
    with page.expect_download() as got:
        page.click("button[value=csv]")
    assert got.value.path().read_text().splitlines()[0] == '"day","n"'
    page.fill("textarea[name=sql]", "DELETE FROM incidents")
    page.click("button:has-text('Run')")
    assert "read-only SELECT" in page.locator("p.error").inner_text()
    page.fill("textarea[name=sql]", "SELECT count(*) AS incidents FROM incidents")
    page.click("button:has-text('Run')")
    page.fill("input[name=name]", "How many incidents")
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(r".*/analytics/sql\?q=q\d+&done=query_saved$"))
    assert page.locator("aside a:has-text('How many incidents')").count() == 1
    page.click("form.lang button[value=ru]")
    assert "SQL-консоль" in page.locator("h1").inner_text()
