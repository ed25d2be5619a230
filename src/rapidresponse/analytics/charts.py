"""Charts of the metrics laid out on the server, as the templates draw them in SVG (no script): a
trend line, a tile map of the region's countries and a harm × country heatmap (horizontal bars are
the shared ``web.charts.bars``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..web.charts import bars

# The region as tiles (row, column): neighbours sit next to each other, as on a tile-grid map.
TILES: dict[str, tuple[int, int]] = {
    "EE": (0, 3), "RU": (0, 5),
    "LV": (1, 3), "FI": (0, 2),
    "LT": (2, 2), "BY": (2, 3), "KZ": (2, 6),
    "PL": (3, 1), "UA": (3, 3), "MD": (3, 2), "UZ": (3, 6), "KG": (3, 7),
    "RO": (4, 2), "GE": (4, 4), "AZ": (4, 5), "TM": (4, 6), "TJ": (4, 7),
    "BG": (5, 2), "AM": (5, 4),
}
TILE, GAP = 46, 4


def line(points: Sequence[tuple[datetime, float]], *, width: int = 900, height: int = 180) -> dict[str, Any] | None:
    """A polyline of values over time (oldest first), with the peak and first and last labels."""
    if not points:
        return None
    left, bottom, top = 36, 20, 10
    peak = max(v for _, v in points) or 1
    span = max(len(points) - 1, 1)
    xs = [left + (width - left - 8) * i / span for i in range(len(points))]
    ys = [top + (height - top - bottom) * (1 - v / peak) for _, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    return {"width": width, "height": height, "points": path,
            "dots": [{"x": round(x, 1), "y": round(y, 1), "label": f"{p[0]:%d.%m.%Y}: {p[1]:g}"}
                     for x, y, p in zip(xs, ys, points, strict=True)],
            "peak": peak, "first": f"{points[0][0]:%d.%m.%Y}", "last": f"{points[-1][0]:%d.%m.%Y}",
            "left": left, "bottom": height - bottom}


def _shade(n: float, top: float) -> int:
    """0..5: how dark a cell is (0 for none)."""
    return 0 if n <= 0 else 1 + min(4, int(4 * n / (top or 1)))


def tiles(counts: Mapping[str, float]) -> dict[str, Any]:
    """The region's countries as tiles shaded by their count; others in a row beneath."""
    top = max(counts.values(), default=0)
    cells = []
    extra = sorted(c for c in counts if c not in TILES)
    places = dict(TILES)
    last_row = max(r for r, _ in TILES.values()) + 1
    for i, code in enumerate(extra):
        places[code] = (last_row + i // 8, i % 8)
    for code, (r, c) in places.items():
        n = counts.get(code, 0)
        cells.append({"code": code, "n": n, "x": c * (TILE + GAP), "y": r * (TILE + GAP), "shade": _shade(n, top)})
    rows = max(r for r, _ in places.values()) + 1
    cols = max(c for _, c in places.values()) + 1
    return {"cells": cells, "size": TILE, "width": cols * (TILE + GAP), "height": rows * (TILE + GAP)}


def heatmap(cells: Sequence[tuple[str, str, float]]) -> dict[str, Any] | None:
    """Rows by the first key (harm), columns by the second (country), shaded by the count."""
    if not cells:
        return None
    harms = sorted({h for h, _, _ in cells})
    countries = sorted({c for _, c, _ in cells})
    counts = {(h, c): n for h, c, n in cells}
    top = max(counts.values())
    label, size = 190, 30
    return {"width": label + len(countries) * size + 4, "height": 24 + len(harms) * size, "label": label,
            "size": size, "columns": [{"code": c, "x": label + i * size + size / 2} for i, c in enumerate(countries)],
            "rows": [{"harm": h, "y": 24 + j * size, "cells": [
                {"x": label + i * size, "n": counts.get((h, c), 0), "country": c,
                 "shade": _shade(counts.get((h, c), 0), top)} for i, c in enumerate(countries)]}
                for j, h in enumerate(harms)]}


def quick(columns: list[str], rows: list[list[Any]]) -> tuple[str, dict[str, Any]] | None:
    """A console result's quick chart: a line when the first column is a time, bars when it is a label,
    over the first numeric column after it; None when the result has no such shape."""
    if len(columns) < 2 or not rows or len(rows) > 500:
        return None
    numeric = next((i for i in range(1, len(columns))
                    if all((isinstance(r[i], int | float) and not isinstance(r[i], bool)) or r[i] is None
                           for r in rows)), None)
    if numeric is None:
        return None
    if all(isinstance(r[0], datetime) for r in rows):
        chart = line([(r[0], float(r[numeric] or 0)) for r in rows])
        return ("line", chart) if chart else None
    chart = bars([(str(r[0]), float(r[numeric] or 0)) for r in rows[:40]])
    return ("bars", chart) if chart else None
