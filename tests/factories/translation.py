"""``make_linguist``: a user with language skills; ``make_translation``: a request through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.translation import TranslationOut, review, set_skills, sha256, start, submit
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


@pytest.fixture
def approve_translation(make_linguist: Callable[..., Actor]) -> Callable[..., TranslationOut]:
    """Take ``text`` (of ``source_kind`` ``source_id``) through the whole workflow to an approved
    translation, by a new translator and a new reviewer; returns it."""

    def make(*, source_kind: str, source_id: str, text: str, translation: str, source_lang: str = "ru",
             target_lang: str = "en", incident: str | None = None) -> TranslationOut:
        translator = make_linguist({source_lang: "native", target_lang: "professional"})
        reviewer = make_linguist({source_lang: "reading", target_lang: "native"})
        with unit_of_work() as s:
            r = request_translation(s, translator, source_kind=source_kind, source_id=source_id,
                                    source_lang=source_lang, target_lang=target_lang, text=text, incident=incident)
            start(s, translator, r.id)
            submit(s, translator, r.id, translation=translation)
            return review(s, reviewer, r.id, decision="approve", translation_sha256=sha256(translation))

    return make
