"""Real ``rapidresponse serve`` and ``rapidresponse worker`` processes on a test's database, on free
ports, for the tests of what several processes sharing one database must do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import Engine

from rapidresponse.config import get_settings
from receivers import free_port

EXE = str(Path(sys.executable).with_name("rapidresponse"))


def environment(engine: Engine, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a process on ``engine``'s database (``extra``: more ``RAPIDRESPONSE_*``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPIDRESPONSE_")}
    var_dir.mkdir(parents=True, exist_ok=True)
    env.update(RAPIDRESPONSE_DATABASE_URL=engine.url.render_as_string(hide_password=False),
               RAPIDRESPONSE_VAR_DIR=str(var_dir), RAPIDRESPONSE_LOG_LEVEL="WARNING",
               # the test's own key: anchors the workers sign verify in the test
               RAPIDRESPONSE_SECRET_KEY=get_settings().effective_secret_key)
    env.update({f"RAPIDRESPONSE_{k.upper()}": v for k, v in extra.items()})
    return env


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def serving(env: dict[str, str], *, count: int = 1) -> Iterator[list[Served]]:
    """``count`` ``serve --no-worker`` processes, each on its own port, ready when yielded."""
    started: list[Served] = []
    try:
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen([EXE, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
                                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            started.append(Served(port, process))
        for served in started:
            _wait_ready(served)
        yield started
    finally:
        for served in started:
            _stop(served.process)


def _wait_ready(served: Served) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"serve exited with code {served.process.returncode}")
        try:
            if httpx.get(served.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("serve did not answer /healthz within 120 s")


@contextmanager
def working(env: dict[str, str], *, count: int = 1) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` ``rapidresponse worker`` processes; stopped (SIGTERM: they finish their job) on exit."""
    started = [subprocess.Popen([EXE, "worker"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
               for _ in range(count)]
    try:
        yield started
    finally:
        for process in started:
            process.send_signal(signal.SIGTERM)
        for process in started:
            _stop(process)
