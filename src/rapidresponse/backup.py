"""Backup and restore of a whole installation: the database, the analytics warehouse, a manifest.

A backup is a folder:

- ``manifest.json``: the product version, the migration revision, the row count of every table, the
  audit chain's last event and hash, the checksum of every file, and which secrets the copy needs
  (their names and a fingerprint of the secret key, never their values);
- ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup API while the server runs), or
  ``tables/<table>.jsonl.gz`` (PostgreSQL: every table's rows, read through SQLAlchemy in one
  repeatable-read snapshot, so no ``pg_dump`` of the server's exact version is needed);
- ``warehouse.duckdb`` when the analytics warehouse exists (copied while no sync writes to it).

Restore brings a backup into an empty database of either kind (SQLite onto SQLite copies the file
back with the online backup API; otherwise the schema is migrated to the backup's revision and the
rows are loaded table by table), then checks the revision, the counts and the audit chain.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, Table, func, inspect, select, text
from sqlalchemy.engine import Connection

from . import __version__, events, migrate
from .clock import now
from .config import get_settings
from .db import Base, get_engine, make_engine
from .errors import Conflict, ValidationFailed

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
TABLES = "tables"
WAREHOUSE = "warehouse.duckdb"
BATCH = 1000
_SECRET_FIELD = re.compile(r"(secret|password|token)")

Step = Callable[[str, int, int], None]  # what, done, total (0: unknown)


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


class BackupInvalid(ValidationFailed):
    """The folder is not a backup, or a file in it is missing or altered."""


@dataclass
class RestoreReport:
    revision: str
    counts: dict[str, int]
    audit: events.VerifyResult
    warehouse: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- what a backup needs to know --------------------------------------------------------------

def _tables() -> list[Table]:
    """Every table of the models, parents before children (the domains' models are loaded first)."""
    from . import domains

    domains.load()
    return list(Base.metadata.sorted_tables)


def _key_fingerprint() -> str:
    """Tells whether two installations share the secret key, without revealing it."""
    key = get_settings().effective_secret_key.encode()
    return hmac.new(key, b"rapidresponse backup key fingerprint", hashlib.sha256).hexdigest()[:16]


def _secrets() -> list[dict[str, str]]:
    """The secrets a restored installation needs: names and where they come from, never values."""
    settings = get_settings()
    needed = [{"setting": "RAPIDRESPONSE_SECRET_KEY", "source": "environment" if settings.secret_key else
               f"file {settings.var_dir / 'secret_key'}",
               "why": "signs audit anchors and checkpoints, sessions, calendar feeds and second-factor logins; "
                      "restore with the same key or audit verify reports the anchors as rewritten",
               "fingerprint": _key_fingerprint()}]
    for name, value in sorted(settings.model_dump().items()):
        if name != "secret_key" and _SECRET_FIELD.search(name) and value:
            needed.append({"setting": f"RAPIDRESPONSE_{name.upper()}", "source": "environment",
                           "why": "configured on the installation that was backed up"})
    return needed


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _counts(conn: Connection, tables: list[Table]) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables if t.name in present}


