"""Synthetic signal rows around the choking-game incident, shared by the signal tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

BASE = datetime.fromisoformat("2026-03-01T08:00:00+00:00")


def signal_row(i: int, **over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "external_id": f"r-{i}", "source": "user_report",
        "occurred_at": (BASE + timedelta(minutes=i)).isoformat(),
        "text": f"видео с челленджем собачий кайф номер {i}", "harm": "dangerous_challenge",
        "country": "KZ", "language": "ru", "content_id": f"v{i}", "content_type": "video",
        "reporter_type": "user", "metadata": {"app": "android"},
    }
    row.update(over)
    return row

