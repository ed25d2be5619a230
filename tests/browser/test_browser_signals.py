"""The signals explorer in real Chromium: filter, search across spellings, reveal a blurred image,
open a trend and read its signals; the same in Russian."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browserkit import LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser

PIXEL = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MCIgaGVpZ2h0"
         "PSI0MCI+PHJlY3Qgd2lkdGg9IjQwIiBoZWlnaHQ9IjQwIiBmaWxsPSJyZWQiLz48L3N2Zz4=")
THREAT = "Внимание! Завтра в школе №{n} будет как в Керчи, не приходите. Всем разослать!!!"


def _seed(database_url: str) -> None:
    from rapidresponse import language, signals
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine

    at = datetime.now(UTC) - timedelta(minutes=30)

    def row(i: int, text: str, **over: Any) -> dict[str, Any]:
        return {"external_id": f"browser-{i}", "source": "user_report", "occurred_at": (at + timedelta(minutes=i))
                .isoformat(), "text": text, "harm": "dangerous_challenge", "country": "KZ", **over}

    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            language.add_terms(s, SYSTEM, harm="dangerous_challenge", language="en",
                               new=[language.NewTerm(term="choking challenge")], skip_existing=True)
            signals.ingest(s, SYSTEM, [
                *(row(i, THREAT.format(n=i), harm="violent_threats", country="RU") for i in range(4)),
                row(10, "Новый сhоkіng сhаllеngе у школьников, смотрите", content_type="image", url=PIXEL),
                row(11, "ch0k1ng ch4ll3ng3 is back on the app", source="classifier", country="UZ"),
                row(12, "Подскажите, как сменить пароль", harm=None)])
            signals.process_pending(s)  # what the worker does behind intake
            s.commit()
    finally:
        engine.dispose()


def test_explore_search_reveal_and_open_a_trend(live_server: LiveServer, page: Any,
                                                log_in: Callable[..., str]) -> None:
    base = live_server.url
    _seed(live_server.database_url)
    log_in("analyst")
    page.click("nav.mainnav summary:has-text('Detection')")
    page.click("nav.mainnav a:has-text('Signals')")
    page.wait_for_url(base + "/signals")
    assert page.locator(".signal-row").count() >= 7

    page.fill("input[name=q]", "CHALLENGE")  # finds the mixed-script and the leetspeak spellings
    page.click("#explorer-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*/signals\?.*q=CHALLENGE.*"))
    marks = page.locator(".signal-text mark").all_inner_texts()
    assert sorted(marks) == ["ch0k1ng ch4ll3ng3", "сhоkіng сhаllеngе"]

    page.select_option("select[name=source]", "classifier")
    page.click("#explorer-filters button[type=submit]")
    assert page.locator(".signal-row").count() == 1
    assert "ch0k1ng" in page.locator(".signal-row").inner_text()

    page.goto(base + "/signals?matched=1&source=user_report")
    img = page.locator(".media-img")
    assert img.count() == 1

    def filter_of() -> str:
        return str(img.evaluate("el => getComputedStyle(el).filter"))

    assert "blur" in filter_of() and "grayscale" in filter_of()
    page.click(".media button.reveal-btn")  # a reveal is a request: it is logged on the wellness page
    page.wait_for_url(re.compile(r".*revealed=signal-\d+.*"))
    assert "blur" not in filter_of() and "grayscale" in filter_of()  # revealed, still in greyscale
    page.click(".media a:has-text('Hide again')")
    page.wait_for_load_state()
    assert "blur" in filter_of()

    page.goto(base + "/signals?q=nothing+like+this+anywhere")
    assert page.locator("#signals-empty").is_visible()

    page.click("nav.mainnav summary:has-text('Detection')")
    page.click("nav.mainnav a:has-text('Trends')")
    page.wait_for_url(re.compile(r".*/trends$"))
    assert page.locator("svg.sparkline polyline").count() >= 1
    page.locator("a.trend-link").first.click()
    page.wait_for_url(re.compile(r".*/trends/\d+$"))
    assert page.locator("#trend-count").inner_text() == "4"
    assert "Керчи" in page.locator(".trend-title").inner_text()
    assert page.locator("svg.sigchart rect.sigchart-bar").count() >= 1

    page.click("form.lang button[value=ru]")
    page.wait_for_load_state()
    assert "Последние сигналы" in page.content() and "Тренд" in page.locator("h1").inner_text()
