"""Time buckets of the signal series (5 minutes by default)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .schemas import BUCKET_MINUTES

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def bucket_of(at: datetime, minutes: int = BUCKET_MINUTES) -> datetime:
    """The start of the ``minutes``-long bucket ``at`` falls in (buckets aligned on the epoch)."""
    seconds = int((at - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=seconds - seconds % (minutes * 60))
