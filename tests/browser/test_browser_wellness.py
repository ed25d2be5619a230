"""Safe viewing in real Chromium: on the signals explorer, an image is blurred and in greyscale (the
computed style says so), a grooming report waits behind its warning and, revealed, shows its text but
never its image; another image revealed is unblurred but still grey; changing one's settings hides
every item until clicked and makes thumbnails small; a trend page and a case page follow the same
settings; the reveals are on one's own wellness page, in Russian too."""

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
COUNTRY = "TM"  # no other browser test uses it (they share one server)


def _seed(database_url: str) -> None:
    from rapidresponse import detection, signals
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine

    at = datetime.now(UTC) - timedelta(minutes=20)
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            signals.ingest(s, SYSTEM, [
                {"external_id": "wellness-1", "source": "user_report", "occurred_at": at.isoformat(),
                 "harm": "phishing", "country": COUNTRY, "text": "fake bank page asks for card numbers",
                 "content_type": "image", "url": PIXEL},
                {"external_id": "wellness-2", "source": "user_report",
                 "occurred_at": (at + timedelta(minutes=1)).isoformat(), "harm": "grooming", "country": COUNTRY,
                 "text": "adult asks a child to move to a private chat", "content_type": "image", "url": PIXEL},
                *({"external_id": f"wellness-trend-{i}", "source": "user_report",
                   "occurred_at": (at + timedelta(minutes=2 + i)).isoformat(), "harm": "grooming", "country": COUNTRY,
                   "text": "he says send a photo and you get a gift card, do not tell your parents"}
                  for i in range(3))])
            detection.open_manual_case(s, SYSTEM, source="press", title="A grooming ring in a game chat",
                                       description="an adult offers game currency to children for photos",
                                       harm="grooming", countries=[COUNTRY])
            signals.process_pending(s)  # what the worker does behind intake
            s.commit()
    finally:
        engine.dispose()


def _filter(img: Any) -> str:
    return str(img.evaluate("el => getComputedStyle(el).filter"))


def test_safe_viewing_settings_shape_what_the_page_shows(live_server: LiveServer, page: Any,
                                                         log_in: Callable[..., str]) -> None:
    _seed(live_server.database_url)
    base = live_server.url
    log_in("responder")
    page.goto(f"{base}/signals?country={COUNTRY}")
    phishing = page.locator(".signal-row", has_text="fake bank page")
    warned = page.locator(".signal-row").filter(has=page.locator(".hidden-item.warn"))
    assert phishing.count() == 1 and warned.count() == 4  # every grooming report, the trend's too
    grooming = warned.last  # the oldest: the one with an image
    img = phishing.locator("img.media-img")
    assert "blur" in _filter(img) and "grayscale" in _filter(img)
    assert "private chat" not in grooming.inner_text() and grooming.locator("img").count() == 0
    assert "Warning" in grooming.locator(".warning-text").inner_text()

    grooming.locator("button.reveal-btn").click()
    page.wait_for_url(re.compile(r".*revealed=signal-\d+#signal-\d+$"))
    shown = page.locator(".signal-row.is-revealed")
    assert "private chat" in shown.inner_text() and "Child-safety media is never shown" in shown.inner_text()
    assert shown.locator("img").count() == 0  # revealed or not, whatever the settings

    phishing.locator(".media button.reveal-btn").click()
    page.wait_for_url(re.compile(r".*revealed=signal-\d+#signal-\d+$"))
    revealed_img = page.locator(".signal-row.is-revealed img.media-img")
    assert "blur" not in _filter(revealed_img) and "grayscale" in _filter(revealed_img)

    page.goto(base + "/wellness/viewing")
    page.check("input[name='general.click_to_reveal']")
    page.check("input[name='general.small']")
    page.click("form.viewing-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/wellness/viewing\?done=viewing_saved$"))
    page.goto(f"{base}/signals?country={COUNTRY}")
    assert page.locator(".signal-row .hidden-item").count() == 5  # every item now waits for a click
    assert page.locator(".signal-text").count() == 0
    page.locator(".signal-row", has=page.locator(".hidden-item:not(.warn)")).locator("button.reveal-btn").click()
    page.wait_for_url(re.compile(r".*revealed=signal-\d+.*"))
    small = page.locator(".signal-row.is-revealed img.media-img")
    assert small.evaluate("el => el.getBoundingClientRect().width") <= 96

    # the trend page and a case page follow the same settings
    page.goto(f"{base}/signals?country={COUNTRY}&q=gift+card")
    page.locator("a[href^='/trends/']").first.click()
    page.wait_for_url(re.compile(r".*/trends/\d+$"))
    assert page.locator(".hidden-item.warn").count() >= 1 and "gift card" not in page.locator("main").inner_text()
    page.goto(f"{base}/cases")
    page.locator("a:has-text('A grooming ring in a game chat')").click()
    assert "game currency" not in page.locator("main").inner_text()
    page.locator("form[action$='/reveal'] button").click()
    page.wait_for_url(re.compile(r".*/cases/\d+\?revealed=case-\d+$"))
    assert "game currency" in page.locator(".case-description").inner_text()

    page.goto(base + "/wellness")
    log = page.locator("table.exposures").inner_text()
    assert "Grooming and sexual enticement of minors" in log and "Phishing" in log  # harms by their names
    page.click(".lang button[value=ru]")
    page.goto(base + "/wellness")
    assert page.locator("h1").inner_text() == "Моё благополучие"


