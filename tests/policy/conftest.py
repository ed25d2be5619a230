"""Policy test fixtures: fresh profile and taxonomy caches, no team directory unless a test sets one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from rapidresponse import policy


@pytest.fixture(autouse=True)
def _fresh_policy_caches(env: Callable[..., None]) -> Iterator[None]:
    env(policy_dir=None)
    policy.clear_cache()
    yield
    policy.clear_cache()
