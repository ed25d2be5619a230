"""Charts of signal counts laid out on the server as SVG (no JavaScript, no inline styles): the
explorer's bar chart of the current filter and the trends' sparklines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 900.0, 180.0, 44.0, 22.0, 10.0
TICK_ROOM = 48.0  # room a tick's time label needs before the right edge
SPARK_W, SPARK_H = 120.0, 28.0
NICE_MINUTES = (5, 15, 30, 60, 180, 360, 720, 1440, 10080)
MAX_BARS = 120


@dataclass
class ChartBar:
    x: float
    y: float
    w: float
    h: float
    title: str


@dataclass
class ChartTick:
    x: float
    label: str


@dataclass
class Chart:
    bars: list[ChartBar]
    ticks: list[ChartTick]
    peak: int
    total: int
    bucket_minutes: int
    width: float = WIDTH
    height: float = HEIGHT
    left: float = LEFT
    top: float = TOP
    base: float = HEIGHT - BOTTOM
    gridlines: list[tuple[float, str]] = field(default_factory=list)


def bucket_for(span: timedelta) -> int:
    """A round bucket size that draws ``span`` in at most ``MAX_BARS`` bars."""
    for minutes in NICE_MINUTES:
        if span / timedelta(minutes=minutes) <= MAX_BARS:
            return minutes
    return NICE_MINUTES[-1]


def bar_chart(points: Sequence[tuple[datetime, int]], bucket_minutes: int,
              label: Callable[[datetime], str]) -> Chart:
    """Bars of ``points`` (bucket start, count); ``label`` writes a time for the ticks and titles."""
    n = max(len(points), 1)
    peak = max((c for _, c in points), default=0)
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / n
    bars: list[ChartBar] = []
    for i, (at, count) in enumerate(points):
        if not count:
            continue
        h = max(1.0, plot_h * count / peak)
        bars.append(ChartBar(x=round(LEFT + i * step + step * 0.1, 2), y=round(TOP + plot_h - h, 2),
                             w=round(max(step * 0.8, 0.8), 2), h=round(h, 2), title=f"{label(at)}: {count}"))
    ticks: list[ChartTick] = []
    every = max(1, n // 6)
    for i in range(0, len(points), every):
        if LEFT + i * step <= WIDTH - TICK_ROOM:  # a label starting nearer the right edge would be cut off
            ticks.append(ChartTick(x=round(LEFT + i * step, 2), label=label(points[i][0])))
    grid = [(round(TOP + plot_h * (1 - f), 2), str(round(peak * f))) for f in (0.5, 1.0)] if peak else []
    return Chart(bars=bars, ticks=ticks, peak=peak, total=sum(c for _, c in points), bucket_minutes=bucket_minutes,
                 gridlines=grid)


def sparkline(counts: Sequence[int], width: float = SPARK_W, height: float = SPARK_H) -> str:
    """The ``points`` of an SVG polyline for ``counts`` (flat at the bottom when all are zero)."""
    if not counts:
        return ""
    peak = max(counts) or 1
    step = width / max(len(counts) - 1, 1)
    return " ".join(f"{round(i * step, 1)},{round(height - 2 - (height - 4) * c / peak, 1)}"
                    for i, c in enumerate(counts))
