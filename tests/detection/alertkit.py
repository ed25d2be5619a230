"""Series for the alert and case tests: Poisson background with a known spike (the rows; the tests store
them with the ``make_series_counts`` and ``make_signals`` factories, see ``conftest.py``), and the alerts
as stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from rapidresponse.db import unit_of_work
from rapidresponse.detection.models import Alert

START = datetime(2026, 2, 25, 0, 0, tzinfo=UTC)
BUCKET = timedelta(minutes=5)
SPIKE_KEY = ("dangerous_challenge", "KZ", "kk")
QUIET_KEY = ("phishing", "RU", "ru")
Store = Callable[..., datetime]
"""The ``background`` and ``spike`` fixtures: store rows, return the end of what they stored."""


def background_rows(days: float = 4.0, *, seed: int = 5, start: datetime = START,
                    keys: tuple[tuple[str, str, str], ...] = (SPIKE_KEY, QUIET_KEY),
                    rate: float = 2.0) -> tuple[list[dict[str, Any]], datetime]:
    """``days`` of Poisson counts for every key (series rows), and the end (exclusive)."""
    n = int(timedelta(days=days) / BUCKET)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for h, c, lang in keys:
        for i, count in enumerate(rng.poisson(rate, n)):
            if count:
                rows.append({"harm": h, "country": c, "language": lang, "bucket": start + i * BUCKET,
                             "count": int(count)})
    return rows, start + n * BUCKET


def spike_rows(at: datetime, *, key: tuple[str, str, str] = SPIKE_KEY, buckets: int = 6, per_bucket: int = 30,
               tag: str = "a") -> tuple[list[dict[str, Any]], datetime]:
    """Signals (so alerts have samples) piling up in ``buckets`` buckets from ``at``, and the end."""
    rows = []
    for b in range(buckets):
        for k in range(per_bucket):
            rows.append({"external_id": f"spike-{tag}-{b}-{k}", "source": "user_report",
                         "occurred_at": (at + b * BUCKET + timedelta(seconds=k)).isoformat(),
                         "text": f"Дети повторяют опасный челлендж «собачий кайф» видео {b}",
                         "harm": key[0], "country": key[1], "language": key[2]})
    return rows, at + buckets * BUCKET


def all_alerts() -> list[tuple[str, str, str, str, datetime, int]]:
    with unit_of_work(read_only=True) as s:
        return [(a.harm, a.country, a.language, a.state, a.first_bucket, len(a.crossings))
                for a in s.execute(select(Alert).order_by(Alert.id)).scalars()]
