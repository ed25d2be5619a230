"""`rapidresponse reviews …` and `rapidresponse actions …`: draft, show, sign off, publish and export
reviews; list and update action items."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from ..i18n import Translate, english
from . import actions, export, service
from .schemas import ActionItemFilter, ActionItemIn, ActionItemUpdate, CriterionIn, MeetingIn, ReviewOut, SignoffIn

app = typer.Typer(help="Post-incident reviews: draft, sign off, publish, export.", no_args_is_help=True)
actions_app = typer.Typer(help="Action items from reviews: list, add, update.", no_args_is_help=True)


def _translator(language: str) -> Translate:
    from ..web.templating import Translator

    return Translator(language)


def _print(r: ReviewOut) -> None:
    f = r.figures
    console.print(f"[bold]{r.incident}[/bold] {escape(r.incident_title)} — review {r.state} ({r.language})",
                  highlight=False)
    for key, label in export.FIGURES:
        console.print(f"  {label}: {export.duration(f.get(key), english)}", highlight=False)
    exposure = f.get("exposure") or {}
    console.print(f"  exposure before mitigation: {exposure.get('signals', 0)} signals "
                  f"({exposure.get('reports', 0)} user reports)", highlight=False)
    table = Table("#", "at (UTC)", "kind", "moment")
    for m in r.moments:
        table.add_row(str(m.id), m.at.strftime("%d.%m %H:%M"), m.kind, escape(m.text))
    console.print(table)
    for c in r.criteria:
        console.print(f"  exit criterion {c.position} [{c.state}]: {escape(c.text_en)}", highlight=False)
    if r.missing:
        console.print("[yellow]to publish:[/yellow] " + "; ".join(r.missing), highlight=False)
    for section, flags in r.blame.items():
        console.print(f"[yellow]reads as blame in {section}:[/yellow] {', '.join(flags)}", highlight=False)


@app.command("list")
@handle_errors
def list_reviews(state: str | None = typer.Option(None, help="draft, in_review, meeting_held or published"),
                 as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows, _total = service.list_reviews(s, actor, state=state, limit=200)
    table = Table("incident", "title", "SEV", "state", "open items", "updated (UTC)")
    for r in rows:
        table.add_row(r.incident, escape(r.incident_title), str(r.severity), r.state, str(r.open_items),
                      r.updated_at.strftime("%d.%m.%Y %H:%M"))
    console.print(table if rows else "no reviews yet: draft one with `rapidresponse reviews draft <ref>`")


@app.command("draft")
@handle_errors
def draft(ref: str, language: str = typer.Option("en", help="en or ru"), as_user: str | None = AsOption) -> None:
    """Draft the incident's review from its timeline and the figures of the response."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = service.draft(s, actor, ref, language=language, _=_translator(language))
    _print(out)


@app.command("show")
@handle_errors
def show(ref: str, as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.get(s, actor, ref)
    if as_json:
        print_json(out.model_dump(mode="json"))
    else:
        _print(out)


@app.command("submit")
@handle_errors
def submit(ref: str, as_user: str | None = AsOption) -> None:
    """Draft → in review."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = service.submit(s, actor, ref)
    console.print(f"{out.incident}: review {out.state}")


@app.command("meeting")
@handle_errors
def meeting(ref: str, attendee: list[str] = typer.Option([], "--attendee", help="Username (repeat)"),
            notes: str = typer.Option(""), held_at: datetime | None = typer.Option(None, help="UTC; default now"),
            as_user: str | None = AsOption) -> None:
    """Record the review meeting."""
    actor = actor_for(as_user)
    when = (held_at.replace(tzinfo=UTC) if held_at and held_at.tzinfo is None else held_at) or datetime.now(UTC)
    with unit_of_work() as s:
        out = service.record_meeting(s, actor, ref, MeetingIn(held_at=when, attendees=attendee, notes=notes))
    console.print(f"{out.incident}: review {out.state}")


@app.command("signoff")
@handle_errors
def signoff(ref: str, role: str = typer.Option("commander", help="commander, policy_lead, legal or regional_lead"),
            comment: str = typer.Option(""), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = service.sign_off(s, actor, ref, SignoffIn.model_validate({"role": role, "comment": comment}))
    console.print(f"{out.incident}: signed off as {role}; still to publish: {'; '.join(out.missing) or 'nothing'}",
                  highlight=False)


@app.command("criterion")
@handle_errors
def criterion(ref: str, position: int, state: str = typer.Argument(..., help="met, waived or open"),
              reason: str = typer.Option("", help="Why it is waived"), as_user: str | None = AsOption) -> None:
    """Mark an exit criterion of the playbook met, or waive it with a reason."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.decide_criterion(s, actor, ref, position, CriterionIn.model_validate({"state": state,
                                                                                      "reason": reason}))
    console.print(f"{ref}: exit criterion {position} {state}")


