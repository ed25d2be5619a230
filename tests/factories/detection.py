"""``make_alert``: an alert raised on a series as the detection tick raises one (committed), by its id;
``make_case``: a triage case opened from an alert or from a manual report (committed), by its id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rapidresponse import clock, detection, signals
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.detection import alerts
from rapidresponse.detection.models import Alert


@pytest.fixture
def make_alert(engine: Engine) -> Callable[..., int]:
    """A crossing of ``key`` at ``bucket`` (the current one by default) that raises (or updates) the series'
    live alert; returns its id."""

    def make(key: tuple[str, str, str] = ("dangerous_challenge", "KZ", "kk"), *, bucket: datetime | None = None,
             score: float = 0.8, threshold: float = 0.7, observed: int = 12) -> int:
        at = bucket or signals.bucket_of(clock.now())
        with unit_of_work() as s:
            outcome = alerts.on_crossing(s, key, bucket=at, score=score, threshold=threshold, observed=observed)
            assert outcome in ("raised", "updated"), outcome
            found: int = s.execute(select(Alert.id).where(Alert.open_series == alerts.series_key(*key))).scalar_one()
            return found

    return make


@pytest.fixture
def make_case(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., int]:
    """A case opened by ``actor`` (a new responder by default) from alert ``alert_id``, or else from a manual
    report (``source`` press by default, ``title`` and the other fields of ``open_manual_case``)."""

    def make(actor: Actor | None = None, *, alert_id: int | None = None, **fields: Any) -> int:
        actor = actor or make_user("responder")
        with unit_of_work() as s:
            if alert_id is not None:
                return detection.open_case_from_alert(s, actor, alert_id, title=fields.get("title", "")).id
            data = {"source": "press", "title": "Reports of a choking challenge in an Almaty school", **fields}
            return detection.open_manual_case(s, actor, **data).id

    return make
