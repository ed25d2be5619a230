"""The series chart: counts per 5-minute bucket, the expected band and the alert crossings, as SVG shapes
laid out on the server (no JavaScript, no inline styles: classes only, like the rota). Its times (the axis and
the crossings) read in the viewer's time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .service import SeriesData

BUCKET = timedelta(minutes=5)
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 960.0, 260.0, 44.0, 12.0, 28.0


@dataclass
class Marker:
    x: float
    y: float
    title: str


@dataclass
class Chart:
    width: float
    height: float
    line: str
    band: str
    expected: str
    markers: list[Marker]
    ticks: list[tuple[float, str]]
    yticks: list[tuple[float, str]]
    start: datetime
    end: datetime
    peak: int
    total: int
    zone: str = "UTC"  # the time zone its times are in
    plot: tuple[float, float, float, float] = field(default=(LEFT, TOP, WIDTH - 8, HEIGHT - BOTTOM))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock(at: datetime, tz: ZoneInfo, *, abbr: bool = False) -> str:
    """``14:05`` in ``tz`` (with ``abbr``: ``14:05 MSK``, or ``14:05 UTC+05`` for a zone without a name)."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(tz)
    if not abbr:
        return f"{local:%H:%M}"
    name = local.strftime("%Z")
    return f"{local:%H:%M} {'UTC' + name if name[:1] in '+-' else name}"


def build(data: SeriesData, hours: int = 24, timezone: str = "UTC") -> Chart:
    """The chart of ``data`` (a series over ``hours`` hours, from :func:`.service.series_data`), its times in
    ``timezone`` (the viewer's)."""
    import numpy as np

    tz = _zone(timezone)
    shown, expect, lo, hi = data.values, data.expected, data.low, data.high
    start = data.start
    top = max(float(shown.max(initial=0)), float(hi.max(initial=0)), 4.0) * 1.1
    x0, y0, x1, y1 = LEFT, TOP, WIDTH - 8, HEIGHT - BOTTOM
    n = len(shown)

    def px(i: float) -> float:
        return round(x0 + (x1 - x0) * i / max(n - 1, 1), 1)

    def py(v: float) -> float:
        return round(y1 - (y1 - y0) * v / top, 1)

    line = " ".join(f"{px(i)},{py(v)}" for i, v in enumerate(shown))
    band = " ".join([f"{px(i)},{py(v)}" for i, v in enumerate(hi)] +
                    [f"{px(i)},{py(v)}" for i, v in reversed(list(enumerate(lo)))])
    exp_line = " ".join(f"{px(i)},{py(v)}" for i, v in enumerate(expect))
    markers = [Marker(px(c.index), py(float(shown[c.index])),
                      f"#{c.alert_id} {_clock(c.bucket, tz, abbr=True)} · {c.observed} · score {c.score:.2f}")
               for c in data.crossings]
    ticks = []
    for h in range(0, hours + 1, max(1, hours // 8)):
        at = start + timedelta(hours=h)
        ticks.append((px(h * 12), _clock(at, tz)))
    yticks = [(py(v), f"{v:.0f}") for v in np.linspace(0, top / 1.1, 5)]
    return Chart(WIDTH, HEIGHT, line, band, exp_line, markers, ticks, yticks, start, data.end,
                 int(shown.max(initial=0)), int(shown.sum()), zone=tz.key)
