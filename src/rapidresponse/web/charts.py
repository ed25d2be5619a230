"""Chart layouts shared by the pages (drawn by ``charts.html`` as SVG on the server, no script)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def bars(counts: Sequence[tuple[str, float]], *, width: int = 420) -> dict[str, Any] | None:
    """Horizontal bars, one row per label, scaled to the largest; None when there is nothing to draw."""
    if not counts:
        return None
    row, label, room = 22, 150, 44
    top = max((n for _, n in counts), default=0) or 1
    rows = [{"y": 4 + i * row, "label": name, "n": n, "w": max(1, round((width - label - room) * n / top))}
            for i, (name, n) in enumerate(counts)]
    return {"rows": rows, "width": width, "height": 8 + len(rows) * row, "x": label}
