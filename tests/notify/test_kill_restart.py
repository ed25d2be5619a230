"""Kill the real worker process (SIGKILL) mid-delivery and start it again: every message arrives at
least once, and de-duplicated by its idempotency key the receiver sees each exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from rapidresponse.db import unit_of_work
from rapidresponse.notify import service
from rapidresponse.notify.models import OutboxMessage
from receivers import HttpReceiver

N = 40
pytestmark = pytest.mark.slow


def _worker(engine: Engine, tmp_path: Path, *, lease: int = 3) -> subprocess.Popen[bytes]:
    """A worker process; ``lease`` short so that a killed worker's messages come back soon."""
    env = {**os.environ,
           "RAPIDRESPONSE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "RAPIDRESPONSE_VAR_DIR": str(tmp_path), "RAPIDRESPONSE_WORKER_INTERVAL_SECONDS": "0.2",
           "RAPIDRESPONSE_NOTIFY_LEASE_SECONDS": str(lease), "RAPIDRESPONSE_NOTIFY_BATCH_SIZE": "8",
           "RAPIDRESPONSE_NOTIFY_CONCURRENCY": "4", "RAPIDRESPONSE_LOG_LEVEL": "WARNING"}
    exe = Path(sys.executable).with_name("rapidresponse")
    return subprocess.Popen([str(exe), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _statuses() -> dict[str, int]:
    with unit_of_work(read_only=True) as s:
        rows = s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        return {st: n for st, n in rows}


def _wait(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_mid_delivery_loses_nothing(engine: Engine, receiver: HttpReceiver, tmp_path: Path,
                                            make_endpoint: Callable[..., Any]) -> None:
    receiver.delay = 0.4  # slow: the worker is always in the middle of something
    ep = make_endpoint(receiver.url + "/slow")
    with unit_of_work() as s:
        keys = [service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id,
                                subject=f"Сообщение {i} · хабарлама", body="ә ғ қ ң ө ұ ү һ і",
                                idempotency_key=f"kill-test:{i}")[0].idempotency_key for i in range(N)]
    first = _worker(engine, tmp_path)
    try:
        _wait(lambda: len(receiver.requests) >= 6, 60, "the first deliveries")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = _statuses()
    assert at_kill.get("sending", 0) > 0, at_kill  # it died holding claims
    assert at_kill.get("delivered", 0) < N

    second = _worker(engine, tmp_path)
    try:
        _wait(lambda: _statuses().get("delivered", 0) == N, 120, "every message delivered")
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()
    assert _statuses() == {"delivered": N}
    unique = receiver.unique()
    assert set(unique) == set(keys)  # each one arrived, and is seen once after de-duplication
    assert len(receiver.requests) >= N  # at least once; the killed worker's in-flight ones came twice
    for key, req in unique.items():
        assert req.json["id"] == key and req.json["text"] == "ә ғ қ ң ө ұ ү һ і"


def test_two_worker_processes_deliver_each_message_once(engine: Engine, receiver: HttpReceiver, tmp_path: Path,
                                                        make_endpoint: Callable[..., Any]) -> None:
    """Two workers share the outbox: each claims its own messages (FOR UPDATE SKIP LOCKED on
    PostgreSQL), so without a kill every message arrives exactly once. (Slow deliveries keep both busy
    for seconds, well past the time the second takes to start.)"""
    receiver.delay = 0.3
    ep = make_endpoint(receiver.url + "/shared")
    with unit_of_work() as s:
        keys = [service.enqueue(s, kind="test", channel="webhook", endpoint_id=ep.id, subject=f"Сообщение {i}",
                                body="ә ғ қ", idempotency_key=f"two-workers:{i}")[0].idempotency_key
                for i in range(N)]
    # Nobody is killed here: a lease long enough for a batch on a loaded machine, so that only
    # SKIP LOCKED (not an expired lease) decides who delivers what.
    workers = [_worker(engine, tmp_path / name, lease=30) for name in ("a", "b")]
    try:
        _wait(lambda: _statuses().get("delivered", 0) == N, 120, "every message delivered")
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(15)
            except subprocess.TimeoutExpired:
                w.kill()
    assert _statuses() == {"delivered": N}
    assert sorted(r.json["id"] for r in receiver.requests) == sorted(keys)  # each exactly once
