"""Policy test fixtures: fresh profile and taxonomy caches, no team directory unless a test sets one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import delete

from rapidresponse import policy
from rapidresponse.db import unit_of_work
from rapidresponse.policy.models import CountryProfileCorrection


@pytest.fixture(autouse=True)
def _fresh_policy_caches(env: Callable[..., None], request: pytest.FixtureRequest) -> Iterator[None]:
    env(policy_dir=None)
    policy.clear_cache()
    yield
    if "engine" in request.fixturenames:
        # The test's database stays bound after it: a later test that reads the profiles without a
        # database of its own must not see the corrections this one saved.
        with unit_of_work() as s:
            s.execute(delete(CountryProfileCorrection))
    policy.clear_cache()
