"""Engine, session and column types shared by every domain.

One unit of work per request, command or job: interfaces open it with :func:`unit_of_work`, which
commits on success and rolls back on error. Services only flush.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, DateTime, Engine, MetaData, Select, create_engine, event, type_coerce
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import NullType, TypeDecorator

from .config import get_settings
from .errors import NotFound, ValidationFailed

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


M = TypeVar("M", bound=Base)
S = TypeVar("S", bound=Select[Any])
MAX_ID = 2**31 - 1  # ids are 32-bit integers: a larger one names nothing (and PostgreSQL would refuse it)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which has no time zones) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONType(TypeDecorator[Any]):
    """JSON, stored as ``jsonb`` on PostgreSQL (whose dialect is imported only there: a command on
    SQLite does not pay for it)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None
_read_factory: sessionmaker[Session] | None = None
_statement_engine: Engine | None = None
_sqlite_writers = threading.RLock()


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Transactions are begun by SQLAlchemy's "begin" event below, not by pysqlite.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # A writing transaction takes the write lock at BEGIN, so concurrent writers queue on
    # busy_timeout instead of failing when a read lock cannot be upgraded; readers stay deferred.
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":  # each statement its own transaction
        return
    conn.exec_driver_sql("BEGIN" if options.get("read_only", False) else "BEGIN IMMEDIATE")


POOL_SPARE = 8  # connections beyond the request threads: the embedded worker, health checks


def make_engine(url: str) -> Engine:
    """An engine whose pool keeps a connection for every request thread (``threads``): a request never
    waits for a connection, and none is opened and closed again under load (as overflow connections are)."""
    size = get_settings().threads + POOL_SPARE
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=size, max_overflow=POOL_SPARE)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=size, max_overflow=POOL_SPARE)


def configure(url: str | None = None) -> Engine:
    """(Re)bind the process-wide engine; tests call it with their own database."""
    global _engine, _factory, _read_factory, _statement_engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url or get_settings().effective_database_url)
    _statement_engine = _engine.execution_options(read_only=True, isolation_level="AUTOCOMMIT")
    _factory = sessionmaker(_engine, expire_on_commit=False)
    _read_factory = sessionmaker(_engine.execution_options(read_only=True), expire_on_commit=False)
    return _engine


def get_engine() -> Engine:
    if _engine is None:
        configure()
    assert _engine is not None
    return _engine


def statement_engine() -> Engine:
    """The engine for reads of one statement each, outside any transaction (autocommit: no ``BEGIN`` and
    ``COMMIT`` around them): each statement sees what was committed when it started, and two of them may
    see different commits. Built once: an ``execution_options`` copy per call costs more than the one-row
    read a request makes with it."""
    if _statement_engine is None:
        configure()
    assert _statement_engine is not None
    return _statement_engine


def session_factory(read_only: bool = False) -> sessionmaker[Session]:
    if _factory is None:
        configure()
    assert _factory is not None and _read_factory is not None
    return _read_factory if read_only else _factory


@contextmanager
def unit_of_work(read_only: bool = False) -> Iterator[Session]:
    """A transaction: commit on success, roll back on any error.

    ``read_only`` lets SQLite readers run beside a writer; anything they flush is still committed,
    so it is a hint for locking, not a guard.
    """
    session = session_factory(read_only)()
    # SQLite has one writer at a time and its busy handler sleeps and retries, which starves some
    # writers for seconds under load; queue this process's writers on a lock instead.
    writer = not read_only and session.get_bind().dialect.name == "sqlite"
    if writer:
        _sqlite_writers.acquire()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if writer:
            _sqlite_writers.release()


def plain(column: Any) -> Any:
    """``column`` as the driver returns it, without its type's conversion in Python (see :func:`read_rows`)."""
    return type_coerce(column, NullType()).label(column.key)


def read_rows(session: Session, query: Select[Any], params: dict[str, Any] | None = None, *,
              json: Sequence[str] = (), times: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The rows of ``query`` as dicts, fast: for lists read on every request.

    The columns named in ``json`` (``JSONType``) and ``times`` (``UTCDateTime``) should be selected
    :func:`plain`: SQLAlchemy converts each value of such a column through several Python calls (a
    page of 50 incidents spent most of its time there); here a JSON text is parsed by orjson and a
    time by ``datetime.fromisoformat``, to the same values. PostgreSQL's driver parses both itself.
    """
    result = session.execute(query, params)
    keys = tuple(result.keys())
    rows = [dict(zip(keys, r, strict=True)) for r in result]
    if session.get_bind().dialect.name != "sqlite":
        for row in rows:
            for key in times:
                if row[key] is not None:
                    row[key] = row[key].astimezone(UTC)
        return rows
    for row in rows:
        for key in json:
            if row[key] is not None:
                row[key] = orjson.loads(row[key])
        for key in times:
            if row[key] is not None:
                at = datetime.fromisoformat(row[key])
                row[key] = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return rows


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], key: str) -> None:
    """INSERT … ON CONFLICT (key) DO NOTHING, on SQLite and PostgreSQL alike."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]))


def get_or_404(session: Session, model: type[M], ident: Any, what: str, *, lock: bool = False) -> M:
    """The row of ``model`` with primary key ``ident``, or NotFound ("no <what> <ident>").

    A malformed id (not a number, out of the column's range) is NotFound too, never a server error.
    ``lock`` reads it ``FOR UPDATE`` (PostgreSQL; SQLite has one writer anyway).
    """
    if isinstance(ident, int) and not 0 < ident <= MAX_ID:
        raise NotFound(f"no {what} {ident}")
    row = session.get(model, ident, with_for_update=lock or None)
    if row is None:
        raise NotFound(f"no {what} {ident}")
    return row


def paged(query: S, limit: int, offset: int = 0, *, most: int | None = None) -> S:
    """``query`` cut to one page of at most ``limit`` rows (and ``most``) from ``offset``. A limit under 1 or a
    negative offset is refused (422) rather than sent on: SQLite reads ``LIMIT -1`` as no limit at all,
    PostgreSQL refuses it with a server error."""
    if limit < 1:
        raise ValidationFailed(f"limit: must be at least 1, not {limit}", field="limit")
    if offset < 0:
        raise ValidationFailed(f"offset: must be 0 or more, not {offset}", field="offset")
    return query.limit(min(limit, most) if most else limit).offset(offset)
