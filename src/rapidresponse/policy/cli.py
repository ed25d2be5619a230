"""`rapidresponse policy …`: taxonomy, country profiles, deadline clocks, the applicable rules.

(The statement-of-reasons file commands of the same group, ``validate-sor`` and ``export-sor``,
belong to the decisions domain; the command line puts them in this group.)"""

from __future__ import annotations

from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from ..console import console, err_console, fail, handle_errors, print_json
from .deadlines import start_clock
from .helplines import helplines_for
from .overview import summary
from .profiles import get_country, load_countries
from .rules import checklist
from .taxonomy import load_taxonomy

app = typer.Typer(help="Harm taxonomy, country profiles, legal clocks and DSA statements of reasons.",
                  no_args_is_help=True)


def _hours(h: float) -> str:
    return f"{h:g} h"


@app.command("countries")
@handle_errors
def countries(as_json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every country profile at a glance."""
    rows = [summary(p) for p in load_countries().values()]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Country profiles")
    for col in ("Country", "Languages", "Zone", "Regulator", "Shortest deadline", "EU"):
        table.add_column(col)
    for r in rows:
        d = r["shortest_deadline"]
        mark = "*" if d["defaulted"] else ("?" if d["confidence"] == "uncertain" else "")
        table.add_row(f"{r['code']} {r['name']}", ", ".join(r["languages"]), r["zone"], r["regulator"] or "—",
                      f"{_hours(d['hours'])}{' business' if d['time'] == 'business' else ''}{mark} {d['name']}",
                      "yes" if r["eu_member"] else "")
    console.print(table)
    console.print("* no hour count in the law: the 24 h default applies   ? uncertain", style="dim")


@app.command("country")
@handle_errors
def country(code: str = typer.Argument(..., help="ISO 3166 code, e.g. KZ"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """One country profile: languages, zones, regulators, laws and deadlines."""
    p = get_country(code)
    if as_json:
        print_json(p.model_dump(mode="json"))
        return
    console.print(f"[bold]{p.code} {p.name.en}[/bold] ({p.name.native}) — version {p.version}, reviewed "
                  f"{p.reviewed}{', EU member' if p.eu_member else ''}")
    console.print(f"languages: {', '.join(p.languages.official)} (official); {', '.join(p.languages.all)} (review)")
    console.print(f"time zones: {', '.join(p.time_zones)}; holidays: {p.holidays}; business hours "
                  f"{p.business_hours.start:%H:%M}-{p.business_hours.end:%H:%M} {'/'.join(p.business_hours.days)}")
    for r in p.regulators:
        flag = " [uncertain]" if r.confidence == "uncertain" else ""
        console.print(f"regulator [bold]{r.short_name('en') or r.id}[/bold]: {r.name.en} / {r.name.native}{flag}",
                      highlight=False)
    table = Table(title="Deadlines")
    for col in ("Name", "Instrument", "Trigger", "Clock", "Confidence", "Source"):
        table.add_column(col, overflow="fold")
    for d in p.deadlines:
        clock = "24 h (default)" if d.defaulted else f"{_hours(d.clock_hours)} {d.time.value}"
        table.add_row(d.name, d.instrument.en, d.trigger.value, clock, d.confidence.value, str(d.source_url))
    console.print(table)
    for w in p.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False)


@app.command("helplines")
@handle_errors
def helplines(country: str | None = typer.Option(None, "--country", help="ISO code, e.g. KZ; all when omitted"),
              as_json: bool = typer.Option(False, "--json")) -> None:
    """The helpline registry: crisis, child and suicide-prevention lines, with source and last check."""
    codes = [get_country(country).code] if country else None
    lines = helplines_for(codes)
    if as_json:
        print_json([{**h.model_dump(mode="json"), "stale": h.stale()} for h in lines])
        return
    table = Table(title="Helplines")
    for col in ("Country", "Kind", "Number", "Name", "Source", "Checked"):
        table.add_column(col, overflow="fold")
    for h in lines:
        checked = f"{h.last_checked} STALE" if h.stale() else str(h.last_checked)
        table.add_row(h.country, h.kind.value, h.number, h.name.en, h.source, checked)
    console.print(table)
    stale = [h.id for h in lines if h.stale()]
    if stale:
        err_console.print(f"[yellow]warning:[/yellow] not checked for six months: {', '.join(stale)}", highlight=False)
    if not lines:
        err_console.print("no helpline is registered for this country; add one only once it is confirmed")


@app.command("taxonomy")
@handle_errors
def taxonomy(as_json: bool = typer.Option(False, "--json")) -> None:
    """The harm taxonomy with DSA categories, weights, teams and exposure."""
    t = load_taxonomy()
    if as_json:
        print_json({"version": t.version, "reviewed": t.reviewed.isoformat(),
                    "nodes": [n.model_dump(mode="json") for n in t.harms()]})
        return
    tree = Tree(f"[bold]Harm taxonomy[/bold] {t.version} (reviewed {t.reviewed})")
    for area in t.areas:
        branch = tree.add(f"[bold]{area.slug}[/bold] {area.name.en} / {area.name.ru} — sev {area.severity}, "
                          f"{area.team}, exposure {area.exposure.value}, {area.dsa.category.value}")
        for h in t.children(area.slug):
            kws = ", ".join(h.dsa.keywords) or "—"
            branch.add(f"{h.slug}: {h.name.en} / {h.name.ru} — sev {h.severity}, exposure {h.exposure.value}, {kws}")
    console.print(tree)


@app.command("deadline")
@handle_errors
def deadline(code: str = typer.Argument(..., help="ISO 3166 code"),
             received: str = typer.Option(..., help="When the request arrived, ISO 8601 with offset"),
             name: str | None = typer.Option(None, "--deadline", help="Deadline name (default: the shortest)"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """When a request received at a moment is due, in local time and UTC."""
    try:
        when = datetime.fromisoformat(received)
    except ValueError:
        raise fail(f"--received: {received!r} is not an ISO 8601 time (e.g. 2026-11-27T18:30:00+05:00)") from None
    p = get_country(code)
    clock = start_clock(when, p, p.deadline(name))
    d = clock.deadline
    if as_json:
        print_json({"country": p.code, "deadline": d.name, "instrument": d.instrument.en, "hours": d.clock_hours,
                    "time": d.time.value, "received": clock.received.isoformat(),
                    "due_local": clock.due_local.isoformat(), "due_utc": clock.due.isoformat(),
                    "zone": p.time_zones[0], "confidence": d.confidence.value, "warnings": clock.warnings})
        return
    console.print(f"{p.code} {d.name} ({d.instrument.en}): {_hours(d.clock_hours)} {d.time.value}, "
                  f"{d.confidence.value}", highlight=False)
    console.print(f"received  {clock.received.astimezone(p.zone):%a %Y-%m-%d %H:%M %Z} ({p.time_zones[0]})")
    console.print(f"due       [bold]{clock.due_local:%a %Y-%m-%d %H:%M %Z}[/bold] ({p.time_zones[0]})")
    console.print(f"due (UTC) [bold]{clock.due:%a %Y-%m-%d %H:%M} UTC[/bold]")
    for w in clock.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False)


@app.command("rules")
@handle_errors
def rules(country: list[str] = typer.Option(..., "--country", help="ISO code; repeat"),
          harm: list[str] = typer.Option([], "--harm", help="Taxonomy slug; repeat"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """The applicable-rules checklist for an incident's countries and harms."""
    items = checklist(country, harm)
    if as_json:
        print_json([o.as_dict() for o in items])
        return
    table = Table(title="Applicable rules")
    for col in ("Countries", "Obligation", "Instrument", "Clock", "Confidence"):
        table.add_column(col)
    for o in items:
        table.add_row(", ".join(o.countries), o.title, o.instrument, o.clock, o.confidence.value)
    console.print(table)
