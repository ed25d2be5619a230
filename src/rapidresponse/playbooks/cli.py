"""`rapidresponse playbooks …` and `rapidresponse updates …`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import files, service, updates
from .spec import format_duration

app = typer.Typer(help="The playbook library and the playbooks incidents run.", no_args_is_help=True)
updates_app = typer.Typer(help="Stakeholder updates composed from playbook templates.", no_args_is_help=True)


@app.command("validate")
@handle_errors
def validate(paths: list[Path] = typer.Argument(..., help="Playbook YAML files")) -> None:
    """Check playbook files; a broken one is reported as file:line: where: what is wrong (exit 2)."""
    broken = 0
    for path in paths:
        try:
            pb, _ = files.read(path)
        except files.PlaybookInvalid as exc:
            console.print(f"[red]✗[/red] {exc.detail}", highlight=False)
            broken += 1
            continue
        console.print(f"[green]✓[/green] {path}: {pb.id} {pb.version} — {len(pb.tasks)} tasks, "
                      f"{len(pb.escalations)} escalations, {len(pb.templates)} templates", highlight=False)
    if broken:
        raise fail(f"{broken} of {len(paths)} playbook file(s) are invalid")


@app.command("list")
@handle_errors
def list_playbooks(as_user: str | None = AsOption) -> None:
    """The library: built-in, the team directory's ($RAPIDRESPONSE_PLAYBOOK_DIR) and saved ones."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        found, broken = service.list_playbooks(s, actor)
    table = Table("id", "version", "title", "incident types", "source")
    for e in found:
        table.add_row(e.playbook.id, e.playbook.version, e.playbook.title.get(actor.locale),
                      ", ".join(t.value for t in e.playbook.incident_types), e.source)
    console.print(table)
    for b in broken:
        console.print(f"[yellow]skipped[/yellow] {b.error}", highlight=False)


@app.command("show")
@handle_errors
def show(playbook_id: str, as_user: str | None = AsOption, json_out: bool = typer.Option(False, "--json")) -> None:
    """One playbook: roles, tasks with deadlines, cadence, escalations."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        e = service.get_playbook(s, actor, playbook_id)
    if json_out:
        print_json(files.as_dict(e.playbook))
        return
    pb, lang = e.playbook, actor.locale
    console.print(f"[bold]{pb.title.get(lang)}[/bold] ({pb.id} {pb.version}, {e.source})\n{pb.when_to_use.get(lang)}")
    table = Table("task", "owner", "due", "done when")
    for t in pb.tasks:
        due = f"{format_duration(t.due.within)} after {t.due.after}" if t.due else "—"
        table.add_row(t.title.get(lang), t.owner_role.value, due, t.done_when.get(lang))
    console.print(table)
    console.print("cadence: " + ", ".join(f"SEV{k} {format_duration(v) if v else '—'}"
                                          for k, v in sorted(pb.update_cadence.items())))


@app.command("save")
@handle_errors
def save(path: Path, as_user: str | None = AsOption) -> None:
    """Save a team's playbook (a new id, or a new version of one) into the library."""
    actor = actor_for(as_user)
    _, text = files.read(path)
    with unit_of_work() as s:
        row = service.save(s, actor, text)
        console.print(f"saved {row.playbook_id} {row.version} (version #{row.id})")


@app.command("apply")
@handle_errors
def apply(ref: str, playbook: str | None = typer.Option(None, help="Playbook id (default: the type's)"),
          as_user: str | None = AsOption) -> None:
    """Apply a playbook to an incident (replacing the one it runs)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        run = service.apply(s, actor, ref, playbook)
        console.print(f"{ref.upper()} now runs {service.run_playbook(s, run).id} "
                      f"({len(service.run_steps(s, run))} tasks)")


@app.command("checklist")
@handle_errors
def checklist(ref: str, as_user: str | None = AsOption) -> None:
    """The incident's running playbook: each step, its owner, due time and state."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        c = service.checklist(s, actor, ref)
        if c is None:
            raise fail(f"{ref} runs no playbook")
        table = Table("", "step", "owner", "due (UTC)", "status")
        for st in c.steps:
            mark = "✓" if st.task and st.task.status == "done" else ("!" if st.overdue else "·")
            due = st.task.due_at.strftime("%d.%m %H:%M") if st.task and st.task.due_at else (
                f"after {st.waiting_for}" if st.waiting_for else "—")
            table.add_row(mark, st.spec.title.get(actor.locale) if st.spec else st.step,
                          (st.task.owner if st.task else None) or f"({st.owner_role})", due,
                          st.task.status if st.task else "—")
        console.print(f"[bold]{c.playbook.title.get(actor.locale)}[/bold] {c.playbook.version}: "
                      f"{c.done}/{len(c.steps)} done; conditions: {', '.join(c.conditions) or 'none'}")
        console.print(table)


@app.command("conditions")
@handle_errors
def conditions(ref: str, condition: list[str] = typer.Argument(None, help="Conditions that hold now (none: clear)"),
               as_user: str | None = AsOption) -> None:
    """Set the conditions that hold (minors_involved, regulator_involved, imminent_threat_to_life…)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        run = service.set_conditions(s, actor, ref, list(condition or []))
        console.print(f"conditions: {', '.join(run.conditions) or 'none'}; escalations fired: "
                      f"{', '.join(run.fired) or 'none'}")


@updates_app.command("preview")
@handle_errors
def preview(ref: str, template: str, language: str = typer.Option("en", help="en, ru, kk or uk"),
            as_user: str | None = AsOption) -> None:
    """Render a template of the running playbook with the incident's live facts."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        p = updates.preview(s, actor, ref, template_id=template, language=language)
    console.print(f"[bold]{p.subject}[/bold]\n\n{p.body}", highlight=False)
    if p.gate:
        console.print(f"\n[yellow]needs approval by {p.required_role} ({p.gate})[/yellow]")


@updates_app.command("list")
@handle_errors
def list_updates(ref: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = updates.list_updates(s, actor, ref)
    table = Table("id", "audience", "lang", "subject", "status", "sent")
    for u in rows:
        table.add_row(str(u.id), u.audience, u.language, u.subject, u.status,
                      u.sent_at.strftime("%d.%m %H:%M") if u.sent_at else "—")
    console.print(table)


@updates_app.command("compose")
@handle_errors
def compose(ref: str, template: str, language: str = typer.Option("en"),
            audience: str | None = typer.Option(None, help="Default: the template's"),
            as_user: str | None = AsOption) -> None:
    """Draft an update from a template (then `updates send`, or `updates request-approval` first)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        p = updates.preview(s, actor, ref, template_id=template, language=language)
        upd = updates.create(s, actor, ref, audience=audience or p.audience, language=language,
                             subject=p.subject, body=p.body, template_id=template)
        console.print(f"draft update {upd.id} for {upd.audience}: {upd.subject}", highlight=False)


@updates_app.command("request-approval")
@handle_errors
def request_approval(ref: str, update_id: int, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        upd = updates.request_approval(s, actor, ref, update_id)
        console.print(f"update {upd.id} waits for approval #{upd.approval_id}")


@updates_app.command("send")
@handle_errors
def send(ref: str, update_id: int, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        upd = updates.send(s, actor, ref, update_id)
        console.print(f"update {upd.id} queued to {upd.recipients} recipient(s) of {upd.audience}")
