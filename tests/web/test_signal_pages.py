"""The signals explorer and trend pages through the web client: filters, folded search, lexicon
marks, blurred media, the chart, paging, trends by growth, bad input, permissions."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from rapidresponse.auth import Actor
from rapidresponse.signals import charts as signal_charts

sys.path.insert(0, str(Path(__file__).parents[1] / "signals"))
from signalkit import signal_row

PIXEL = ("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSI0MCIgaGVpZ2h0"
         "PSI0MCI+PHJlY3Qgd2lkdGg9IjQwIiBoZWlnaHQ9IjQwIiBmaWxsPSJyZWQiLz48L3N2Zz4=")
THREAT = "Внимание! Завтра в школе №{n} будет как в Керчи, не приходите. Всем разослать!!!"


def _at(minutes: float) -> str:
    return (datetime.fromisoformat("2026-03-01T09:00:00+00:00") + timedelta(minutes=minutes)).isoformat()


Maker = Callable[..., Any]


def seed(make_lexicon: Maker, make_signals: Maker) -> None:
    make_lexicon("choking challenge", harm="dangerous_challenge", language="en")
    rows = [signal_row(i, text=THREAT.format(n=i % 3), occurred_at=_at(-50 + i), harm="violent_threats",
                       country="RU") for i in range(6)]
    rows += [signal_row(10, text="Новый сhоkіng сhаllеngе у школьников", occurred_at=_at(-20),
                        content_type="image", url=PIXEL, country="KZ"),
             signal_row(11, text="watch this ch0k1ng ch4ll3ng3 video", occurred_at=_at(-10), source="classifier",
                        country="UZ", language=None, url="https://video.example/v/1"),
             signal_row(12, text="Подскажите, как сменить пароль", occurred_at=_at(-5), harm=None, country="KZ")]
    make_signals(rows)


def _ids(html: str) -> list[str]:
    return re.findall(r'id="signal-(\d+)"', html)


def test_explorer_filters_search_and_marks(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                           fake_clock: Any, make_lexicon: Maker, make_signals: Maker) -> None:
    logged_in("analyst")
    empty = client.get("/signals")
    assert empty.status_code == 200 and 'id="signals-empty"' in empty.text and "No signals yet." in empty.text
    seed(make_lexicon, make_signals)
    html = client.get("/signals").text
    assert len(_ids(html)) == 9 and "9 signals" in html and 'class="sigchart"' in html
    found = client.get("/signals", params={"q": "CHALLENGE"}).text  # finds both the mixed-script and leet copies
    assert len(_ids(found)) == 2
    assert "<mark>сhоkіng сhаllеngе</mark>" in found and "<mark>ch0k1ng ch4ll3ng3</mark>" in found
    assert len(_ids(client.get("/signals", params={"q": "керчи", "country": "ru"}).text)) == 6
    assert len(_ids(client.get("/signals", params={"harm": "violent_threats"}).text)) == 6
    assert len(_ids(client.get("/signals", params={"source": "classifier"}).text)) == 1
    assert len(_ids(client.get("/signals", params={"matched": "1"}).text)) == 2
    assert len(_ids(client.get("/signals", params={"matched": "0", "country": "KZ"}).text)) == 1
    assert len(_ids(client.get("/signals", params={"language": "en"}).text)) == 1  # detected, none reported
    window = {"since": "2026-03-01T08:48", "until": "2026-03-01T09:00"}
    assert len(_ids(client.get("/signals", params=window).text)) == 2
    assert len(_ids(client.get("/signals", params={"period": "1h"}).text)) == 9
    nothing = client.get("/signals", params={"q": "no such words anywhere"})
    assert nothing.status_code == 200 and "No signal matches these filters." in nothing.text
    # Media: the image is in the page blurred and grey (revealed by a logged request); an external link is
    # only a link.
    assert 'class="media-img is-blurred is-grey"' in html and PIXEL in html and "/reveal" in html
    assert 'href="https://video.example/v/1"' in html and "<video" not in html and "autoplay" not in html
    # A trend link goes to the trend page, which lists its signals.
    trend = re.search(r'href="/trends/(\d+)"', client.get("/signals", params={"harm": "violent_threats"}).text)
    assert trend
    page = client.get(f"/trends/{trend.group(1)}")
    assert page.status_code == 200 and len(_ids(page.text.split("Latest signals")[1])) == 6
    assert "Керчи" in page.text and 'class="sigchart"' in page.text
    by_trend = client.get("/signals", params={"trend": trend.group(1)}).text
    assert len(_ids(by_trend)) == 6


def test_explorer_pages_and_bad_input(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                      make_signals: Maker) -> None:
    logged_in("analyst")
    make_signals([signal_row(i, text=f"report number {i} about a video") for i in range(30)])
    first = client.get("/signals").text
    second = client.get("/signals", params={"page": 2}).text
    assert len(_ids(first)) == 25 and len(_ids(second)) == 5 and not set(_ids(first)) & set(_ids(second))
    assert 'rel="next"' in first and 'rel="prev"' in second and "Page 2 of 2" in second
    for params in ({"country": "Russia"}, {"q": "a\x00b"}, {"since": "yesterday"}, {"trend": "x"},
                   {"period": "forever"}, {"harm": "Bad Harm!"}, {"source": "gossip"}):
        resp = client.get("/signals", params=params)
        assert resp.status_code == 422, params
        assert 'class="field-error"' in resp.text and 'id="signal-' not in resp.text
    assert client.get("/signals", params={"page": 0}).status_code == 422
    assert client.get("/trends/99999").status_code == 404
    assert client.get("/trends", params={"order": "sideways"}).status_code == 422


def test_trends_by_growth_with_sparklines(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                          fake_clock: Any, make_signals: Maker) -> None:
    logged_in("responder")
    slow = [signal_row(i, text=THREAT.format(n=i), occurred_at=_at(-110 + i)) for i in range(6)]
    slow += [signal_row(10 + i, text=THREAT.format(n=i), occurred_at=_at(-30 + i)) for i in range(2)]
    fast = [signal_row(20 + i, text=f"Новый челлендж собачий кайф, снимай как друг падает в обморок {i}",
                       occurred_at=_at(-20 + i)) for i in range(5)]
    make_signals(slow + fast)
    html = client.get("/trends").text
    label = re.compile(r'class="trend-label"><span data-user-text>([^<]*)<')  # users' words, marked as such
    labels = label.findall(html)
    assert len(labels) == 2 and "собачий кайф" in labels[0] and "Керчи" in labels[1]  # new and fast first
    assert len(re.findall(r'<polyline points="[0-9., ]+"', html)) == 2
    recent = client.get("/trends", params={"order": "recent"}).text
    assert label.findall(recent)[0] == labels[0]


def test_signal_pages_need_signal_access(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    logged_in("viewer")
    for path in ("/signals", "/trends"):
        resp = client.get(path)
        assert resp.status_code == 403, path
    assert 'href="/signals"' not in client.get("/").text


def test_chart_time_labels_stay_inside_the_chart() -> None:
    start = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    for n in (1, 7, 97, 288):
        points = [(start + timedelta(minutes=15 * i), i % 5) for i in range(n)]
        chart = signal_charts.bar_chart(points, 15, lambda at: at.strftime("%H:%M"))
        assert chart.ticks and chart.ticks[0].label == "00:00"
        assert all(t.x <= chart.width - signal_charts.TICK_ROOM for t in chart.ticks), n
