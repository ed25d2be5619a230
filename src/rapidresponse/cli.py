"""The ``rapidresponse`` command line.

Each domain's commands live in its own ``cli.py`` and are imported only when they run, so that
``rapidresponse --help`` or one command does not pay for every library the others use.
"""

from __future__ import annotations

import importlib
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """A command group (or command) defined at ``target`` (``module:attribute``), loaded on use.

    ``more`` names Typer apps of other domains whose commands join the group (the ``policy`` group
    holds the decisions domain's statement-file commands)."""

    target: str
    help: str
    more: tuple[str, ...] = ()

    def load(self, name: str) -> Any:
        obj = _attribute(self.target)
        if isinstance(obj, typer.Typer):
            command: Any = typer.main.get_group(obj)
            for target in self.more:
                for sub_name, sub in typer.main.get_group(_attribute(target)).commands.items():
                    command.add_command(sub, sub_name)
        else:  # a plain function: a command of its own
            single = typer.Typer(add_completion=False)
            single.command(name)(obj)
            command = typer.main.get_command(single)
        command.name = name
        return command


def _attribute(target: str) -> Any:
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


COMMANDS: dict[str, Lazy] = {
    "users": Lazy("rapidresponse.auth.cli:app", "Users, roles and API tokens."),
    "incidents": Lazy("rapidresponse.incidents.cli:app", "Declare, list, show and run incidents."),
    "playbooks": Lazy("rapidresponse.playbooks.cli:app", "The playbook library and the playbooks incidents run."),
    "updates": Lazy("rapidresponse.playbooks.cli:updates_app",
                    "Stakeholder updates composed from playbook templates."),
    "approvals": Lazy("rapidresponse.approvals.cli:app",
                      "Approve or reject texts that wait for your role."),
    "notify": Lazy("rapidresponse.notify.cli:app",
                   "Notifications: the outbox, retries, test messages, webhook endpoints."),
    "oncall": Lazy("rapidresponse.oncall.cli:app",
                   "On-call: who is on call, shifts, calendars, teams and schedules."),
    "pages": Lazy("rapidresponse.oncall.cli:pages_app", "Pages: list and acknowledge."),
    "policy": Lazy("rapidresponse.policy.cli:app",
                   "Harm taxonomy, country profiles, legal clocks and DSA statements of reasons.",
                   more=("rapidresponse.decisions.cli:sor_app",)),
    "requests": Lazy("rapidresponse.requests.cli:app",
                     "Regulator and law-enforcement requests and their legal clocks."),
    "decisions": Lazy("rapidresponse.decisions.cli:app",
                      "The content decision log and DSA statements of reasons."),
    "lexicons": Lazy("rapidresponse.language.cli:app",
                     "Harm lexicons per language: terms, coded terms and hashtags, versioned."),
    "translate": Lazy("rapidresponse.translation.cli:app",
                      "Translation requests: ask, the queue by your language skills, show, approve."),
    "glossary": Lazy("rapidresponse.translation.cli:glossary_app",
                     "The translation glossary: import and export as TBX, list terms."),
    "memory": Lazy("rapidresponse.translation.cli:memory_app",
                   "The translation memory: import and export as TMX, look up a text."),
    "signals": Lazy("rapidresponse.signals.cli:app", "Signals: import files, consume a stream, trends."),
    "hashes": Lazy("rapidresponse.hashes.cli:app",
                   "PDQ hash lists from sharing partners, and matching images or hashes against them."),
    "detect": Lazy("rapidresponse.detection.cli:app", "Streaming spike detectors: backtest and score."),
    "alerts": Lazy("rapidresponse.detection.cli:alerts_app",
                   "Detection alerts: list, acknowledge, snooze, suppress, dismiss."),
    "cases": Lazy("rapidresponse.detection.cli:cases_app",
                  "Triage cases: list, open, assign, note, dismiss, escalate."),
    "reviews": Lazy("rapidresponse.reviews.cli:app", "Post-incident reviews: draft, sign off, publish, export."),
    "actions": Lazy("rapidresponse.reviews.cli:actions_app", "Action items from reviews: list, add, update."),
    "analytics": Lazy("rapidresponse.analytics.cli:app",
                      "The analytics warehouse: metrics, sync, tables, saved queries."),
    "risks": Lazy("rapidresponse.risk.cli:app",
                  "The risk register: risks per harm × country, assessments, mitigations, reports."),
    "wellness": Lazy("rapidresponse.wellness.cli:app",
                     "Responder wellness: exposure, budgets, safe viewing, surge mode, the team in aggregate."),
    "privacy": Lazy("rapidresponse.privacy.cli:app",
                    "Data lifecycle: retention, legal holds, a person's data (find, export, erase)."),
    "sql": Lazy("rapidresponse.analytics.cli:sql_command", "Run a read-only SQL query on the analytics warehouse."),
    "demo": Lazy("rapidresponse.demo.cli:demo",
                 "Seed the REECA demo scenario (idempotent), print the demo logins, optionally serve."),
}


def _before_first_event() -> None:
    """A command that changes something runs every domain's reactions, as the server does (paging on a
    declaration, applying a playbook…): the domains load before its first event is recorded."""
    from . import domains, events

    events.load_reactions_with(domains.load)


class LazyGroup(TyperGroup):
    """Lists the lazy commands by their help alone; imports one only when it is asked for."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        lazy = COMMANDS.get(cmd_name)
        if lazy is None:
            return super().get_command(ctx, cmd_name)
        if self._listing:
            return TyperCommand(cmd_name, help=lazy.help)
        _before_first_event()
        return lazy.load(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(cls=LazyGroup, help="rapidresponse: incident response for Trust & Safety teams.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained event log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (and create the first admin on a new database)."""
    from .console import console
    from .server import prepare

    prepare()
    console.print("database is up to date")


