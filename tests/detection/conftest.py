"""Detection fixtures: an admin to act as."""

from __future__ import annotations

from collections.abc import Callable

import pytest
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
