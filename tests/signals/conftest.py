"""Signal test fixtures: synthetic rows around the choking-game incident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from signalkit import signal_row


@pytest.fixture
def rows() -> Callable[..., list[dict[str, Any]]]:
    def make(n: int, start: int = 0, **over: Any) -> list[dict[str, Any]]:
        return [signal_row(i, **over) for i in range(start, start + n)]

    return make
