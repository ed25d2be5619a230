"""Bringing up a server: the schema up to date, the first admin, then the app under uvicorn."""

from __future__ import annotations

import os
import subprocess
import sys

from . import auth, migrate
from .config import get_settings
from .console import console
from .db import unit_of_work


def prepare() -> None:
    """Bring the schema up to date and create the first admin if there is no user yet."""
    migrate.upgrade()
    with unit_of_work() as s:
        password = auth.ensure_admin(s)
    if password:
        console.print(f"[bold]First run:[/bold] created user [bold]admin[/bold] with one-time password "
                      f"[bold]{password}[/bold] (you will be asked to change it).")


def listening_url(host: str, port: int) -> str:
    """The address of a server listening on ``host``:``port``, as a link in a message can point to it."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def follow_address(host: str, port: int) -> str:
    """Links in outgoing messages point where this server listens, unless ``RAPIDRESPONSE_BASE_URL`` says
    otherwise (it wins). Set in the environment, so the web processes and the worker it starts agree."""
    if not os.environ.get("RAPIDRESPONSE_BASE_URL"):
        os.environ["RAPIDRESPONSE_BASE_URL"] = listening_url(host, port)
        get_settings.cache_clear()
    return get_settings().base_url


def serve(*, host: str | None = None, port: int | None = None, worker: bool | None = None,
          workers: int = 1) -> None:
    """Serve the web UI and the REST API (and the worker in-process unless ``worker`` is False).

    With ``workers`` above 1, uvicorn runs that many web processes on the port and, unless the
    worker is off, one more process runs the background jobs (``rapidresponse worker``): jobs run
    once, not once per web process."""
    import uvicorn

    settings = get_settings()
    prepare()
    host, port = host or settings.host, port or settings.port
    with_worker = settings.embedded_worker if worker is None else worker
    follow_address(host, port)
    console.print(f"rapidresponse on http://{host}:{port}  (API docs: /api/docs)"
                  + (f", {workers} web processes" if workers > 1 else ""))
    if workers <= 1:
        from .app import create_app

        uvicorn.run(create_app(embedded_worker=with_worker), host=host, port=port, log_level="warning",
                    proxy_headers=True)
        return
    os.environ["RAPIDRESPONSE_EMBEDDED_WORKER"] = "false"  # read by each web process
    jobs = subprocess.Popen([sys.executable, "-m", "rapidresponse", "worker"]) if with_worker else None
    try:
        uvicorn.run("rapidresponse.app:create_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", proxy_headers=True)
    finally:
        if jobs is not None:
            jobs.terminate()  # it finishes the job it is running, then exits
            try:
                jobs.wait(60)
            except subprocess.TimeoutExpired:
                jobs.kill()
