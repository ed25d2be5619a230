"""The command line's shared pieces: the console, acting as a user, clear one-line errors with exit code 2."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from . import auth
from .auth import Actor
from .config import get_settings
from .db import unit_of_work
from .errors import DomainError

# No emoji codes: a position such as `lexicon.csv:100:` must print as written, not as an emoji.
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)
P = ParamSpec("P")
R = TypeVar("R")

AsOption = typer.Option(None, "--as", help="Act as this user (default: $RAPIDRESPONSE_CLI_USER or admin)")


def actor_for(username: str | None) -> Actor:
    name = username or get_settings().cli_user
    with unit_of_work(read_only=True) as s:
        return auth.to_actor(auth.find_person(s, name))


def fail(message: str) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}", markup=True, highlight=False)
    return typer.Exit(2)


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn domain and validation errors into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            raise fail(exc.detail) from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise fail(f"{where}: {first['msg']}" if where else first["msg"]) from None
        except (OperationalError, ProgrammingError) as exc:
            message = _database_problem(exc)
            if message is None:
                raise
            raise fail(message) from None

    return wrapper


def _database_problem(exc: DBAPIError) -> str | None:
    """One line for a database that is missing its tables or cannot be reached; None for a bug."""
    first = (str(exc.orig) if exc.orig is not None else str(exc)).strip().splitlines()[0]
    missing = "no such table" in first or getattr(exc.orig, "sqlstate", None) == "42P01" \
        or getattr(exc.orig, "pgcode", None) == "42P01"
    if missing:
        return f"the database has no such table ({first}): run `rapidresponse db upgrade` first"
    if isinstance(exc, OperationalError):
        return f"database unavailable: {first}"
    return None


def print_json(data: Any) -> None:
    def default(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else str(value)

    console.print_json(json.dumps(data, ensure_ascii=False, default=default))
