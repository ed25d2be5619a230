"""``make_reviewed``: an incident taken from declaration to a published review (committed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import incidents, reviews
from rapidresponse.auth import Actor
from rapidresponse.clock import now
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_reviewed(engine: Engine, make_user: Callable[..., Actor],
                  make_incident: Callable[..., str]) -> Callable[..., str]:
    """Declare an incident as ``commander``, resolve it, and draft, sign off and publish its review
    (exit criteria met); ``close`` closes it too. Returns its ref."""

    def make(commander: Actor | None = None, *, close: bool = False, **fields: Any) -> str:
        commander = commander or make_user("commander")
        ref = make_incident(commander, **fields)
        with unit_of_work() as s:
            for status in ("active", "resolved"):
                incidents.change_status(s, commander, ref, incidents.StatusChange.model_validate({"status": status}))
            review = reviews.draft(s, commander, ref)
            reviews.edit(s, commander, ref, reviews.ReviewEdit(summary="Contained within the day."))
            for c in review.criteria:
                reviews.decide_criterion(s, commander, ref, c.position, reviews.CriterionIn(state="met"))
            reviews.submit(s, commander, ref)
            reviews.record_meeting(s, commander, ref, reviews.MeetingIn(held_at=now() - timedelta(minutes=1)))
            reviews.sign_off(s, commander, ref, reviews.SignoffIn(role="commander"))
            reviews.publish(s, commander, ref)
            if close:
                incidents.change_status(s, commander, ref, incidents.StatusChange.model_validate({"status": "closed"}))
        return ref

    return make