def _alert_with_samples(database_url: str) -> int:
    """Reports of animal cruelty (an extreme class) in TM, and an alert on their series."""
    from sqlalchemy import select

    from rapidresponse import signals
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine
    from rapidresponse.detection import alerts
    from rapidresponse.detection.models import Alert

    key = ("animal_abuse", COUNTRY, "en")
    at = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=15)
    bucket = at = at - timedelta(minutes=at.minute % 5)  # six reports in one five-minute bucket
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            signals.ingest(s, SYSTEM, [
                {"external_id": f"wellness-cruelty-{i}", "source": "user_report", "language": "en",
                 "occurred_at": (at + timedelta(seconds=20 * i)).isoformat(), "harm": key[0], "country": COUNTRY,
                 "text": f"a video of a kitten thrown from a bridge, part {i}"} for i in range(6)])
            alerts.on_crossing(s, key, bucket=bucket, score=0.9, threshold=0.6, observed=6)
            signals.process_pending(s)  # what the worker does behind intake
            s.commit()
            alert_id: int = s.execute(select(Alert.id).where(Alert.open_series == "/".join(key))).scalar_one()
            return alert_id
    finally:
        engine.dispose()


def test_an_alerts_samples_wait_behind_the_warning_until_revealed(live_server: LiveServer, page: Any,
                                                                   log_in: Callable[..., str]) -> None:
    alert_id = _alert_with_samples(live_server.database_url)
    log_in("responder")
    page.goto(f"{live_server.url}/alerts/{alert_id}")
    samples = page.locator("ul.samples li")
    shown = samples.count()
    assert shown >= 3
    assert "kitten" not in page.locator("main").inner_text()  # extreme: every sample hidden, with a warning
    assert page.locator("ul.samples .hidden-item.warn").count() == shown
    samples.first.locator("button.reveal-btn").click()
    page.wait_for_url(re.compile(rf".*/alerts/{alert_id}.*"))
    texts = page.locator("ul.samples .sample-text")
    assert texts.count() == 1 and "kitten" in texts.first.inner_text()  # one item at a time
    page.goto(live_server.url + "/wellness")
    assert "animal" in page.locator("table.exposures").inner_text().lower()


def test_a_reported_video_starts_muted_and_blurred_unless_the_person_turns_that_off(
        live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    from rapidresponse import signals
    from rapidresponse.auth import SYSTEM
    from rapidresponse.db import make_engine

    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as s:
            signals.ingest(s, SYSTEM, [{
                "external_id": "wellness-video", "source": "user_report", "occurred_at": datetime.now(UTC).isoformat(),
                "harm": "investment_scams", "country": "MN", "text": "a video promising double returns in a week",
                "content_type": "video", "url": "data:video/mp4;base64,AAAAGGZ0eXBtcDQy"}])
            signals.process_pending(s)  # what the worker does behind intake
            s.commit()
    finally:
        engine.dispose()
    log_in("responder")
    page.goto(f"{live_server.url}/signals?country=MN")
    video = page.locator(".signal-row video.media-played")
    assert video.evaluate("el => el.muted") is True and "blur" in _filter(video)
    page.goto(live_server.url + "/wellness/viewing")
    page.uncheck("input[name='general.mute']")
    page.uncheck("input[name='general.blur']")
    page.click("form.viewing-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/wellness/viewing\?done=viewing_saved$"))
    page.goto(f"{live_server.url}/signals?country=MN")
    video = page.locator(".signal-row video.media-played")
    assert video.evaluate("el => el.muted") is False and "blur" not in _filter(video)
