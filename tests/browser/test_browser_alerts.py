"""Detection in real Chromium: an alert in the queue (nav badge) → its series chart → a case → escalation →
the incident page, pre-filled from the case."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browserkit import LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser


def _alert_in(database_url: str) -> int:
    """A week-less day of background counts and a spike in the server's database, and its alert."""
    from sqlalchemy import select

    from rapidresponse import signals
    from rapidresponse.db import make_engine
    from rapidresponse.detection import alerts
    from rapidresponse.detection.models import Alert

    key = ("dangerous_challenge", "KZ", "kk")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    spike = now - timedelta(minutes=30 + now.minute % 5)
    rows = [{"harm": key[0], "country": key[1], "language": key[2], "bucket": spike - timedelta(minutes=5 * i),
             "count": 1 + i % 2} for i in range(1, 288)]
    rows += [{"harm": key[0], "country": key[1], "language": key[2], "bucket": spike + timedelta(minutes=5 * i),
              "count": 40 + 5 * i} for i in range(3)]
    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            signals.add_series_counts(s, rows)
            for i in range(3):
                alerts.on_crossing(s, key, bucket=spike + timedelta(minutes=5 * i), score=0.8 + 0.05 * i,
                                   threshold=0.6, observed=40 + 5 * i)
            s.commit()
            alert_id: int = s.execute(select(Alert.id).where(Alert.open_series == "dangerous_challenge/KZ/kk")
                                      ).scalar_one()
            return alert_id
    finally:
        engine.dispose()


def test_alert_chart_case_escalation_incident(live_server: LiveServer, page: Any,
                                              log_in: Callable[..., str]) -> None:
    base = live_server.url
    alert_id = _alert_in(live_server.database_url)
    log_in("commander")
    badge = page.locator("nav.mainnav a[href='/alerts'] .badge")
    assert int(badge.inner_text()) >= 1
    page.click("nav.mainnav a[href='/alerts']")
    page.click(f"table.alert-queue a[href='/alerts/{alert_id}'] >> nth=0")
    page.wait_for_url(f"{base}/alerts/{alert_id}")
    chart = page.locator("svg.series-chart")
    assert chart.count() == 1
    assert page.locator("svg.series-chart circle.anomaly").count() == 3
    assert page.locator("svg.series-chart polygon.band").count() == 1
    assert "Dangerous viral challenge · KZ · kk" in page.locator("h1").inner_text()  # the harm by its name

    page.fill("input[name=title]", "Choking challenge spreading in Kazakh")
    page.click("button:has-text('Open a case')")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/cases/\d+$"))
    assert "Choking challenge spreading in Kazakh" in page.locator("h1").inner_text()
    form = page.locator("form.escalate-form")
    assert form.locator("select[name=type]").input_value() == "dangerous_challenge"
    assert "dangerous_challenge/KZ/kk" in form.locator("textarea[name=summary]").input_value()
    page.fill("form.stack textarea[name=body]", "Видео из школ Алматы")
    page.click("button:has-text('Add note')")
    assert "Видео из школ Алматы" in page.locator("ul.case-timeline").inner_text()
    page.click("form.escalate-form button:has-text('Escalate')")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/incidents/INC-\d{{4}}-\d{{4}}$"))
    assert "Choking challenge spreading in Kazakh" in page.content()
    assert "declared from triage case #" in page.content()
    ref = page.url.rsplit("/", 1)[-1]
    page.go_back()
    page.reload()
    assert ref in page.locator("dl.kv").first.inner_text()
    assert page.locator(".case-metrics").inner_text().count("min") == 2
