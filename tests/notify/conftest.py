"""Notification fixtures (the receivers, channels and ``make_endpoint`` are shared ones)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from rapidresponse.auth import service as auth


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
