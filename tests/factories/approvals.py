"""``make_approval``: an approval requested through the approvals service (committed).

By default a new commander asks legal to approve an external statement that belongs to no incident;
``ref`` ties it to an incident (the request then shows on its timeline too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import approvals, incidents
from rapidresponse.approvals import ApprovalOut
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_approval(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., ApprovalOut]:
    """Ask for an approval (committed) as ``actor`` (a new commander by default); returns it."""
    counter = iter(range(1, 10_000))

    def make(actor: Actor | None = None, *, ref: str | None = None, text: str = "Заявление для прессы: мы удалили "
             "видео и сообщили в полицию.", **fields: Any) -> ApprovalOut:
        actor = actor or make_user("commander")
        n = next(counter)
        with unit_of_work() as s:
            incident_id = incidents.get(s, SYSTEM, ref).id if ref else None
            data: dict[str, Any] = {"kind": "external_statement", "subject_type": "statement", "subject_id": n,
                                    "title": f"Statement {n}", "required_role": "legal", **fields}
            return approvals.request(s, actor, text=text, incident_id=incident_id, **data)

    return make