def _audit_head(conn: Connection) -> dict[str, Any]:
    last = conn.execute(select(events.Event.id, events.Event.hash).order_by(events.Event.id.desc()).limit(1)).first()
    streams = conn.execute(select(func.count()).select_from(events.StreamHead)).scalar_one()
    return {"last_event_id": last[0] if last else None, "last_hash": last[1] if last else None,
            "streams": int(streams)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- values in table files ----------------------------------------------------------------------

def _encode(value: Any, is_json: bool) -> Any:
    if value is None:
        return None
    if is_json:
        return {"$json": value}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "$json":
        return inner
    if tag == "$dt":
        moment = datetime.fromisoformat(inner)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if tag == "$date":
        return date.fromisoformat(inner)
    if tag == "$time":
        return time.fromisoformat(inner)
    if tag == "$b64":
        return base64.b64decode(inner)
    if tag == "$dec":
        return Decimal(inner)
    raise ValueError(f"unknown value tag {tag!r}")


def _is_json(table: Table) -> dict[str, bool]:
    return {c.name: isinstance(c.type, JSON) or isinstance(getattr(c.type, "impl", None), JSON)
            or type(c.type).__name__ == "JSONType" for c in table.columns}


# --- backup ------------------------------------------------------------------------------------

def backup(dest: Path, *, step: Step = _quiet, engine: Engine | None = None) -> dict[str, Any]:
    """Write a backup into ``dest`` (a new or empty folder); returns the manifest."""
    engine = engine or get_engine()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise Conflict(f"{dest} exists and is not an empty folder; choose a new one")
    dest.mkdir(parents=True, exist_ok=True)
    tables = _tables()
    manifest: dict[str, Any] = {"format": FORMAT, "product": "rapidresponse", "version": __version__,
                                "created_at": now().isoformat(), "dialect": engine.dialect.name}
    if engine.dialect.name == "sqlite":
        _backup_sqlite(engine, dest / SQLITE_FILE, step)
        copy = make_engine(f"sqlite:///{dest / SQLITE_FILE}")
        try:
            with copy.connect() as conn:
                manifest.update(revision=_revision(conn), counts=_counts(conn, tables), audit=_audit_head(conn))
        finally:
            copy.dispose()
        manifest["database"] = SQLITE_FILE
    else:
        manifest.update(_backup_tables(engine, dest / TABLES, tables, step))
        manifest["database"] = TABLES
    if manifest["revision"] is None:
        shutil.rmtree(dest)
        raise ValidationFailed("the database has no schema yet; there is nothing to back up")
    step("warehouse", 0, 1)
    from . import analytics

    manifest["warehouse"] = WAREHOUSE if analytics.copy_warehouse(dest / WAREHOUSE) else None
    step("warehouse", 1, 1)
    manifest["secrets"] = _secrets()
    manifest["files"] = {str(p.relative_to(dest)): _sha256(p) for p in sorted(dest.rglob("*")) if p.is_file()}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


def _backup_sqlite(engine: Engine, target: Path, step: Step) -> None:
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(target) as copy:
            source.backup(copy, pages=1024, progress=lambda _status, left, total: step("database", total - left, total))
        copy.close()
    finally:
        raw.close()


def _backup_tables(engine: Engine, folder: Path, tables: list[Table], step: Step) -> dict[str, Any]:
    """Every table's rows in one snapshot (repeatable read): consistent with each other and the counts."""
    folder.mkdir()
    counts: dict[str, int] = {}
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        revision, audit = _revision(conn), _audit_head(conn)
        present = set(inspect(conn).get_table_names())
        for i, table in enumerate(tables):
            step(f"table {table.name}", i, len(tables))
            if table.name not in present:
                continue
            json_columns = _is_json(table)
            n = 0
            with gzip.open(folder / f"{table.name}.jsonl.gz", "wt", encoding="utf-8") as out:
                pk = list(table.primary_key.columns)
                for row in conn.execute(select(table).order_by(*pk)).mappings():
                    out.write(json.dumps({k: _encode(v, json_columns[k]) for k, v in row.items()},
                                         ensure_ascii=False, separators=(",", ":")))
                    out.write("\n")
                    n += 1
            counts[table.name] = n
        step("tables", len(tables), len(tables))
    return {"revision": revision, "counts": counts, "audit": audit}


# --- restore -----------------------------------------------------------------------------------

def read_manifest(src: Path) -> dict[str, Any]:
    """The backup's manifest, after checking that every file it lists is there and unaltered."""
    if not src.is_dir():
        raise BackupInvalid(f"{src} is not a folder; give the folder a backup wrote")
    path = src / MANIFEST
    if not path.is_file():
        raise BackupInvalid(f"{src} has no {MANIFEST}; it is not a rapidresponse backup")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupInvalid(f"{path} is corrupt: {exc}") from None
    required = {"format": int, "version": str, "revision": str, "counts": dict, "audit": dict, "files": dict,
                "database": str, "dialect": str}
    wrong = [k for k, kind in required.items() if not isinstance(manifest.get(k) if isinstance(manifest, dict)
                                                                   else None, kind)]
    if wrong:
        raise BackupInvalid(f"{path} is corrupt: missing or wrong {', '.join(wrong)}")
    if manifest["format"] != FORMAT:
        raise BackupInvalid(f"backup format {manifest['format']} is not supported (this version reads {FORMAT})")
    for name, digest in manifest["files"].items():
        file = src / name
        if ".." in Path(name).parts or not file.is_file():
            raise BackupInvalid(f"the backup is incomplete: {name} is missing")
        if _sha256(file) != digest:
            raise BackupInvalid(f"the backup is corrupt: {name} does not match its checksum")
    if manifest["database"] not in manifest["files"] and manifest["database"] != TABLES:
        raise BackupInvalid(f"{path} is corrupt: it lists no database file")
    return manifest


def _has_rows(conn: Connection) -> list[str]:
    found = []
    for name in inspect(conn).get_table_names():
        if name == "alembic_version":
            continue
        if conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None:
            found.append(name)
    return found


def restore(src: Path, *, force: bool = False, step: Step = _quiet, engine: Engine | None = None) -> RestoreReport:
    """Bring the backup in ``src`` into this installation's database (empty unless ``force``), then check it."""
    manifest = read_manifest(src)
    engine = engine or get_engine()
    tables = _tables()
    with engine.connect() as conn:
        filled = _has_rows(conn)
        current = _revision(conn)
    if filled and not force:
        raise Conflict(f"the database is not empty ({len(filled)} tables have rows, e.g. {filled[0]}); restore "
                       "into an empty database, or pass --force to replace everything in it")
    known = {s.revision for s in _script().walk_revisions()}
    if manifest["revision"] not in known:
        raise BackupInvalid(f"the backup is at migration {manifest['revision']}, which this version "
                            f"({__version__}) does not know; restore with the version that made it "
                            f"({manifest['version']})")
    sqlite_copy = manifest["database"] == SQLITE_FILE
    if sqlite_copy and engine.dialect.name == "sqlite":
        _restore_sqlite_file(src / SQLITE_FILE, engine, step)
    else:
        if current is not None and current != manifest["revision"]:
            raise Conflict(f"the database is at migration {current}, the backup at {manifest['revision']}; "
                           "restore into an empty database")
        if current is None:
            step("schema", 0, 1)
            _migrate(engine, manifest["revision"])
        rows = (_rows_from_sqlite(src / SQLITE_FILE) if sqlite_copy else _rows_from_files(src / TABLES))
        _load(engine, tables, rows, manifest["counts"], step)
    warehouse = False
    if manifest.get("warehouse"):
        from . import analytics

        warehouse = analytics.restore_warehouse(src / manifest["warehouse"], replace=force)
    return _check(engine, tables, manifest, warehouse)


def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config())


