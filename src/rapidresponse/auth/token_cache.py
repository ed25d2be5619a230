"""API tokens resolved from process memory, and revocation still immediate in every process.

Every API request resolves its bearer token. A process keeps what it resolved (the token's hash →
the actor and the token's expiry) and trusts an entry only while the database's *auth version*, a
counter in the one-row ``auth_version`` table, is still the one the entry was resolved under. The
counter is bumped in the same transaction as every change that could make a cached answer wrong —
a token revoked, removed, or its expiry, scopes or owner changed; a user deactivated, removed, or
their role, name, language or time zone changed — by hooks on every session (:func:`_flushing`,
:func:`_bulk_statement`), so no code path, in any domain, can forget it. A request then reads one
row by its primary key instead of the token and its user; a revocation committed by any process
is seen by the next request of every process.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from ..clock import now
from ..db import get_engine, statement_engine
from .models import ApiToken, AuthVersion, User
from .permissions import Actor

MAX_ENTRIES = 10_000  # tokens kept per process; past it the cache starts over
# The columns of a user or token whose change must reach every process at once.
WATCHED: dict[type, tuple[str, ...]] = {
    User: ("role", "is_active", "username", "locale", "timezone", "display_name"),
    ApiToken: ("revoked_at", "expires_at", "scopes", "user_id", "token_hash"),
}
WATCHED_TABLES = frozenset({"users", "api_tokens"})
_VERSION = select(AuthVersion.version).where(AuthVersion.id == 1)


@dataclass(frozen=True)
class _Entry:
    version: int
    actor: Actor
    expires_at: datetime | None


_entries: dict[str, _Entry] = {}
_lock = threading.Lock()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def resolve(secret: str, lookup: Any) -> Actor:
    """The actor behind ``secret``: from memory when the auth version has not moved since it was
    looked up, else by ``lookup(connection, digest)`` (which returns the actor and the token's expiry,
    or raises); refusals are never kept."""
    key = digest(secret)
    # Statement by statement (no transaction around them): the version is read first, so what is looked
    # up after it is at least as new as the version it is kept under.
    with statement_engine().connect() as conn:
        version = conn.execute(_VERSION).scalar()
        entry = _entries.get(key)
        if entry is not None and entry.version == version and not _expired(entry.expires_at):
            return entry.actor
        actor, expires_at = lookup(conn, key)
    if version is None:  # the row is gone (a database emptied by hand): nothing kept is to be trusted
        forget()
        with get_engine().begin() as conn:
            bump(conn)
    else:
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = _Entry(version, actor, expires_at)
    return actor


def _expired(expires_at: datetime | None) -> bool:
    return expires_at is not None and expires_at <= now()


def forget() -> None:
    """Drop every entry (the next request of each token looks it up again)."""
    with _lock:
        _entries.clear()


def bump(conn: Connection) -> None:
    """Move the auth version on (in ``conn``'s transaction): every process's entries are stale."""
    table = AuthVersion.__table__
    assert isinstance(table, Table)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table).values(id=1, version=1)
    conn.execute(statement.on_conflict_do_update(index_elements=["id"],
                                                 set_={"version": table.c.version + 1}))


def _changes_auth(session: Session) -> bool:
    if any(isinstance(obj, (User, ApiToken)) for obj in session.deleted):
        return True
    for obj in session.dirty:
        fields = WATCHED.get(type(obj))
        if fields:
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in fields):
                return True
    return False


@event.listens_for(Session, "before_flush")
def _flushing(session: Session, _context: Any, _instances: Any) -> None:
    if _changes_auth(session):
        bump(session.connection())


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> None:
    """An ``UPDATE`` or ``DELETE`` statement on users or tokens (not through objects) bumps it too."""
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            bump(state.session.connection())
