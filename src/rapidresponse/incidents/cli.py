"""`rapidresponse incidents …`"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from . import service, work
from .schemas import IncidentCreate, IncidentFilter, IncidentOut, IncidentUpdate, NoteCreate, StatusChange
from .severity import SeverityInput
from .vocab import IncidentType

app = typer.Typer(help="Declare, list, show and run incidents.", no_args_is_help=True)
SEV_STYLE = {1: "bold red", 2: "red", 3: "yellow", 4: "green"}


def _severity(harm: int | None, reach: int | None, velocity: int | None, vulnerable: bool | None,
              regulatory: int | None, base: dict[str, Any] | None) -> SeverityInput | None:
    given = {k: v for k, v in {"harm": harm, "reach": reach, "velocity": velocity, "vulnerable": vulnerable,
                               "regulatory": regulatory}.items() if v is not None}
    if not given:
        return None
    return SeverityInput(**{**(base or {}), **given})


@app.command("declare")
@handle_errors
def declare(
    title: str = typer.Option(..., help="What is happening, in a line"),
    type: IncidentType = typer.Option(..., "--type", help="Incident type"),
    summary: str = typer.Option("", help="Markdown summary"),
    country: list[str] = typer.Option([], help="ISO 3166 code; repeat"),
    language: list[str] = typer.Option([], help="BCP 47 tag; repeat"),
    harm: list[str] = typer.Option([], "--harm-category", help="Harm category slug; repeat"),
    source: str = typer.Option("", help="The signal that revealed it"),
    harm_level: int | None = typer.Option(None, "--harm", help="Harm severity 1-4"),
    reach: int | None = typer.Option(None, help="Reach 1-4"),
    velocity: int | None = typer.Option(None, help="Velocity 1-4"),
    vulnerable: bool | None = typer.Option(None, "--vulnerable/--no-vulnerable", help="Minors involved"),
    regulatory: int | None = typer.Option(None, help="Regulatory exposure 0-3"),
    restricted: bool | None = typer.Option(None, "--restricted/--not-restricted"),
    as_user: str | None = AsOption,
) -> None:
    """Declare an incident and print its reference."""
    actor = actor_for(as_user)
    base = SeverityInput.default_for(type).model_dump()
    data = IncidentCreate(title=title, type=type, summary=summary, countries=country, languages=language,
                          harm_categories=harm, source_description=source, restricted=restricted,
                          severity=_severity(harm_level, reach, velocity, vulnerable, regulatory, base))
    with unit_of_work() as s:
        inc = service.declare(s, actor, data)
        console.print(f"declared [bold]{inc.ref}[/bold] SEV{inc.severity}: {inc.title}")


@app.command("list")
@handle_errors
def list_incidents(
    status: list[str] = typer.Option([], help="Status; repeat"),
    severity: list[int] = typer.Option([], help="SEV level; repeat"),
    country: str | None = None, language: str | None = None,
    q: str | None = typer.Option(None, "--search", "-q", help="Words to find"),
    open_only: bool = typer.Option(False, "--open", help="Only open incidents"),
    limit: int = 50, as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption,
) -> None:
    actor = actor_for(as_user)
    flt = IncidentFilter.model_validate({"status": status, "severity": severity, "country": country,
                                         "language": language, "q": q, "limit": limit,
                                         "open": True if open_only else None})
    with unit_of_work(read_only=True) as s:
        items, total = service.list_incidents(s, actor, flt)
        outs = [IncidentOut.model_validate(i.model_dump()) for i in items]
    if as_json:
        print_json({"items": [o.model_dump() for o in outs], "total": total})
        return
    if not outs:
        console.print("No incidents match.")
        return
    table = Table("ref", "sev", "status", "type", "title", "countries", "declared (UTC)",
                  caption=f"{len(outs)} of {total}")
    for o in outs:
        table.add_row(o.ref, f"[{SEV_STYLE[o.severity]}]SEV{o.severity}[/]", o.status, o.type, o.title,
                      " ".join(o.countries), o.declared_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@app.command("show")
@handle_errors
def show(ref: str, as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        detail = service.detail(s, actor, service.get(s, actor, ref, log_view=True))
        entries = work.timeline(s, actor, ref)
    if as_json:
        print_json({**detail.model_dump(), "timeline": [e.model_dump() for e in entries]})
        return
    console.print(f"[bold]{detail.ref}[/bold] [{SEV_STYLE[detail.severity]}]SEV{detail.severity}[/] "
                  f"{detail.status}: {detail.title}")
    console.print(f"type {detail.type}; countries {' '.join(detail.countries) or '-'}; "
                  f"languages {' '.join(detail.languages) or '-'}; restricted {detail.restricted}")
    for m in detail.members:
        console.print(f"  {m.role}: {m.display_name} ({m.username})")
    for e in entries:
        text = e.note.body if e.note else " ".join(f"{k}={v}" for k, v in e.payload.items() if k != "ref")
        console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor} {e.type} {text}", highlight=False)


@app.command("update")
@handle_errors
def update(
    ref: str,
    status: str | None = typer.Option(None, help="Move to this status"),
    reason: str = typer.Option("", help="Why (needed to cancel)"),
    title: str | None = None, summary: str | None = None,
    harm_level: int | None = typer.Option(None, "--harm"), reach: int | None = None,
    velocity: int | None = None,
    vulnerable: bool | None = typer.Option(None, "--vulnerable/--no-vulnerable"),
    regulatory: int | None = None, as_user: str | None = AsOption,
) -> None:
    """Change fields, severity inputs or status."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        inc = service.get(s, actor, ref)
        sev = _severity(harm_level, reach, velocity, vulnerable, regulatory, inc.severity_inputs)
        inc = service.update(s, actor, ref, IncidentUpdate(title=title, summary=summary, severity=sev))
        if status:
            inc = service.change_status(s, actor, ref,
                                        StatusChange.model_validate({"status": status, "reason": reason}))
        console.print(f"{inc.ref} SEV{inc.severity} {inc.status}: {inc.title}")


@app.command("note")
@handle_errors
def note(ref: str, body: str, pin: bool = typer.Option(False, "--pin"), as_user: str | None = AsOption) -> None:
    """Add a markdown note to the timeline."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        n = work.add_note(s, actor, ref, NoteCreate(body=body, pinned=pin))
    console.print(f"note {n.id} added to {ref.upper()}")
