"""`rapidresponse demo [--serve]`: seed the demo world (once) and print the logins."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..console import console
from . import data
from .seed import DEFAULT_HISTORY, DEFAULT_SEED, SeedReport, seed


def logins_table() -> Table:
    table = Table(title="Demo logins (no password change needed)", title_justify="left")
    for column in ("username", "role", "password"):
        table.add_column(column, no_wrap=True)
    table.add_column("name")
    table.add_column("hub · locale")
    table.add_row("admin", "admin", "[dim]one-time[/dim]", "Administrator", "printed on first run")
    for p in data.PEOPLE:
        table.add_row(p.username, p.role, p.password, p.display_name, f"{p.hub} · {p.locale}")
    return table


def seed_with_progress(history: int, random_seed: int) -> SeedReport:
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("seeding a year of REECA incidents", total=None)
        return seed(history_size=history, random_seed=random_seed,
                    progress=lambda done, total: progress.update(task, completed=done, total=total))


def warehouse_with_progress() -> None:
    """Fill the analytics warehouse with the seeded year, so that the metrics show it on first start."""
    from .. import analytics
    from ..auth import SYSTEM
    from ..db import unit_of_work

    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def step(source: str, done: int, total: int) -> None:
            if source not in tasks:
                tasks[source] = progress.add_task(f"analytics warehouse: {source}", total=total)
            progress.update(tasks[source], completed=done, total=total)

        with unit_of_work(read_only=True) as s:
            out = analytics.sync_now(s, SYSTEM, step)
    if out.events or out.signals:
        console.print(f"[green]analytics[/green]: {out.events} events and {out.signals} signals in the warehouse")


def register_once() -> None:
    """The risk register, read from the warehouse the step before: seeded once."""
    from ..db import unit_of_work
    from .register import seed_register

    with unit_of_work() as s:
        added = seed_register(s)
    if added:
        console.print(f"[green]risk register[/green]: {added} REECA risks, the choking challenge flagged; "
                      "the weekly digest sent once")


def wellness_once(active_ref: str) -> None:
    """The responders' exposure on the active incident and the team's support resources: seeded once."""
    from ..db import unit_of_work
    from .wellness import seed_wellness

    with unit_of_work() as s:
        logged = seed_wellness(s, active_ref)
    if logged:
        console.print(f"[green]wellness[/green]: {logged} reviews logged on {active_ref}; one responder near the "
                      "day's budget, one past it")


def demo(
    serve: bool = typer.Option(False, "--serve", help="Serve the app once the demo is seeded"),
    host: str | None = typer.Option(None, help="Address to serve on (with --serve)"),
    port: int | None = typer.Option(None, help="Port to serve on (with --serve)"),
    history: int = typer.Option(DEFAULT_HISTORY, min=0, max=5000, help="Historical incidents to seed"),
    random_seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the synthetic data generator"),
) -> None:
    """Seed the REECA demo scenario (idempotent), print the demo logins, optionally serve."""
    from .. import server

    server.prepare()
    report = seed_with_progress(history, random_seed)
    if report.created:
        console.print(f"[green]seeded[/green] {report.users} demo users and {report.incidents} incidents")
    else:
        console.print("demo data already present; nothing changed")
    warehouse_with_progress()
    register_once()
    wellness_once(report.active_ref)
    console.print(f"active SEV2: [bold]{report.active_ref}[/bold]   restricted (child safety): "
                  f"[bold]{report.restricted_ref}[/bold] (members only)")
    console.print(logins_table())
    if serve:
        server.serve(host=host, port=port, worker=None)
