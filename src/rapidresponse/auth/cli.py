"""`rapidresponse users …`"""

from __future__ import annotations

import typer
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors
from ..db import unit_of_work
from . import service
from .permissions import ROLES

app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)


@app.command("create")
@handle_errors
def create(username: str, role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}"),
           name: str = typer.Option("", help="Display name"), email: str | None = None,
           locale: str = "en", timezone: str = "UTC", as_user: str | None = AsOption) -> None:
    """Create a user and print a one-time password."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        user, password = service.create_user(s, actor, username=username, role=role, display_name=name,
                                             email=email, locale=locale, timezone=timezone)
    console.print(f"created [bold]{user.username}[/bold] ({role}); one-time password: {password}")


@app.command("list")
@handle_errors
def list_users(as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        users = service.list_users(s, actor)
    table = Table("username", "name", "role", "locale", "time zone", "active")
    for u in users:
        table.add_row(u.username, u.display_name, u.role, u.locale, u.timezone, "yes" if u.is_active else "no")
    console.print(table)


@app.command("set-email")
@handle_errors
def set_email(username: str, email: str = typer.Argument(..., help="The address; '' removes it"),
              as_user: str | None = AsOption) -> None:
    """Set (or remove) the address a user receives notifications and digests at."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.update_user(s, actor, username, email=email)
    console.print(f"{username}: email {'set' if email else 'removed'}", highlight=False)


@app.command("set-role")
@handle_errors
def set_role(username: str, role: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.update_user(s, actor, username, role=role)
    console.print(f"{username} is now {role}")


@app.command("deactivate")
@handle_errors
def deactivate(username: str, as_user: str | None = AsOption) -> None:
    """Deactivate a user: their web sessions end and their API tokens are revoked at once."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.update_user(s, actor, username, is_active=False)
    console.print(f"{username} is deactivated; their sessions ended and their tokens are revoked", highlight=False)


@app.command("activate")
@handle_errors
def activate(username: str, as_user: str | None = AsOption) -> None:
    """Let a deactivated user log in again (their old tokens stay revoked)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.update_user(s, actor, username, is_active=True)
    console.print(f"{username} is active", highlight=False)


@app.command("reset-password")
@handle_errors
def reset_password(username: str, as_user: str | None = AsOption) -> None:
    """Give a user a new one-time password (they must change it at login)."""
    actor = actor_for(as_user)
    password = service.generate_password()
    with unit_of_work() as s:
        service.set_password(s, actor, username, password)
    console.print(f"one-time password for {username}: {password}")


@app.command("token")
@handle_errors
def token(username: str, name: str = typer.Option("cli", help="What the token is for"),
          scope: list[str] = typer.Option(None, help="Permission to grant; repeat. All of the role's by default"),
          days: int = typer.Option(90, help="Lifetime in days")) -> None:
    """Create an API token for USERNAME and print it (once)."""
    actor = actor_for(username)
    with unit_of_work() as s:
        _, secret = service.create_token(s, actor, name=name, scopes=scope or None, days=days)
    console.print(secret)


@app.command("reset-2fa")
@handle_errors
def reset_two_factor(username: str, as_user: str | None = AsOption) -> None:
    """Remove a user's second factor (a lost phone) and end their sessions; they log in with the password
    alone and can set it up again."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        had = service.reset_two_factor(s, actor, username)
    console.print(f"second factor of {username} removed" if had else f"{username} had no second factor")
