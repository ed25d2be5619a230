"""``make_signals``: signals stored through the intake service (committed) and processed by the pipeline
stage (unless ``process=False``), with its batch result;
``make_series_counts``: counts added straight to the 5-minute series (history without the signals)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse import signals
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work


@pytest.fixture
def make_signals(engine: Engine) -> Callable[..., signals.BatchResult]:
    """Ingest ``rows`` (signal dicts, as a client sends them) as ``actor`` (the system by default)."""

    def make(rows: Sequence[dict[str, Any]], *, actor: Actor | None = None, channel: str = "test",
             mode: str = "partial", process: bool = True) -> signals.BatchResult:
        with unit_of_work() as s:
            result = signals.ingest(s, actor or SYSTEM, list(rows), channel=channel, mode=mode)  # type: ignore[arg-type]
        if process:  # the pipeline stage, as the worker runs it behind intake
            with unit_of_work() as s:
                signals.process_pending(s)
        return result

    return make


@pytest.fixture
def make_series_counts(engine: Engine) -> Callable[[list[dict[str, Any]]], None]:
    """Add ``harm, country, language, bucket, count`` rows to the series (what intake counts)."""

    def make(rows: list[dict[str, Any]]) -> None:
        with unit_of_work() as s:
            signals.add_series_counts(s, rows)

    return make
