"""``make_decision``: a content decision recorded through the decisions service (committed), and
``make_statement``: a valid raw statement of reasons to vary field by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import decisions
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def decision_defaults() -> dict[str, Any]:
    return {"puid": "pl-video-0001", "content_url": "https://example.org/v/1", "content_type": "video",
            "content_language": "pl", "content_date": "2026-02-27", "action": "remove",
            "harm": "dangerous_challenge", "explanation": "Film zachęca nieletnich do niebezpiecznego wyzwania.",
            "facts": "Video of a choking challenge re-uploaded after the first removal.", "source_type": "notice",
            "source_identity": "user report", "territorial_scope": ["PL"]}


@pytest.fixture
def make_decision(engine: Engine, make_user: Callable[..., Actor],
                  decision_defaults: dict[str, Any]) -> Callable[..., decisions.DecisionOut]:
    """Record a decision (committed) as ``actor`` (a new policy user by default); returns it."""

    def make(actor: Actor | None = None, **fields: Any) -> decisions.DecisionOut:
        actor = actor or make_user("policy")
        data = decisions.DecisionCreate.model_validate({**decision_defaults, **fields})
        with unit_of_work() as s:
            return decisions.record_decision(s, actor, data)

    return make


@pytest.fixture
def make_statement() -> Callable[..., dict[str, Any]]:
    """A valid statement of reasons (illegal-content ground), with fields replaced or removed (None)."""

    def make(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": "Regulation (EU) 2021/784 Art. 3",
            "illegal_content_explanation": "Terrorist propaganda video re-uploaded from a known hash.",
            "content_type": ["CONTENT_TYPE_VIDEO"],
            "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
            "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
            "territorial_scope": ["PL", "LT"],
            "content_language": "RU",
            "content_date": "2026-11-26",
            "application_date": "2026-11-27",
            "decision_facts": "Видео с призывами к насилию, удалено по приказу об удалении.",
            "source_type": "SOURCE_TRUSTED_FLAGGER",
            "source_identity": "Trusted flagger PL-0042",
            "automated_detection": "Yes",
            "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
            "puid": "rr-2026-000001",
        }
        for key, value in fields.items():
            if value is None:
                base.pop(key, None)
            else:
                base[key] = value
        return base

    return make