def _migrate(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = migrate.alembic_config()
    cfg.attributes["connection"] = engine  # the migrations' env connects to it, not the process's engine
    command.upgrade(cfg, revision)


def _restore_sqlite_file(file: Path, engine: Engine, step: Step) -> None:
    engine.dispose()
    raw = engine.raw_connection()
    try:
        target = raw.driver_connection
        assert isinstance(target, sqlite3.Connection)
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as source:
            source.backup(target, pages=1024, progress=lambda _s, left, total: step("database", total - left, total))
        source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupInvalid(f"{file} is not a readable SQLite database: {exc}") from None
    finally:
        raw.close()
    engine.dispose()


Rows = Callable[[Table], Iterator[dict[str, Any]]]


def _rows_from_files(folder: Path) -> Rows:
    def rows(table: Table) -> Iterator[dict[str, Any]]:
        path = folder / f"{table.name}.jsonl.gz"
        if not path.exists():
            return
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield {k: _decode(v) for k, v in json.loads(line).items()}

    return rows


def _rows_from_sqlite(file: Path) -> Rows:
    def rows(table: Table) -> Iterator[dict[str, Any]]:
        source = make_engine(f"sqlite:///file:{file}?mode=ro&uri=true")
        try:
            with source.connect() as conn:
                if not inspect(conn).has_table(table.name):
                    return
                for row in conn.execute(select(table)).mappings():
                    yield dict(row)
        finally:
            source.dispose()

    return rows


def _load(engine: Engine, tables: list[Table], rows: Rows, counts: dict[str, int], step: Step) -> None:
    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if not postgres:  # outside a transaction, where SQLite heeds it
            raw.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        with conn.begin():
            present = set(inspect(conn).get_table_names())
            for table in reversed(tables):  # --force: empty every table first, children before parents
                if table.name in present:
                    conn.execute(table.delete())
            for i, table in enumerate(tables):
                step(f"table {table.name}", i, len(tables))
                if table.name not in present or not counts.get(table.name):
                    continue
                batch: list[dict[str, Any]] = []
                for row in rows(table):
                    batch.append(row)
                    if len(batch) >= BATCH:
                        conn.execute(table.insert(), batch)
                        batch = []
                if batch:
                    conn.execute(table.insert(), batch)
            if postgres:
                _reset_sequences(conn, [t for t in tables if t.name in present])
        if not postgres:
            raw.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    step("tables", len(tables), len(tables))


def _reset_sequences(conn: Connection, tables: list[Table]) -> None:
    """Ids were inserted as they were: move each table's id sequence past the highest."""
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": table.name, "c": column.name}).scalar()
            if sequence:
                conn.execute(text(f'SELECT setval(:s, coalesce((SELECT max("{column.name}") FROM "{table.name}"), '
                                  f'0) + 1, false)'), {"s": sequence})


def _check(engine: Engine, tables: list[Table], manifest: dict[str, Any], warehouse: bool) -> RestoreReport:
    from sqlalchemy.orm import Session

    with engine.connect() as conn:
        revision = _revision(conn) or ""
        counts = _counts(conn, tables)
    problems = []
    if revision != manifest["revision"]:
        problems.append(f"migration revision is {revision}, the backup's is {manifest['revision']}")
    for name, expected in manifest["counts"].items():
        if counts.get(name) != expected:
            problems.append(f"table {name}: {counts.get(name)} rows, the backup has {expected}")
    with Session(engine) as session:
        audit = events.verify(session)
    if not audit.ok:
        hint = ""
        secret: dict[str, str] = next((s for s in manifest.get("secrets", [])
                                       if s.get("setting") == "RAPIDRESPONSE_SECRET_KEY"), {})
        if secret.get("fingerprint") and secret["fingerprint"] != _key_fingerprint():
            hint = " (this installation's secret key differs from the backed-up one; set RAPIDRESPONSE_SECRET_KEY)"
        problems.append(f"audit chain broken at stream {audit.stream} seq {audit.seq}: {audit.reason}{hint}")
    last = manifest["audit"].get("last_hash")
    with engine.connect() as conn:
        head = _audit_head(conn)
    if head["last_hash"] != last:
        problems.append("the audit chain's last hash differs from the backup's")
    return RestoreReport(revision=revision, counts=counts, audit=audit, warehouse=warehouse, problems=problems)
