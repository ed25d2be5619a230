"""`rapidresponse approvals …`: the inbox, one approval's exact text, and the decision."""

from __future__ import annotations

import typer
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors
from ..db import unit_of_work
from . import service

app = typer.Typer(help="Approve or reject texts that wait for your role.", no_args_is_help=True)


@app.command("inbox")
@handle_errors
def inbox(status: str = typer.Option("pending", help="pending, decided or mine"),
          as_user: str | None = AsOption) -> None:
    """What waits for your approval."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = service.inbox(s, actor, status=status)
    table = Table("id", "kind", "title", "role", "status", "requested (UTC)")
    for a in rows:
        table.add_row(str(a.id), a.kind, a.title, a.required_role, a.status, a.requested_at.strftime("%d.%m %H:%M"))
    console.print(table if rows else "nothing waits for you")


@app.command("show")
@handle_errors
def show_approval(approval_id: int, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        a = service.get(s, actor, approval_id)
    console.print(f"[bold]{a.title}[/bold] ({a.kind}, needs {a.required_role}, {a.status})\n\n{a.text}\n\n"
                  f"sha256 {a.text_sha256}", highlight=False)


@app.command("decide")
@handle_errors
def decide(approval_id: int, decision: str = typer.Argument(..., help="approved or rejected"),
           sha256: str = typer.Option(..., help="SHA-256 of the text you read (from `approvals show`)"),
           comment: str = typer.Option(""), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        a = service.decide(s, actor, approval_id, decision=decision, text_sha256=sha256, comment=comment)
        console.print(f"approval {a.id}: {a.status}")
