"""Detection fixtures: an admin to act as, the default threshold, and the series the tests tick over
(``background``: counts; ``spike``: real signals), stored through the factories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from alertkit import background_rows, spike_rows
from sqlalchemy import Engine

from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.detection import thresholds


@pytest.fixture(autouse=True)
def _threshold(engine: Engine) -> None:
    """A spike of 15 times the background reaches 0.6 or more with the default detector; 0.5 leaves room."""
    with unit_of_work() as s:
        thresholds.set_threshold(s, SYSTEM, "*", 0.5)


@pytest.fixture
def admin(make_user: Callable[..., Actor]) -> Actor:
    return make_user("admin")


@pytest.fixture
def background(make_series_counts: Callable[[list[dict[str, Any]]], None]) -> Callable[..., datetime]:
    """``background(days, seed=…, keys=…)``: Poisson counts stored in the series; returns their end."""

    def store(days: float = 4.0, **kw: Any) -> datetime:
        rows, end = background_rows(days, **kw)
        make_series_counts(rows)
        return end

    return store


@pytest.fixture
def spike(make_signals: Callable[..., Any]) -> Callable[..., datetime]:
    """``spike(at, key=…, buckets=…, per_bucket=…, tag=…)``: signals ingested; returns the end of the spike."""

    def store(at: datetime, **kw: Any) -> datetime:
        rows, end = spike_rows(at, **kw)
        make_signals(rows)
        return end

    return store
