"""Bringing up a server: the schema up to date, the first admin, then the app under uvicorn."""

from __future__ import annotations

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


def serve(*, host: str | None = None, port: int | None = None, worker: bool | None = None) -> None:
    """Serve the web UI and the REST API (and the worker in-process unless ``worker`` is False)."""
    import uvicorn

    from .app import create_app

    settings = get_settings()
    prepare()
    host, port = host or settings.host, port or settings.port
    console.print(f"rapidresponse on http://{host}:{port}  (API docs: /api/docs)")
    uvicorn.run(create_app(embedded_worker=worker), host=host, port=port, log_level="warning",
                proxy_headers=True)
