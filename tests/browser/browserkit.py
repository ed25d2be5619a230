"""The live server shared by the browser tests: how one is started (uvicorn in a subprocess on a loopback
port with its own SQLite database) and the handle tests use."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

PASSWORD = "correct horse battery"


@dataclass
class LiveServer:
    url: str
    database_url: str


    def make_user(self, role: str = "commander", **kw: Any) -> str:
        """Create a user straight in the server's database (like an admin would); returns the username."""
        from rapidresponse.auth import SYSTEM
        from rapidresponse.auth import service as auth
        from rapidresponse.db import make_engine

        name = f"{role}-{secrets.token_hex(3)}"
        engine = make_engine(self.database_url)
        try:
            with Session(engine) as s:
                auth.create_user(s, SYSTEM, username=name, role=role, password=PASSWORD,
                                 display_name=kw.pop("display_name", name.title()), **kw)
                s.commit()
        finally:
            engine.dispose()
        return name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not answer {url} within {timeout}s")


@contextmanager
def serve(var: Path, **settings: str) -> Iterator[LiveServer]:
    """Run the server on a fresh database in ``var`` (migrated first), with ``settings`` as its
    ``RAPIDRESPONSE_*`` environment (``embedded_worker="true"`` lets its own worker run); stop it after."""
    database_url = f"sqlite:///{var / 'browser.db'}"
    env = {**os.environ, "RAPIDRESPONSE_VAR_DIR": str(var), "RAPIDRESPONSE_DATABASE_URL": database_url,
           "RAPIDRESPONSE_EMBEDDED_WORKER": "false", "RAPIDRESPONSE_LOG_LEVEL": "WARNING",
           "RAPIDRESPONSE_COOKIE_SECURE": "false",
           **{f"RAPIDRESPONSE_{name.upper()}": value for name, value in settings.items()}}
    cli = [sys.executable, "-c", "from rapidresponse.cli import main; main()"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = free_port()
    log = (var / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "rapidresponse.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/healthz", proc)
        yield LiveServer(f"http://127.0.0.1:{port}", database_url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
