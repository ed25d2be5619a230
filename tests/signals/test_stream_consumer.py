"""The stream consumer against real servers (NATS JetStream on 4222, Redis on 6379): killed mid-batch
with SIGKILL and restarted, every signal is stored exactly once and the stream is fully acknowledged."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from signalkit import signal_row
from sqlalchemy import Engine, func, select

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.signals import service
from rapidresponse.signals.models import SeriesBucket, Signal

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
N = 3000
pytestmark = pytest.mark.slow


def _require(port: int, what: str) -> None:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        if IN_CI:
            pytest.fail(f"CI must run {what} on 127.0.0.1:{port} for the stream consumer tests")
        pytest.skip(f"{what} is not running on 127.0.0.1:{port}")


def _consumer(engine: Engine, tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RAPIDRESPONSE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "RAPIDRESPONSE_VAR_DIR": str(tmp_path), "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
           "RAPIDRESPONSE_CLI_USER": "stream"}
    exe = Path(sys.executable).with_name("rapidresponse")
    return subprocess.Popen([str(exe), "signals", "consume", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _accepted() -> int:
    """Signals stored so far (cheap: polled while the consumer runs, so that it is killed mid-stream)."""
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(Signal)).scalar_one())


def _stored() -> tuple[int, int, int]:
    """Signals stored, distinct external ids, and the series' total once the pipeline stage ran."""
    with unit_of_work() as s:
        service.process_pending(s)
    with unit_of_work(read_only=True) as s:
        total = s.execute(select(func.count()).select_from(Signal)).scalar_one()
        distinct = s.execute(select(func.count(func.distinct(Signal.external_id)))).scalar_one()
        series = s.execute(select(func.coalesce(func.sum(SeriesBucket.count), 0))).scalar_one()
    return int(total), int(distinct), int(series)


def _wait(cond: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _messages(tag: str) -> list[bytes]:
    return [json.dumps(signal_row(i, external_id=f"{tag}-{i}", source="classifier"), ensure_ascii=False).encode()
            for i in range(N)]


def _kill_and_restart(engine: Engine, tmp_path: Path, args: list[str]) -> None:
    first = _consumer(engine, tmp_path, *args)
    try:
        _wait(lambda: _accepted() >= 300 or first.poll() is not None, 120, "the first batches")
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    at_kill = _accepted()
    assert 0 < at_kill < N, at_kill
    second = _consumer(engine, tmp_path, *args, "--until-idle")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err.decode()
    assert _stored() == (N, N, N), (at_kill, out.decode())


def test_jetstream_consumer_killed_mid_batch(engine: Engine, make_user: Callable[..., Actor],
                                             tmp_path: Path) -> None:
    _require(4222, "NATS JetStream")
    import nats

    make_user("analyst", username="stream")
    tag = f"t{uuid.uuid4().hex[:10]}"
    stream, subject = f"SIG_{tag}", f"signals.{tag}"

    async def publish() -> None:
        nc = await nats.connect("nats://127.0.0.1:4222")
        js = nc.jetstream()
        await js.add_stream(name=stream, subjects=[subject])
        for data in _messages(tag):
            await js.publish(subject, data)
        await nc.close()

    async def pending() -> tuple[int, int]:
        nc = await nats.connect("nats://127.0.0.1:4222")
        info = await nc.jetstream().consumer_info(stream, "rr")
        await nc.jetstream().delete_stream(stream)
        await nc.close()
        return info.num_pending, info.num_ack_pending

    asyncio.run(publish())
    _kill_and_restart(engine, tmp_path, ["--source", "nats", "--stream", stream, "--subject", subject,
                                         "--durable", "rr", "--batch", "100", "--ack-wait", "2",
                                         "--idle-seconds", "5"])
    assert asyncio.run(pending()) == (0, 0)


def test_redis_consumer_killed_mid_batch(engine: Engine, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    _require(6379, "Redis")
    import redis

    make_user("analyst", username="stream")
    key = f"rr-signals-{uuid.uuid4().hex[:10]}"
    client: Any = redis.Redis()
    try:
        pipe = client.pipeline()
        for data in _messages(key):
            pipe.xadd(key, {"data": data})
        pipe.execute()
        _kill_and_restart(engine, tmp_path, ["--source", "redis", "--stream", key, "--durable", "rr",
                                             "--batch", "100"])
        assert client.xpending(key, "rr")["pending"] == 0
    finally:
        client.delete(key)
        client.close()


def test_an_idle_jetstream_fetch_is_an_empty_batch_however_short_the_wait() -> None:
    """nats-py signals an expired fetch with its own timeout error or, when the deadline passes before
    the long poll is sent, with the base one; both mean "nothing yet", never "server unreachable"."""
    _require(4222, "NATS JetStream")
    import nats

    from rapidresponse.signals.streams import JetStreamSource

    tag = f"t{uuid.uuid4().hex[:10]}"
    source = JetStreamSource(url="nats://127.0.0.1:4222", stream=f"SIG_{tag}", subject=f"signals.{tag}",
                             durable="rr")

    async def run() -> list[int]:
        await source.connect()
        try:
            return [len(await source.fetch(10, timeout)) for timeout in (0.0001, 0.001, 0.01, 0.1) * 5]
        finally:
            await source.close()
            nc = await nats.connect("nats://127.0.0.1:4222")
            await nc.jetstream().delete_stream(f"SIG_{tag}")
            await nc.close()

    # Its own thread: the browser tests' Playwright keeps an event loop running in the main thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, run()).result(timeout=120) == [0] * 20
