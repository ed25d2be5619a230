"""`rapidresponse oncall …` and `rapidresponse pages …`"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer
from rich.table import Table

from .. import auth
from ..clock import now
from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import ical, paging, reports, service
from .engine import zone

app = typer.Typer(help="On-call: who is on call, shifts, calendars, teams and schedules.", no_args_is_help=True)
pages_app = typer.Typer(help="Pages: list and acknowledge.", no_args_is_help=True)


def _local(value: datetime | None, tz: str) -> str:
    return value.astimezone(zone(tz)).strftime("%a %d %b %H:%M") if value else "—"


def _when(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field}: {value[:40]!r} is not an ISO date or date-time") from None
    return parsed if parsed.tzinfo else parsed.astimezone()


@app.command("teams")
@handle_errors
def teams(as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """The on-call teams and their schedules."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = [(service.team_out(t), [x.name for x in service.list_schedules(s, actor, t.id)])
                for t in service.list_teams(s, actor)]
    if as_json:
        print_json([{**t.model_dump(), "schedules": names} for t, names in rows])
        return
    table = Table("id", "team", "time zone", "schedules")
    for t, names in rows:
        table.add_row(str(t.id), t.name, t.timezone, ", ".join(names) or "—")
    console.print(table)


@app.command("schedules")
@handle_errors
def schedules(team: str | None = typer.Option(None, help="Team name or id"),
              as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """Schedules with their layers."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        team_id = service.find_team(s, actor, team).id if team else None
        outs = [service.schedule_out(s, x) for x in service.list_schedules(s, actor, team_id)]
    if as_json:
        print_json([o.model_dump() for o in outs])
        return
    table = Table("id", "team", "schedule", "layer", "people", "rotation", "restricted to")
    for o in outs:
        for la in o.layers or [None]:  # type: ignore[list-item]
            if la is None:
                table.add_row(str(o.id), o.team, o.name, "—", "", "", "")
                continue
            windows = "; ".join(f"{','.join(r.days)} {r.start}-{r.end}" for r in la.restrictions) or "—"
            table.add_row(str(o.id), o.team, o.name, f"{la.level} {la.name}", ", ".join(la.users),
                          f"{la.shift_length} {la.shift_unit}, {la.handoff_time} {la.timezone}", windows)
    console.print(table)


@app.command("now")
@handle_errors
def who_now(team: str | None = typer.Option(None, help="Team name or id"),
            as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """Who is on call now, and who is next, per team and schedule."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        team_id = service.find_team(s, actor, team).id if team else None
        rows = service.on_call(s, actor, team_id=team_id)
    if as_json:
        print_json([r.model_dump() for r in rows])
        return
    table = Table("team", "schedule", "on call now", "until", "next", "from", caption=f"times in {actor.timezone}")
    for r in rows:
        table.add_row(r.team, r.schedule, r.now.display_name if r.now else "[red]nobody[/red]",
                      _local(r.now.end if r.now else None, actor.timezone),
                      r.next.display_name if r.next else "—", _local(r.next.start if r.next else None, actor.timezone))
    console.print(table)


@app.command("shifts")
@handle_errors
def shifts(user: str | None = typer.Option(None, "--user", help="Whose shifts (default: yours)"),
           days: int = typer.Option(14, min=1, max=365), as_json: bool = typer.Option(False, "--json"),
           as_user: str | None = AsOption) -> None:
    """Final shifts of a person in every schedule over the coming days."""
    actor = actor_for(as_user)
    at = now()
    with unit_of_work(read_only=True) as s:
        person = auth.find_person(s, user or actor.username)
        found = service.shifts_of(s, actor, person.id, at, at + timedelta(days=days))
        teams = {t.id: t.name for t in service.list_teams(s, actor)}
    if as_json:
        print_json([{"team": teams.get(sc.team_id), "schedule": sc.name, "start": sh.start, "end": sh.end,
                     "source": sh.source} for sc, sh in found])
        return
    if not found:
        console.print(f"{person.username} has no shifts in the next {days} days.")
        return
    table = Table("team", "schedule", "from", "to", "hours", "via", caption=f"times in {actor.timezone}")
    for sc, sh in found:
        table.add_row(teams.get(sc.team_id, ""), sc.name, _local(sh.start, actor.timezone),
                      _local(sh.end, actor.timezone), f"{sh.hours:.1f}", sh.source)
    console.print(table)


@app.command("export-ical")
@handle_errors
def export_ical(schedule: int | None = typer.Option(None, help="Schedule id"),
                user: str | None = typer.Option(None, "--user", help="A person's shifts in every schedule"),
                output: Path | None = typer.Option(None, "-o", "--output", help="File (default: stdout)"),
                as_user: str | None = AsOption) -> None:
    """Write an iCalendar file of final shifts (two weeks back, 90 days ahead)."""
    actor = actor_for(as_user)
    if (schedule is None) == (user is None):
        raise ValidationFailed("give either --schedule or --user")
    with unit_of_work(read_only=True) as s:
        if schedule is not None:
            data = ical.schedule_feed(s, actor, schedule)
        else:
            service.list_teams(s, actor)  # the permission check
            data = ical.person_feed(s, actor, auth.find_person(s, str(user)))
    if output is None:
        typer.echo(data.decode("utf-8"), nl=False)
        return
    output.write_bytes(data)
    console.print(f"wrote {output} ({data.count(b'BEGIN:VEVENT')} shifts)")


@app.command("fairness")
@handle_errors
def fairness(start: str | None = typer.Option(None, help="ISO date (default: 30 days ago)"),
             end: str | None = typer.Option(None, help="ISO date (default: now)"),
             team: str | None = typer.Option(None, help="Team name or id"),
             as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """Hours on call, nights, weekends, holidays, pages and heavy-content incidents per person."""
    actor = actor_for(as_user)
    stop = _when(end, "end") or now()
    begin = _when(start, "start") or stop - timedelta(days=30)
    with unit_of_work(read_only=True) as s:
        team_id = service.find_team(s, actor, team).id if team else None
        rows = reports.fairness(s, actor, begin, stop, team_id=team_id)
    if as_json:
        print_json([r.model_dump() for r in rows])
        return
    table = Table("person", "hours", "night h", "weekend h", "holiday h", "nights", "pages",
                  "heavy", caption=f"{begin:%Y-%m-%d} – {stop:%Y-%m-%d}")
    for r in rows:
        table.add_row(r.display_name, f"{r.hours:.1f}", f"{r.night_hours:.1f}", f"{r.weekend_hours:.1f}",
                      f"{r.holiday_hours:.1f}", str(r.nights), str(r.pages),
                      str(r.heavy_incidents))
    console.print(table)


@pages_app.command("list")
@handle_errors
def list_pages(status: list[str] = typer.Option([], help="triggered, acknowledged or resolved; repeat"),
               mine: bool = typer.Option(False, "--mine", help="Only pages that reached you"),
               limit: int = typer.Option(50, min=1, max=500), as_json: bool = typer.Option(False, "--json"),
               as_user: str | None = AsOption) -> None:
    """Pages, newest first."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        pages, total = paging.list_pages(s, actor, status=status, mine=mine, limit=limit)
        outs = paging.pages_out(s, pages)
    if as_json:
        print_json({"items": [o.model_dump() for o in outs], "total": total})
        return
    if not outs:
        console.print("No pages.")
        return
    style = {"triggered": "bold red", "acknowledged": "yellow", "resolved": "green"}
    table = Table("id", "status", "team", "incident", "summary", "triggered", "paged", "ack after",
                  caption=f"{len(outs)} of {total}; times in {actor.timezone}")
    for o in outs:
        ack = f"{o.seconds_to_ack // 60}m{o.seconds_to_ack % 60:02d}s" if o.seconds_to_ack is not None else "—"
        table.add_row(str(o.id), f"[{style[o.status]}]{o.status}[/]", o.team, o.incident_ref or "—", o.summary,
                      _local(o.triggered_at, actor.timezone), ", ".join(o.notified) or "—", ack)
    console.print(table)


@pages_app.command("ack")
@handle_errors
def ack(page_id: int = typer.Argument(..., min=1, max=2**31 - 1), as_user: str | None = AsOption) -> None:
    """Acknowledge a page: its escalation stops."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        page = paging.acknowledge(s, actor, page_id, via="cli")
        console.print(f"page {page.id} acknowledged by {actor.username} after {page.seconds_to_ack}s")
