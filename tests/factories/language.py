"""``make_lexicon``: terms added to a lexicon through the language service (committed), by the lexicon's id;
``starter_lexicons``: the starter lexicons shipped with rapidresponse, loaded as a policy lead would."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml
from sqlalchemy import Engine

from rapidresponse import language as lexicons
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_lexicon(engine: Engine) -> Callable[..., int]:
    """Add ``terms`` (of ``kind``) to the lexicon of ``harm`` × ``language`` (created if missing) as ``actor``
    (the system by default); returns the lexicon's id."""

    def make(*terms: str, harm: str = "dangerous_challenge", language: str = "ru", kind: str = "term",
             substring: bool = False, actor: Actor | None = None) -> int:
        new = [lexicons.NewTerm(term=t, kind=kind, substring=substring) for t in terms]
        with unit_of_work() as s:
            lex, _ = lexicons.add_terms(s, actor or SYSTEM, harm=harm, language=language, new=new,
                                        skip_existing=True)
            return lex.id

    return make


@pytest.fixture
def starter_lexicons(engine: Engine, make_user: Callable[..., Actor]) -> dict[str, int]:
    """The starter lexicons, imported by a policy lead: new terms per ``harm/language``."""
    policy = make_user("policy")
    counts: dict[str, int] = {}
    with unit_of_work() as s:
        for path in sorted(lexicons.STARTER.glob("*.yaml")):
            counts.update(lexicons.import_document(s, policy, yaml.safe_load(path.read_text("utf-8"))))
    return counts
