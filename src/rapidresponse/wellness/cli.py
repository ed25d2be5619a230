"""`rapidresponse wellness …`: my standing and exposure log, my safe-viewing settings, the team's
aggregate view, and (for leads) budgets, surge mode and support resources."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from . import service, vocab
from .schemas import BudgetIn, SurgeIn, Viewing

app = typer.Typer(help="Responder wellness: exposure, budgets, safe viewing, surge mode, the team in aggregate.",
                  no_args_is_help=True)
JsonOption = typer.Option(False, "--json", help="Print JSON")


@app.command("me")
@handle_errors
def me(days: int = typer.Option(14, min=1, max=366, help="How far back the log goes"),
       as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """My budgets and their use, whether a break is due, and my exposure log (mine alone)."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        standing = service.standing(s, actor)
        log = service.my_exposures(s, actor, days=days)
    if as_json:
        print_json({"standing": standing.model_dump(mode="json"), "exposures": [e.model_dump(mode="json")
                                                                                 for e in log]})
        return
    table = Table("intensity", "last 24 h (min)", "last 7 days (min)", "state")
    for u in standing.uses:
        day = f"{u.day_minutes:g}" + (f" / {u.daily_limit:g}" if u.daily_limit is not None else "")
        week = f"{u.week_minutes:g}" + (f" / {u.weekly_limit:g}" if u.weekly_limit is not None else "")
        table.add_row(u.intensity, day, week, u.state)
    console.print(table)
    if standing.break_due:
        console.print(f"[yellow]{standing.continuous_minutes:g} minutes without a break: step away for ten.[/yellow]")
    if standing.surge:
        console.print(f"surge ×{standing.surge.factor:g} until {standing.surge.expires_at:%Y-%m-%d %H:%M} UTC: "
                      f"{escape(standing.surge.reason)}", highlight=False)
    if not log:
        console.print(f"Nothing logged in the last {days} days.")
    for e in log[:50]:
        console.print(f"{e.occurred_at:%Y-%m-%d %H:%M} {e.harm} ({e.intensity}) {e.kind} {e.seconds / 60:.1f} min",
                      highlight=False)


@app.command("viewing")
@handle_errors
def viewing(set_: list[str] = typer.Option([], "--set", help="general.blur=off, sensitive.warn=on, …"),
            as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """Show my safe-viewing settings, or change some with --set PART.SETTING=on|off."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        current = service.viewing(s, actor).model_dump()
        for item in set_:
            key, _, value = item.partition("=")
            part, _, name = key.partition(".")
            if part not in current or name not in vocab.SETTINGS or value not in ("on", "off"):
                raise typer.BadParameter(f"{item!r}: use general|sensitive.SETTING=on|off, SETTING one of "
                                         + ", ".join(vocab.SETTINGS), param_hint="--set")
            current[part][name] = value == "on"
        out = service.set_viewing(s, actor, Viewing.model_validate(current)) if set_ else Viewing(**current)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    table = Table("setting", "general", "sensitive classes")
    for name in vocab.SETTINGS:
        table.add_row(name, *("on" if getattr(part, name) else "off" for part in (out.general, out.sensitive)))
    console.print(table)


@app.command("team")
@handle_errors
def team(days: int = typer.Option(28, min=1, max=366), as_json: bool = JsonOption,
         as_user: str | None = AsOption) -> None:
    """The team's exposure as aggregates (no group under five people, nobody named)."""
    with unit_of_work(read_only=True) as s:
        view = service.team_view(s, actor_for(as_user), days=days)
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    hidden = f"fewer than {view.min_group}"
    exposed = view.people_exposed if view.people_exposed is not None else hidden
    console.print(f"people exposed in {view.days} days: {exposed}")
    if view.over_budget is not None:
        console.print(f"this week: {view.over_budget} over budget, {view.near_budget} near it")
    table = Table("group", "people", "hours", "median min/person")
    for g in view.by_intensity + view.by_harm:
        table.add_row(g.key, *((str(g.people), f"{g.hours:g}", f"{g.median_minutes:g}") if g.people is not None
                               else (hidden, "—", "—")))
    console.print(table)


@app.command("budget")
@handle_errors
def budget(intensity: str = typer.Argument(..., help="low, medium, high or extreme"),
           daily: int | None = typer.Option(None, "--daily", help="Minutes a day (none: no limit)"),
           weekly: int | None = typer.Option(None, "--weekly", help="Minutes a week (none: no limit)"),
           person: str | None = typer.Option(None, "--person", help="One person's own budget"),
           clear: bool = typer.Option(False, "--clear", help="Return --person to the team's budget"),
           as_user: str | None = AsOption) -> None:
    """Set the team's (or one person's) exposure budget at an intensity."""
    data = BudgetIn.model_validate({"intensity": intensity, "daily_minutes": daily, "weekly_minutes": weekly})
    with unit_of_work() as s:
        out = service.set_budget(s, actor_for(as_user), data, username=person, clear=clear)
    for b in out:
        console.print(f"{b.intensity}: {b.daily_minutes if b.daily_minutes is not None else '∞'} min a day, "
                      f"{b.weekly_minutes if b.weekly_minutes is not None else '∞'} a week ({b.source})",
                      highlight=False)


@app.command("surge")
@handle_errors
def surge(factor: float | None = typer.Option(None, help="Raise limits by this (e.g. 1.5)"),
          hours: int = typer.Option(24, help="For how long"), reason: str | None = typer.Option(None),
          incident: str | None = typer.Option(None, help="The incident it is for"),
          end: bool = typer.Option(False, "--end", help="End the running surge"),
          as_user: str | None = AsOption) -> None:
    """Show, start (--factor, --reason) or --end surge mode."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        if end:
            out = service.end_surge(s, actor)
            console.print(f"surge {out.id} ended: limits are back to normal")
            return
        if factor is None:
            current = service.active_surge(s)
            console.print(f"surge ×{current.factor:g} until {current.expires_at:%Y-%m-%d %H:%M} UTC: "
                          f"{escape(current.reason)}" if current else "No surge is running.", highlight=False)
            return
        out = service.start_surge(s, actor, SurgeIn.model_validate(
            {"factor": factor, "hours": hours, "reason": reason or "", "incident_ref": incident}))
    console.print(f"surge ×{out.factor:g} until {out.expires_at:%Y-%m-%d %H:%M} UTC", highlight=False)