@app.command("publish")
@handle_errors
def publish(ref: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = service.publish(s, actor, ref)
    console.print(f"{out.incident}: review published")


@app.command("export")
@handle_errors
def export_review(ref: str, fmt: str = typer.Option("md", "--format", help="md or pdf"),
                  language: str | None = typer.Option(None, help="en or ru (default: the review's)"),
                  output: Path | None = typer.Option(None, "-o", help="File to write (default: stdout for md)"),
                  as_user: str | None = AsOption) -> None:
    """Export the review as Markdown or PDF."""
    if fmt not in ("md", "pdf") or (language or "en") not in ("en", "ru"):
        raise fail("--format is md or pdf; --language is en or ru")
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out = service.get(s, actor, ref)
    lang = language or out.language
    if fmt == "pdf":
        if output is None:
            raise fail("a PDF needs -o FILE")
        output.write_bytes(export.pdf(out, lang, _translator(lang)))
        console.print(f"wrote {output}")
        return
    text = export.markdown(out, lang, _translator(lang))
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


@actions_app.command("list")
@handle_errors
def list_items(status: str = typer.Option("unfinished", help="open, in_progress, done, cancelled, any, unfinished"),
               owner: str | None = None, kind: str | None = None, overdue: bool | None = typer.Option(None),
               incident: str | None = None, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    flt = ActionItemFilter.model_validate({"status": status, "owner": owner, "kind": kind, "overdue": overdue,
                                           "incident": incident, "limit": 500})
    with unit_of_work(read_only=True) as s:
        rows, _total = actions.list_items(s, actor, flt)
    table = Table("id", "incident", "title", "kind", "owner", "due (UTC)", "status")
    for i in rows:
        due = i.due_at.strftime("%d.%m.%Y") if i.due_at else "—"
        table.add_row(str(i.id), i.incident, escape(i.title), i.kind, i.owner or "—",
                      f"[red]{due}[/red]" if i.overdue else due, i.status)
    console.print(table if rows else "no action items match")


@actions_app.command("add")
@handle_errors
def add_item(ref: str, title: str, kind: str = typer.Option(..., help="policy, product, detection, playbook, "
                                                                       "lexicon, training, wellness or legal"),
             owner: str | None = None, due: datetime | None = typer.Option(None, help="Due date (UTC)"),
             priority: str = "medium", as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    data = ActionItemIn.model_validate({"title": title, "kind": kind, "owner": owner, "priority": priority,
                                        "due_at": due.replace(tzinfo=UTC) if due and due.tzinfo is None else due})
    with unit_of_work() as s:
        out = actions.add(s, actor, ref, data)
    console.print(f"action item {out.id} added to {out.incident}")


@actions_app.command("update")
@handle_errors
def update_item(item_id: int, status: str | None = None, evidence: str | None = None, owner: str | None = None,
                due: datetime | None = typer.Option(None, help="Due date (UTC)"),
                reason: str | None = None, as_user: str | None = AsOption) -> None:
    """Change an action item (done needs --evidence, cancelled a --reason)."""
    actor = actor_for(as_user)
    fields = {"status": status, "evidence": evidence, "owner": owner, "reason": reason,
              "due_at": due.replace(tzinfo=UTC) if due and due.tzinfo is None else due}
    data = ActionItemUpdate.model_validate({k: v for k, v in fields.items() if v is not None})
    with unit_of_work() as s:
        out = actions.update(s, actor, item_id, data)
    console.print(f"action item {out.id}: {out.status}")
