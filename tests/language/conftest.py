"""Lexicon test fixtures: the policy lead who manages lexicons (the starter set is the
``starter_lexicons`` factory)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapidresponse.auth import Actor


@pytest.fixture
def manager(make_user: Callable[..., Actor]) -> Actor:
    return make_user("policy")
