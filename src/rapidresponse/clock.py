"""The one place that reads the wall clock, so that tests can move time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> Callable[[], datetime]:
    """Replace the clock (``None`` restores the wall clock); returns the clock it replaced."""
    global _now
    previous, _now = _now, fn or (lambda: datetime.now(UTC))
    return previous


@contextmanager
def held_at(at: datetime) -> Iterator[None]:
    """Hold the clock at ``at`` (to record back-dated history), then give back the clock it replaced."""
    previous = set_clock(lambda: at)
    try:
        yield
    finally:
        set_clock(previous)