@db_app.command("check")
def db_check() -> None:
    """Fail if the models have changes that no migration covers."""
    from . import migrate
    from .console import console

    migrate.check()
    console.print("models and migrations agree")


@audit_app.command("anchor")
def audit_anchor(export: Path | None = typer.Option(
        None, "--export", help="Also write a signed checkpoint of every stream's head to this file, to keep "
                               "outside the database (audit verify --checkpoint checks against it)")) -> None:
    """Seal the heads of the streams that moved (the worker does this every minute)."""
    import json

    from . import domains, events
    from .console import console
    from .db import unit_of_work

    domains.load()
    with unit_of_work() as s:
        if export is None:
            sealed = events.anchor(s)
            console.print(f"sealed {len(sealed.payload['heads'])} streams" if sealed else "nothing moved since the "
                          "last anchor")
            return
        point = events.checkpoint(s)
    export.write_text(json.dumps(point, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"wrote a signed checkpoint of {len(point['heads'])} streams to {export}")


@audit_app.command("verify")
def audit_verify(checkpoint: list[Path] = typer.Option(
        [], "--checkpoint", help="A checkpoint written by audit anchor --export (repeat for several)")) -> None:
    """Recompute the event chain and report the first broken link."""
    import json

    from rich.progress import Progress

    from . import domains, events
    from .console import console, handle_errors
    from .db import unit_of_work

    domains.load()

    points = []
    for path in checkpoint:
        try:
            point = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(point, dict) or not isinstance(point.get("heads"), dict):
                raise ValueError("no heads")
            points.append(point)
        except (OSError, ValueError) as exc:
            from .console import fail

            raise fail(f"{path}: not a checkpoint ({exc})") from None

    @handle_errors
    def verify() -> events.VerifyResult:
        with Progress(transient=True) as progress, unit_of_work(read_only=True) as s:
            task = progress.add_task("verifying events", total=None)
            return events.verify(s, progress=lambda n: progress.update(task, completed=n), checkpoints=points)

    result = verify()
    if result.ok:
        console.print(f"[green]ok[/green]: {result.events_checked} events in {result.streams_checked} streams, "
                      f"chain intact{f', {len(points)} checkpoint(s) hold' if points else ''}"
                      f"{f', {result.redacted} payload(s) redacted' if result.redacted else ''}")
        return
    console.print(f"[red]BROKEN[/red] at stream {result.stream} seq {result.seq} (event id {result.event_id}): "
                  f"{result.reason}", highlight=False)
    raise typer.Exit(1)


@app.command("backup")
def backup_command(dest: Path = typer.Argument(..., help="A new (or empty) folder to write the backup into")) -> None:
    """Write a consistent copy of the database, the analytics warehouse and a manifest into DEST."""
    from rich.progress import Progress

    from . import backup
    from .console import console, handle_errors

    @handle_errors
    def run() -> dict[str, object]:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("backup", total=None)

            def step(what: str, done: int, total: int) -> None:
                progress.update(task, description=what, completed=done, total=total or None)

            return backup.backup(dest, step=step)

    manifest = run()
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    console.print(f"[green]backed up[/green] to {dest}: migration {manifest['revision']}, {sum(counts.values())} "
                  f"rows in {len(counts)} tables, warehouse {'included' if manifest['warehouse'] else 'absent'}",
                  highlight=False)
    secrets = manifest["secrets"]
    assert isinstance(secrets, list)
    console.print("the restored installation needs: " + ", ".join(s["setting"] for s in secrets)
                  + " (listed in manifest.json, values not included)", highlight=False)


@app.command("restore")
def restore_command(src: Path = typer.Argument(..., help="A folder written by rapidresponse backup"),
                    force: bool = typer.Option(False, "--force",
                                               help="Replace everything in a database that is not empty")) -> None:
    """Bring a backup back into an empty database, then check migration, row counts and the audit chain."""
    from rich.progress import Progress

    from . import backup
    from .console import console, handle_errors

    @handle_errors
    def run() -> backup.RestoreReport:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("restore", total=None)

            def step(what: str, done: int, total: int) -> None:
                progress.update(task, description=what, completed=done, total=total or None)

            return backup.restore(src, force=force, step=step)

    report = run()
    if not report.ok:
        for problem in report.problems:
            console.print(f"[red]problem[/red]: {problem}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]restored[/green] from {src}: migration {report.revision}, "
                  f"{sum(report.counts.values())} rows in {len(report.counts)} tables, audit chain intact "
                  f"({report.audit.events_checked} events)"
                  + (", warehouse restored" if report.warehouse else ""), highlight=False)


@app.command("serve")
def serve(host: str | None = None, port: int | None = None,
          worker: bool | None = typer.Option(None, "--worker/--no-worker",
                                             help="Run the background worker (default: on; in-process, or as "
                                                  "one more process with --workers)"),
          workers: int = typer.Option(1, min=1, max=64, help="Web processes on the port")) -> None:
    """Serve the web UI and the REST API."""
    from . import server

    server.serve(host=host, port=port, worker=worker, workers=workers)


@app.command("worker")
def run_worker(once: bool = typer.Option(False, help="Run every job once and exit")) -> None:
    """Run the background loop: deliveries, timers, clocks, anchors."""
    from . import domains, logs, migrate
    from . import worker as worker_mod
    from .config import get_settings
    from .console import console

    settings = get_settings()
    logs.setup(settings.log_level, settings.log_json)
    migrate.upgrade()
    domains.load()
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
