"""``make_linguist``: a user with language skills; ``make_translation``: a request through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.translation import TranslationOut, set_skills
from rapidresponse.translation import request as request_translation


@pytest.fixture
def make_linguist(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., Actor]:
    """A user of ``role`` (responder by default) with ``skills`` (language → level), committed."""

    def make(skills: dict[str, str], role: str = "responder", **kw: Any) -> Actor:
        actor = make_user(role, **kw)
        with unit_of_work() as s:
            set_skills(s, actor, skills)
        return actor

    return make


@pytest.fixture
def make_translation(engine: Engine, make_user: Callable[..., Actor]) -> Callable[..., TranslationOut]:
    """Ask (committed) for a Russian → English translation of a short text, unless told otherwise."""

    def make(actor: Actor | None = None, **fields: Any) -> TranslationOut:
        actor = actor or make_user("responder")
        data: dict[str, Any] = {"source_kind": "evidence", "source_lang": "ru", "target_lang": "en",
                                "text": "Видео с челленджем набрало 120 000 просмотров. Ссылка: https://example.org/v/1",
                                **fields}
        with unit_of_work() as s:
            return request_translation(s, actor, **data)

    return make
