"""The ``rapidresponse`` command line."""

from __future__ import annotations

import signal
import threading

import typer

from . import events, logs, migrate
from .auth import service as auth
from .auth.cli import app as users_app
from .cli_common import console, handle_errors
from .config import get_settings
from .db import unit_of_work
from .demo.cli import demo as demo_command
from .detection.cli import app as detect_app
from .detection.triage_cli import alerts_app, cases_app
from .detection.triage_cli import register as register_detect
from .incidents.cli import app as incidents_app
from .language.cli import app as lexicons_app
from .notify.cli import app as notify_app
from .oncall.cli import app as oncall_app
from .oncall.cli import pages_app
from .playbooks.cli import app as playbooks_app
from .playbooks.cli import approvals_app, updates_app
from .policy.cli import app as policy_app
from .policy.requests_cli import app as requests_app
from .policy.requests_cli import decisions_app
from .signals.cli import app as signals_app
from .signals.hashcli import app as hashes_app

app = typer.Typer(help="rapidresponse: incident response for Trust & Safety teams.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained event log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(incidents_app, name="incidents")
app.add_typer(detect_app, name="detect")
app.add_typer(policy_app, name="policy")
app.add_typer(notify_app, name="notify")
app.add_typer(playbooks_app, name="playbooks")
app.add_typer(updates_app, name="updates")
app.add_typer(approvals_app, name="approvals")
app.add_typer(oncall_app, name="oncall")
app.add_typer(pages_app, name="pages")
app.add_typer(requests_app, name="requests")
app.add_typer(decisions_app, name="decisions")
app.add_typer(lexicons_app, name="lexicons")
app.add_typer(signals_app, name="signals")
app.add_typer(hashes_app, name="hashes")
app.add_typer(alerts_app, name="alerts")
app.add_typer(cases_app, name="cases")
register_detect(detect_app)
app.command("demo")(demo_command)


def prepare() -> None:
    """Bring the schema up to date and create the first admin if there is no user yet."""
    migrate.upgrade()
    with unit_of_work() as s:
        password = auth.ensure_admin(s)
    if password:
        console.print(f"[bold]First run:[/bold] created user [bold]admin[/bold] with one-time password "
                      f"[bold]{password}[/bold] (you will be asked to change it).")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (and create the first admin on a new database)."""
    prepare()
    console.print("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    migrate.check()
    console.print("models and migrations agree")


@audit_app.command("verify")
@handle_errors
def audit_verify() -> None:
    """Recompute the event chain and report the first broken link."""
    from rich.progress import Progress

    with Progress(transient=True) as progress, unit_of_work(read_only=True) as s:
        task = progress.add_task("verifying events", total=None)
        result = events.verify(s, progress=lambda n: progress.update(task, completed=n))
    if result.ok:
        console.print(f"[green]ok[/green]: {result.events_checked} events in {result.streams_checked} streams, "
                      "chain intact")
        return
    console.print(f"[red]BROKEN[/red] at stream {result.stream} seq {result.seq} (event id {result.event_id}): "
                  f"{result.reason}", highlight=False)
    raise typer.Exit(1)


@app.command("serve")
def serve(host: str | None = None, port: int | None = None,
          worker: bool | None = typer.Option(None, "--worker/--no-worker",
                                             help="Run the background worker in-process (default: on)")) -> None:
    """Serve the web UI and the REST API."""
    import uvicorn

    from .app import create_app

    settings = get_settings()
    prepare()
    host, port = host or settings.host, port or settings.port
    console.print(f"rapidresponse on http://{host}:{port}  (API docs: /api/docs)")
    uvicorn.run(create_app(embedded_worker=worker), host=host, port=port, log_level="warning",
                proxy_headers=True)


@app.command("worker")
def run_worker(once: bool = typer.Option(False, help="Run every job once and exit")) -> None:
    """Run the background loop: deliveries, timers, clocks, anchors."""
    from . import worker as worker_mod

    settings = get_settings()
    logs.setup(settings.log_level, settings.log_json)
    migrate.upgrade()
    if once:
        outcomes = worker_mod.run_due(force=True)
        console.print(outcomes)
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())  # finish the running job, then exit
    worker_mod.run_forever(stop, settings.worker_interval_seconds)


def main() -> None:
    app()
