"""`rapidresponse notify …`: the outbox, retries, test messages, webhook endpoints."""

from __future__ import annotations

import typer
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from . import delivery, endpoints, service

app = typer.Typer(help="Notifications: the outbox, retries, test messages, webhook endpoints.", no_args_is_help=True)
STATUS_STYLE = {"delivered": "green", "dead": "bold red", "failed": "yellow", "sending": "cyan", "pending": ""}


@app.command("outbox")
@handle_errors
def outbox(status: list[str] = typer.Option([], help="pending, sending, delivered, failed or dead; repeat"),
           kind: str | None = None, limit: int = typer.Option(50, min=1, max=500), offset: int = typer.Option(0, min=0),
           as_json: bool = typer.Option(False, "--json"), as_user: str | None = AsOption) -> None:
    """List outbox messages, newest first."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        items, total = service.list_outbox(s, actor, status=status, kind=kind, limit=limit, offset=offset)
        counts = service.counts(s, actor)
    if as_json:
        print_json({"items": [m.model_dump() for m in items], "total": total, "counts": counts})
        return
    table = Table("id", "status", "channel", "to", "kind", "subject", "attempts", "last error")
    for m in items:
        style = STATUS_STYLE.get(m.status, "")
        table.add_row(str(m.id), f"[{style}]{m.status}[/]" if style else m.status, m.channel,
                      m.recipient or f"webhook {m.endpoint_id}", m.kind, m.subject[:60],
                      f"{m.attempts}/{m.max_attempts}", (m.last_error or "")[:60])
    console.print(table)
    console.print(f"{total} shown of filter; " + ", ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)


@app.command("show")
@handle_errors
def show(message_id: int, as_user: str | None = AsOption) -> None:
    """One message with its body, payload and last error."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        print_json(service.get(s, actor, message_id).model_dump())


@app.command("retry")
@handle_errors
def retry(message_id: int, as_user: str | None = AsOption) -> None:
    """Give a dead message a fresh set of attempts."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        msg = service.retry(s, actor, message_id)
    console.print(f"notification {msg.id} queued again")


@app.command("send-test")
@handle_errors
def send_test(email: str | None = typer.Option(None, help="Send a test email to this address"),
              webhook: int | None = typer.Option(None, help="Send a test to this webhook endpoint id"),
              now: bool = typer.Option(False, "--now", help="Deliver here and now instead of leaving it to the worker"),
              as_user: str | None = AsOption) -> None:
    """Queue a bilingual (ru/kk/en) test message."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        msg = service.send_test(s, actor, email=email, endpoint_id=webhook)
    console.print(f"test notification {msg.id} queued")
    if now:
        delivery.drain()
        with unit_of_work(read_only=True) as s:
            final = service.get(s, actor, msg.id)
        console.print(f"notification {final.id}: {final.status}" +
                      (f" ({final.last_error})" if final.last_error else ""), highlight=False)
        if final.status != "delivered":
            raise typer.Exit(1)


@app.command("deliver")
@handle_errors
def deliver() -> None:
    """Deliver every due message now (what the worker does), and print the counts."""
    r = delivery.drain()
    console.print(f"claimed {r.claimed}, delivered {r.delivered}, failed {r.failed}, dead {r.dead}")


webhooks_app = typer.Typer(help="Webhook endpoints.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("add")
@handle_errors
def add_webhook(name: str = typer.Option(...), url: str = typer.Option(...),
                format: str = typer.Option("json", help="json (signed) or chat (Slack/Mattermost)"),
                kind: list[str] = typer.Option([], help="Broadcast this kind of message here; repeat"),
                as_user: str | None = AsOption) -> None:
    """Add an endpoint and print its signing secret (shown once)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        out = endpoints.create_endpoint(s, actor, name=name, url=url, format=format, kinds=kind)
    print_json(out.model_dump())


@webhooks_app.command("list")
@handle_errors
def list_webhooks(as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        print_json([ep.model_dump() for ep in endpoints.list_endpoints(s, actor)])


@webhooks_app.command("remove")
@handle_errors
def remove_webhook(endpoint_id: int, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        endpoints.delete_endpoint(s, actor, endpoint_id)
    console.print(f"webhook endpoint {endpoint_id} removed")
