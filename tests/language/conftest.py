"""Lexicon test fixtures: the actors who read and manage lexicons, a loaded starter set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.language import service

STARTER = Path(service.__file__).parent / "data" / "lexicons"


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("policy")


@pytest.fixture
def starter(engine: Engine, manager: Actor) -> dict[str, int]:
    counts: dict[str, int] = {}
    with unit_of_work() as s:
        for path in sorted(STARTER.glob("*.yaml")):
            counts.update(service.import_document(s, manager, yaml.safe_load(path.read_text("utf-8"))))
    return counts
