"""`rapidresponse privacy …`: legal holds, the retention policy and a pass on demand, and a person's
data (find, export as JSON, erase)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import service
from .schemas import HoldIn, ReleaseIn, SubjectIn

app = typer.Typer(help="Data lifecycle: retention, legal holds, a person's data (find, export, erase).",
                  no_args_is_help=True)
KindArg = typer.Argument(..., help="reporter (matched on the signals' reporter metadata) or user (user name or email)")
JsonOption = typer.Option(False, "--json", help="Print JSON")


@app.command("hold")
@handle_errors
def hold(ref: str, reason: str = typer.Option(..., "--reason", help="Why (a litigation, a regulator's order…)"),
         as_user: str | None = AsOption) -> None:
    """Put an incident under legal hold: retention keeps everything linked to it until released."""
    data = HoldIn(reason=reason)
    with unit_of_work() as s:
        out = service.place_hold(s, actor_for(as_user), ref, data)
    console.print(f"{out.incident} is under legal hold", highlight=False)


@app.command("release")
@handle_errors
def release(ref: str, reason: str = "", as_user: str | None = AsOption) -> None:
    """Release an incident's legal hold: retention applies to it again."""
    data = ReleaseIn(reason=reason)
    with unit_of_work() as s:
        out = service.release_hold(s, actor_for(as_user), ref, data)
    console.print(f"{out.incident}: legal hold released", highlight=False)


@app.command("holds")
@handle_errors
def holds(as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """The legal holds in force."""
    with unit_of_work(read_only=True) as s:
        out = service.held_incidents(s, actor_for(as_user))
    if as_json:
        print_json([h.model_dump(mode="json") for h in out])
        return
    if not out:
        console.print("no incident is under legal hold")
        return
    table = Table("incident", "since", "by", "reason")
    for h in out:
        table.add_row(h.incident, h.placed_at.isoformat(timespec="minutes"), escape(h.placed_by), escape(h.reason))
    console.print(table)


@app.command("retention")
@handle_errors
def retention(run: bool = typer.Option(False, "--run", help="Apply it now (the worker does every hour)"),
              as_json: bool = JsonOption, as_user: str | None = AsOption) -> None:
    """The retention policy per data class; with --run, one pass now and what it did."""
    actor = actor_for(as_user)
    if run:
        with unit_of_work() as s:
            report = service.apply_retention(s, actor)
        if as_json:
            print_json(report.model_dump(mode="json"))
            return
        for name, n in report.counts.items():
            console.print(f"{name}: {n}", highlight=False)
        console.print(f"{report.held_incidents} incident(s) under legal hold kept", highlight=False)
        return
    with unit_of_work(read_only=True) as s:
        rules = service.policy(actor)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rules])
        return
    table = Table("data class", "kept (days)", "then", "setting")
    for r in rules:
        table.add_row(r.data_class, str(r.days) if r.days else "until erased", r.action, r.setting)
    console.print(table)


def _subject(kind: str, identifier: str) -> SubjectIn:
    return SubjectIn.model_validate({"kind": kind, "identifier": identifier})


@app.command("find")
@handle_errors
def find(kind: str = KindArg, identifier: str = typer.Argument(...), as_user: str | None = AsOption) -> None:
    """What is held about a reporter or a user, counted by kind."""
    data = _subject(kind, identifier)
    with unit_of_work(read_only=True) as s:
        out = service.subject_data(s, actor_for(as_user), data)
    for name, n in out.counts.items():
        console.print(f"{name}: {n}", highlight=False)


@app.command("export")
@handle_errors
def export(kind: str = KindArg, identifier: str = typer.Argument(...),
           output: Path | None = typer.Option(None, "--output", "-o", help="Write the JSON here (default: stdout)"),
           as_user: str | None = AsOption) -> None:
    """Everything held about a reporter or a user, as JSON; the export is recorded (counts only)."""
    data = _subject(kind, identifier)
    if output is not None and output.exists():
        raise fail(f"{output} exists; choose a new file")
    with unit_of_work() as s:
        out = service.subject_data(s, actor_for(as_user), data, export=True)
    body = out.model_dump(mode="json")
    if output is None:
        print_json(body)
        return
    output.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
    console.print(f"wrote {sum(out.counts.values())} items to {output}", highlight=False)


@app.command("erase")
@handle_errors
def erase(kind: str = KindArg, identifier: str = typer.Argument(...),
          yes: bool = typer.Option(False, "--yes", help="Confirm: this cannot be undone"),
          as_user: str | None = AsOption) -> None:
    """Erase what is held about a reporter or a user on their request (kept where a legal hold needs it)."""
    data = _subject(kind, identifier)
    if not yes:
        raise fail("erasure cannot be undone: add --yes to confirm")
    with unit_of_work() as s:
        out = service.erase_subject(s, actor_for(as_user), data)
    for name, n in out.counts.items():
        console.print(f"{name}: {n}", highlight=False)
    if out.kept_on_hold:
        console.print(f"{out.kept_on_hold} kept under legal hold", highlight=False)
