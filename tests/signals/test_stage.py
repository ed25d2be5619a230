"""The pipeline stage behind intake: accepted signals wait, the stage processes each exactly once (a
transaction rolled back or a worker killed mid-batch loses nothing and counts nothing twice), detection
waits for it, the warehouse exports only processed signals, and its lag is a metric."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from signalkit import BASE, signal_row
from sqlalchemy import Engine, func, select

from rapidresponse import signals
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work
from rapidresponse.detection import tick
from rapidresponse.signals import service, stage
from rapidresponse.signals.models import SeriesBucket, Signal, Trend, TrendBucket

VIRAL = ["Дети снимают челлендж собачий кайф, один потерял сознание, видео {n}",
         "Завтра в школе №{n} будет опасная игра, не приходите, передайте всем"]


def _rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    """Every third row a near copy of one of two viral texts, the rest distinct."""
    return [signal_row(i, text=VIRAL[i % 2].format(n=i % 7) if i % 3 == 0 else f"отдельная жалоба номер {i} "
                       f"про канал {i * 7919 % 1000} и ссылку {i}", occurred_at=(BASE + timedelta(seconds=i * 7))
                       .isoformat()) for i in range(start, start + n)]


def _totals() -> dict[str, int]:
    with unit_of_work(read_only=True) as s:
        def one(q: Any) -> int:
            return int(s.execute(q).scalar_one())

        return {"signals": one(select(func.count()).select_from(Signal)),
                "pending": one(select(func.count()).select_from(Signal).where(Signal.processed_at.is_(None))),
                "series": one(select(func.coalesce(func.sum(SeriesBucket.count), 0))),
                "clustered": one(select(func.count()).select_from(Signal).where(Signal.trend_id.is_not(None))),
                "trends": one(select(func.coalesce(func.sum(Trend.count), 0))),
                "trend_buckets": one(select(func.coalesce(func.sum(TrendBucket.count), 0)))}


def _assert_exact(n: int) -> dict[str, int]:
    """All ``n`` signals processed once: every count equals the signals behind it."""
    got = _totals()
    assert (got["signals"], got["pending"], got["series"]) == (n, 0, n), got
    assert got["clustered"] == got["trends"] == got["trend_buckets"] > 0, got
    return got


def test_intake_accepts_and_a_rolled_back_stage_leaves_everything_pending(
        make_user: Callable[..., Actor]) -> None:
    analyst = make_user("analyst")
    with unit_of_work() as s:
        result = service.ingest(s, analyst, _rows(600))
    assert (result.inserted, result.status) == (600, "accepted")
    assert _totals() == {"signals": 600, "pending": 600, "series": 0, "clustered": 0, "trends": 0,
                         "trend_buckets": 0}

    with pytest.raises(RuntimeError), unit_of_work() as s:  # a worker dying after the work, before commit
        assert stage.process_batch(s, 250) == 250
        raise RuntimeError("killed")
    assert _totals()["pending"] == 600 and _totals()["series"] == 0

    with unit_of_work() as s:
        assert service.process_pending(s, batch=250) == 600
    once = _assert_exact(600)
    with unit_of_work() as s:
        assert service.process_pending(s) == 0  # nothing is processed twice
    assert _totals() == once
    with unit_of_work(read_only=True) as s:
        viral = s.execute(select(Signal.trend_id, Signal.language_detected, Signal.text_folded)
                          .where(Signal.external_id == "r-3")).one()
    assert viral[0] is not None and viral[1] == "ru" and viral[2]


def test_detection_waits_for_pending_signals_and_the_warehouse_exports_processed_ones(
        make_signals: Callable[..., Any]) -> None:
    make_signals(_rows(30))
    make_signals(_rows(30, start=1000), process=False)  # occurred from BASE + 7000 s: still pending
    with unit_of_work() as s:
        waiting = signals.oldest_pending(s)
        exported = signals.export_after(s, SYSTEM, 0, 10_000)
        processed = set(s.execute(select(Signal.id).where(Signal.processed_at.is_not(None))).scalars())
    assert waiting == BASE + timedelta(seconds=7000)
    assert len(processed) == 30 and {row[0] for row in exported} == processed
    with unit_of_work() as s:  # detection closes no bucket at or after the oldest pending signal
        report = tick.tick(s, now=BASE + timedelta(hours=6))
    with unit_of_work(read_only=True) as s:
        cursor = s.execute(select(tick.DetectionCursor.processed_until)).scalar_one()
    assert report.buckets > 0 and cursor < signals.bucket_of(waiting)
    with unit_of_work() as s:
        signals.process_pending(s)
        assert signals.oldest_pending(s) is None
        assert len(signals.export_after(s, SYSTEM, 0, 10_000)) == 60


def test_metrics_report_pending_signals_and_lag(make_signals: Callable[..., Any]) -> None:
    from prometheus_client import REGISTRY

    from rapidresponse.signals import jobs  # noqa: F401  registers the collector (as loading the domains does)

    make_signals(_rows(5), process=False)
    assert REGISTRY.get_sample_value("rapidresponse_signals_pending") == 5
    lag = REGISTRY.get_sample_value("rapidresponse_signals_stage_lag_seconds")
    assert lag is not None and lag >= 0
    with unit_of_work() as s:
        signals.process_pending(s)
    assert REGISTRY.get_sample_value("rapidresponse_signals_pending") == 0
    assert REGISTRY.get_sample_value("rapidresponse_signals_stage_lag_seconds") == 0


def _worker(engine: Engine, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RAPIDRESPONSE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "RAPIDRESPONSE_VAR_DIR": str(tmp_path), "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
           "RAPIDRESPONSE_SIGNAL_STAGE_BATCH": "300", "RAPIDRESPONSE_WORKER_INTERVAL_SECONDS": "0.2"}
    exe = Path(sys.executable).with_name("rapidresponse")
    return subprocess.Popen([str(exe), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_a_worker_killed_mid_stage_loses_nothing_and_two_workers_count_each_signal_once(
        engine: Engine, make_signals: Callable[..., Any], tmp_path: Path) -> None:
    n = 6000
    for i in range(0, n, 2000):
        make_signals(_rows(2000, start=i), process=False)
    first = _worker(engine, tmp_path)
    try:
        _wait(lambda: _totals()["pending"] <= n - 600 or first.poll() is not None, 120, "the first batches")
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = _totals()
    assert 0 < at_kill["pending"] < n, at_kill
    assert at_kill["series"] == n - at_kill["pending"], at_kill  # committed batches only, each counted once
    rest = [_worker(engine, tmp_path) for _ in range(2)]  # on PostgreSQL they claim with SKIP LOCKED
    try:
        _wait(lambda: _totals()["pending"] == 0, 180, "the workers to process the rest")
    finally:
        for w in rest:
            w.send_signal(signal.SIGTERM)
        for w in rest:
            w.wait(30)
    _assert_exact(n)
