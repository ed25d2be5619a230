"""`rapidresponse requests …`: register, list and show regulator requests, record outcomes, reply."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..clock import now
from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import outgoing, replies, service
from .schemas import OutcomeIn, RequestCreate, RequestFilter

app = typer.Typer(help="Regulator and law-enforcement requests and their legal clocks.", no_args_is_help=True)
LEVEL_STYLE = {"ok": "green", "50": "yellow", "75": "dark_orange", "90": "red", "breached": "bold red",
               "answered": "dim"}


def _when(value: str, option: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not an ISO 8601 time (e.g. 2026-11-27T18:30:00+05:00)") from None


def _left(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes:02d} min"


@app.command("add")
@handle_errors
def add(
    country: str = typer.Option(..., help="ISO 3166 code of the sender's country, e.g. KZ"),
    regulator: str = typer.Option(..., help="Regulator id in the country profile, e.g. mci"),
    sender: str = typer.Option(..., help="Who sent it (office, person)"),
    legal_basis: str = typer.Option(..., "--legal-basis", help="The law or article invoked"),
    language: str = typer.Option(..., help="Language of the request (BCP 47), e.g. kk"),
    received: str = typer.Option(..., help="When it arrived, ISO 8601 with offset"),
    item: list[str] = typer.Option(..., "--item", help="URL or content id; repeat"),
    reference: str = typer.Option("", help="The sender's outgoing number"),
    summary: str = typer.Option("", help="What is asked, in a line"),
    deadline: str | None = typer.Option(None, help="Deadline name (default: the regulator's shortest)"),
    owner: str | None = typer.Option(None, help="Owner's username (default: you)"),
    incident: str | None = typer.Option(None, help="Incident reference to link"),
    as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption,
) -> None:
    """Register a request; its deadline is computed from the country profile."""
    actor = actor_for(as_user)
    data = RequestCreate(country=country, regulator=regulator, sender=sender, legal_basis=legal_basis,
                         language=language, received_at=_when(received, "--received"), items=item,
                         reference=reference, summary=summary, deadline=deadline, owner=owner, incident=incident)
    with unit_of_work() as s:
        out = service.register(s, actor, data)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(f"registered [bold]{out.ref}[/bold] (id {out.id}) from {escape(out.regulator_name)}: due "
                  f"[bold]{out.clock.due_local:%a %Y-%m-%d %H:%M}[/bold] {out.clock.zone} "
                  f"({out.hours:g} h {out.time}, {out.instrument})", highlight=False)


@app.command("list")
@handle_errors
def list_(status: str | None = typer.Option(None, help="open or answered"),
          country: str | None = None, incident: str | None = None,
          as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """Requests with their running clocks, soonest due first."""
    actor = actor_for(as_user)
    flt = RequestFilter.model_validate({"status": status, "country": country, "incident": incident, "limit": 500})
    with unit_of_work(read_only=True) as s:
        page = service.list_requests(s, actor, flt)
    outs, total = page.items, page.total
    if as_json:
        print_json({"items": [o.model_dump(mode="json") for o in outs], "total": total})
        return
    if not outs:
        console.print("No requests match.")
        return
    table = Table("request", "country", "regulator", "received (UTC)", "due (local)", "used", "left", "status",
                  "incident")
    table.columns[0].no_wrap = True
    for o in outs:
        style = LEVEL_STYLE[o.clock.level]
        table.add_row(o.ref, o.country, o.regulator_name, f"{o.received_at:%Y-%m-%d %H:%M}",
                      f"{o.clock.due_local:%Y-%m-%d %H:%M} {o.clock.zone}",
                      f"[{style}]{o.clock.progress:.0%}[/]", _left(o.clock.remaining_seconds), o.status,
                      o.incident_ref or "")
    console.print(table)


@app.command("letters")
@handle_errors
def letters(year: int | None = typer.Option(None, min=2000, max=2999, help="The register's year (this year)"),
            as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """The outgoing-number register of reply letters: number, date, request, regulator."""
    actor = actor_for(as_user)
    year = year or now().year
    with unit_of_work(read_only=True) as s:
        rows: list[dict[str, str | int]] = [
            {"number": r.number, "issued_at": r.issued_at.isoformat(), "request": r.request_id,
             "country": r.country, "regulator": r.regulator} for r in outgoing.read_register(s, actor, year)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"No outgoing numbers issued in {year}.")
        return
    table = Table("number", "issued (UTC)", "request", "country", "regulator")
    for r in rows:
        table.add_row(str(r["number"]), str(r["issued_at"])[:16].replace("T", " "), str(r["request"]),
                      str(r["country"]), str(r["regulator"]))
    console.print(table)


@app.command("show")
@handle_errors
def show(request_id: str = typer.Argument(..., help="Reference (REQ-2026-0001) or id"),
         as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """One request: its clock, items and outcomes, and the reply."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.get(s, actor, request_id)
    if as_json:
        print_json(out.model_dump(mode="json"))
        return
    console.print(f"[bold]{out.ref}[/bold] {out.country} {escape(out.regulator_name)} — {out.status}",
                  highlight=False)
    console.print(f"from {escape(out.sender)}; basis: {escape(out.legal_basis)}; language {out.language}",
                  highlight=False)
    console.print(f"due {out.clock.due_local:%a %Y-%m-%d %H:%M} {out.clock.zone} ({out.deadline}, "
                  f"{out.hours:g} h {out.time}, {out.confidence}); used {out.clock.progress:.0%}, left "
                  f"{_left(out.clock.remaining_seconds)}", highlight=False)
    for i in out.items:
        console.print(f"  [{i.id}] {escape(i.target)}: {i.outcome or 'pending'} {escape(i.reason)}",
                      highlight=False)
    if out.reply:
        console.print(f"reply ({out.reply.status}):\n{escape(out.reply.body)}", highlight=False)


@app.command("outcome")
@handle_errors
def outcome(request_id: str, item_id: int,
            result: str = typer.Argument(..., metavar="OUTCOME",
                                         help="removed_globally, restricted_in_country or no_action"),
            reason: str = typer.Option("", help="Why (required for no_action)"),
            as_user: str | None = AsOption) -> None:
    """Record the outcome of one item of a request."""
    actor = actor_for(as_user)
    data = OutcomeIn.model_validate({"outcome": result, "reason": reason})
    with unit_of_work() as s:
        out = service.set_outcome(s, actor, request_id, item_id, data)
    item = next(i for i in out.items if i.id == item_id)
    console.print(f"item {item.id} of {out.ref}: {item.outcome}", highlight=False)


@app.command("reply")
@handle_errors
def reply(request_id: str,
          draft: bool = typer.Option(False, "--draft", help="(Re)draft from the templates with the current outcomes"),
          body: Path | None = typer.Option(None, "--body", help="Replace the draft with this UTF-8 text file"),
          submit: bool = typer.Option(False, "--submit", help="Ask legal to approve the draft's exact text"),
          as_user: str | None = AsOption) -> None:
    """Draft, edit and submit the reply letter; print it."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        if draft:
            replies.draft_reply(s, actor, request_id)
        if body is not None:
            try:
                text = body.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise fail(f"--body: cannot read {body} ({exc})") from None
            replies.edit_reply(s, actor, request_id, text)
        if submit:
            replies.submit_reply(s, actor, request_id)
        letter = service.get(s, actor, request_id).reply
        if letter is None:
            raise fail(f"request {request_id} has no reply yet (use --draft)")
        console.print(f"reply to request {request_id} ({letter.status}, approval {letter.approval_id or '-'}):",
                      highlight=False)
        console.print(escape(letter.body), highlight=False)
