"""Series in the real signal store for the alert and case tests: Poisson background with a known spike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select

from rapidresponse.auth import SYSTEM
from rapidresponse.db import unit_of_work
from rapidresponse.detection.models import Alert
from rapidresponse.signals import feed
from rapidresponse.signals import service as signals

START = datetime(2026, 2, 25, 0, 0, tzinfo=UTC)
BUCKET = timedelta(minutes=5)
SPIKE_KEY = ("dangerous_challenge", "KZ", "kk")
QUIET_KEY = ("phishing", "RU", "ru")


def background(days: float = 4.0, *, seed: int = 5, start: datetime = START,
               keys: tuple[tuple[str, str, str], ...] = (SPIKE_KEY, QUIET_KEY), rate: float = 2.0) -> datetime:
    """``days`` of Poisson counts for every key; returns the end (exclusive)."""
    n = int(timedelta(days=days) / BUCKET)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for h, c, lang in keys:
        for i, count in enumerate(rng.poisson(rate, n)):
            if count:
                rows.append({"harm": h, "country": c, "language": lang, "bucket": start + i * BUCKET,
                             "count": int(count)})
    with unit_of_work() as s:
        feed.add_counts(s, rows)
    return start + n * BUCKET


def spike(at: datetime, *, key: tuple[str, str, str] = SPIKE_KEY, buckets: int = 6, per_bucket: int = 30,
          tag: str = "a") -> datetime:
    """Real signals (so alerts have samples) piling up in ``buckets`` buckets from ``at``."""
    rows = []
    for b in range(buckets):
        for k in range(per_bucket):
            rows.append({"external_id": f"spike-{tag}-{b}-{k}", "source": "user_report",
                         "occurred_at": (at + b * BUCKET + timedelta(seconds=k)).isoformat(),
                         "text": f"Дети повторяют опасный челлендж «собачий кайф» видео {b}",
                         "harm": key[0], "country": key[1], "language": key[2]})
    with unit_of_work() as s:
        signals.ingest(s, SYSTEM, rows, channel="test")
    return at + buckets * BUCKET


def all_alerts() -> list[tuple[str, str, str, str, datetime, int]]:
    with unit_of_work(read_only=True) as s:
        return [(a.harm, a.country, a.language, a.state, a.first_bucket, len(a.crossings))
                for a in s.execute(select(Alert).order_by(Alert.id)).scalars()]
