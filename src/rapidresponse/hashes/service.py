"""Hash lists: PDQ hashes shared by partners, versioned; import and export.

Every change to a list makes a new version and records an event on the list's stream. The
functions take an actor (whose permission they check) and return schemas; matching is in
:mod:`.matching`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .. import events, policy
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404, paged
from ..errors import Conflict, NotFound, ValidationFailed
from ..schemas import VersionChange, version_change
from . import csvfile, pdq
from .events import Created, EntriesAdded, EntryRemoved, Imported, Updated
from .models import HashEntry, HashList, HashListVersion, HashMatch
from .schemas import EntryOut, EntryPage, HashListOut, IntakeMatchOut, VersionOut

MAX_DISTANCE = 64
MAX_REASONS = 1000  # rejected rows listed in a report (all are counted)
Mode = Literal["partial", "all_or_nothing"]


# --- shapes ------------------------------------------------------------------------------------

def list_out(hl: HashList) -> HashListOut:
    return HashListOut(id=hl.id, name=hl.name, harm=hl.harm, source=hl.source, description=hl.description,
                       max_distance=hl.max_distance, version=hl.version, entry_count=hl.entry_count,
                       last_import_at=hl.last_import_at, updated_at=hl.updated_at)


def entry_out(e: HashEntry) -> EntryOut:
    return EntryOut(id=e.id, hash=e.hash, label=e.label, source=e.source, added_on=e.added_on, note=e.note,
                    added_in=e.added_in, removed_in=e.removed_in)


@dataclass
class ImportReport:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected_count: int = 0
    rejected: list[csvfile.CsvReject] = field(default_factory=list)
    version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "accepted": self.accepted, "duplicates": self.duplicates,
                "rejected_count": self.rejected_count, "version": self.version,
                "rejected": [{"line": r.line, "reason": r.reason, "raw": r.raw} for r in self.rejected]}


# --- reading -----------------------------------------------------------------------------------

def _load(session: Session, actor: Actor, list_id: int) -> HashList:
    actor.require(Perm.SIGNALS_READ)
    hl = get_or_404(session, HashList, list_id, "hash list")
    return hl


def list_lists(session: Session, actor: Actor) -> list[HashListOut]:
    actor.require(Perm.SIGNALS_READ)
    return [list_out(hl) for hl in session.scalars(select(HashList).order_by(HashList.name))]


def get(session: Session, actor: Actor, list_id: int) -> HashListOut:
    return list_out(_load(session, actor, list_id))


def find(session: Session, actor: Actor, ref: str) -> HashListOut:
    """A list by id or by name."""
    if ref.isdigit():
        return get(session, actor, int(ref))
    actor.require(Perm.SIGNALS_READ)
    hl = session.scalar(select(HashList).where(HashList.name == ref))
    if hl is None:
        raise NotFound(f"no hash list named {ref!r}")
    return list_out(hl)


def _at(hl: HashList, version: int | None) -> Any:
    n = hl.version if version is None else version
    if not 0 <= n <= hl.version:
        raise NotFound(f"hash list {hl.id} has versions 0 to {hl.version}, not {n}")
    live = (HashEntry.removed_in.is_(None)) | (HashEntry.removed_in > n)
    return (HashEntry.list_id == hl.id, HashEntry.added_in <= n, live)


def entries(session: Session, actor: Actor, list_id: int, *, version: int | None = None, q: str = "",
            limit: int = 100, offset: int = 0) -> EntryPage:
    """A page of the list's entries at ``version`` (default: latest), filtered by a hash prefix or label."""
    hl = _load(session, actor, list_id)
    conds = list(_at(hl, version))
    if q.strip():
        text = q.strip().lower()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(HashEntry.hash.like(escaped + "%", escape="\\") |
                     func.lower(HashEntry.label).like("%" + escaped + "%", escape="\\"))
    total = session.execute(select(func.count()).select_from(HashEntry).where(*conds)).scalar_one()
    rows = session.scalars(paged(select(HashEntry).where(*conds).order_by(HashEntry.id), limit, offset))
    return EntryPage(hash_list=list_out(hl), version=hl.version if version is None else version,
                     items=[entry_out(e) for e in rows], total=int(total), limit=limit, offset=offset)


def versions(session: Session, actor: Actor, list_id: int) -> list[VersionOut]:
    hl = _load(session, actor, list_id)
    q = select(HashListVersion).where(HashListVersion.list_id == hl.id).order_by(HashListVersion.number.desc())
    return [VersionOut(number=v.number, **version_change(v.change), entry_count=v.entry_count, created_by=v.created_by,
                       created_at=v.created_at) for v in session.scalars(q)]


def recent_matches(session: Session, actor: Actor, list_id: int, limit: int = 20) -> list[IntakeMatchOut]:
    """Signals matched against this list at intake, newest first."""
    hl = _load(session, actor, list_id)
    q = paged(select(HashMatch).where(HashMatch.list_id == hl.id).order_by(HashMatch.id.desc()), limit)
    return [IntakeMatchOut(signal_id=m.signal_id, list_id=m.list_id, entry_id=m.entry_id, distance=m.distance,
                           matched_at=m.matched_at) for m in session.scalars(q)]


# --- changing ----------------------------------------------------------------------------------

def _check(*, name: str | None = None, harm: str | None = None, source: str | None = None,
           max_distance: int | None = None) -> None:
    if name is not None and not 1 <= len(name) <= 120:
        raise ValidationFailed("a hash list's name has 1 to 120 characters", field="name")
    if harm is not None and harm not in policy.load_taxonomy():
        raise ValidationFailed(f"unknown harm category {harm!r}: see `rapidresponse policy taxonomy`", field="harm")
    if source is not None and not 1 <= len(source) <= 120:
        raise ValidationFailed("the source partner has 1 to 120 characters", field="source")
    if max_distance is not None and not 0 <= max_distance <= MAX_DISTANCE:
        raise ValidationFailed(f"max_distance is between 0 and {MAX_DISTANCE} bits", field="max_distance")


def _clean(text: str, limit: int) -> str:
    if "\x00" in text:
        raise ValidationFailed("text may not contain NUL bytes")
    return " ".join(text.split())[:limit] if limit <= 200 else text.strip()[:limit]


def create_list(session: Session, actor: Actor, *, name: str, harm: str, source: str, description: str = "",
                max_distance: int = pdq.DEFAULT_DISTANCE) -> HashListOut:
    actor.require(Perm.HASHLISTS_MANAGE)
    name, source, description = _clean(name, 200), _clean(source, 200), _clean(description, 5000)
    _check(name=name, harm=harm, source=source, max_distance=max_distance)
    if session.scalar(select(HashList.id).where(HashList.name == name)) is not None:
        raise Conflict(f"a hash list named {name!r} exists already", field="name")
    at = now()
    hl = HashList(name=name, harm=harm, source=source, description=description, max_distance=max_distance,
                  version=0, stamp="", entry_count=0, last_import_at=None, created_at=at, updated_at=at)
    session.add(hl)
    session.flush()
    _new_version(session, actor, hl, VersionChange(did="created", unit="hash"))
    events.record(session, actor, Created(subject_id=hl.id, name=name, harm=harm, source=source,
                                          max_distance=max_distance))
    return list_out(hl)


def update_list(session: Session, actor: Actor, list_id: int, **changes: Any) -> HashListOut:
    """Change the description, source, harm or matching distance (a new version when anything changes)."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = _load(session, actor, list_id)
    clean = {k: v for k, v in changes.items() if v is not None}
    for key in ("source", "description"):
        if key in clean:
            clean[key] = _clean(clean[key], 5000 if key == "description" else 200)
    _check(harm=clean.get("harm"), source=clean.get("source"), max_distance=clean.get("max_distance"))
    changed = {k: (getattr(hl, k), v) for k, v in clean.items() if getattr(hl, k) != v}
    if not changed:
        return list_out(hl)
    for key, (_, value) in changed.items():
        setattr(hl, key, value)
    what = VersionChange(did="changed", unit="hash", fields={
        k: [old, new] if k in ("max_distance", "harm") else [] for k, (old, new) in changed.items()})
    number = _new_version(session, actor, hl, what)
    events.record(session, actor, Updated(subject_id=hl.id, version=number, change=what.english(), changes={
        k: {"from": o, "to": n} for k, (o, n) in changed.items() if k != "description"}))
    return list_out(hl)


def _new_version(session: Session, actor: Actor, hl: HashList, change: VersionChange) -> int:
    hl.version += 1
    hl.stamp = uuid.uuid4().hex
    hl.updated_at = now()
    hl.entry_count = int(session.execute(select(func.count()).select_from(HashEntry).where(
        HashEntry.list_id == hl.id, HashEntry.removed_in.is_(None))).scalar_one())
    session.add(HashListVersion(list_id=hl.id, number=hl.version, change=change.stored(), entry_count=hl.entry_count,
                                created_by_id=actor.user_id, created_by=actor.label, created_at=hl.updated_at))
    session.flush()
    return hl.version


def _live_hashes(session: Session, list_id: int) -> set[str]:
    q = select(HashEntry.hash).where(HashEntry.list_id == list_id, HashEntry.removed_in.is_(None))
    return set(session.scalars(q))


def add_entries(session: Session, actor: Actor, list_id: int, new: Sequence[csvfile.CsvEntry],
                rejected: Sequence[csvfile.CsvReject] = (), *, mode: Mode = "partial", imported: bool = False,
                source: str = "") -> ImportReport:
    """Add entries as one new version; hashes already in the list (or twice in ``new``) are duplicates. An
    import (``imported``) names its ``source`` (the file's name) in the version history."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = _load(session, actor, list_id)
    report = ImportReport(read=len(new) + len(rejected), rejected_count=len(rejected),
                          rejected=list(rejected[:MAX_REASONS]))
    if rejected and mode == "all_or_nothing":
        raise ValidationFailed(f"{len(rejected)} of {report.read} rows are invalid, so none was added "
                               "(mode=all_or_nothing); see rejected", rejected=report.as_dict()["rejected"])
    live = _live_hashes(session, hl.id)
    rows: list[dict[str, Any]] = []
    for e in new:
        if e.hash in live:
            report.duplicates += 1
            continue
        live.add(e.hash)
        rows.append({"list_id": hl.id, "hash": e.hash, "label": e.label, "source": e.source,
                     "added_on": e.added_on, "note": e.note, "added_in": hl.version + 1, "removed_in": None})
    for i in range(0, len(rows), 5000):
        session.execute(insert(HashEntry), rows[i:i + 5000])
    report.accepted = len(rows)
    if imported:
        hl.last_import_at = now()
    what = (VersionChange(did="imported", unit="hash", count=len(rows), source=source) if imported
            else VersionChange(did="added", unit="hash", item=f"{rows[0]['hash'][:16]}…") if len(rows) == 1
            else VersionChange(did="added", unit="hash", count=len(rows)))
    if rows:
        report.version = _new_version(session, actor, hl, what)
    else:
        report.version = hl.version
    if rows or imported:
        kind = Imported if imported else EntriesAdded
        events.record(session, actor, kind(subject_id=hl.id, version=report.version, read=report.read,
                                           accepted=report.accepted, duplicates=report.duplicates,
                                           rejected=report.rejected_count,
                                           change=what.english() if imported else ""))
    return report


def import_csv(session: Session, actor: Actor, list_id: int, data: bytes, *, filename: str = "",
               mode: Mode = "partial") -> ImportReport:
    """Import a partner's CSV file (see :mod:`.csvfile`): per-row reasons for bad rows, good rows kept."""
    actor.require(Perm.HASHLISTS_MANAGE)
    _load(session, actor, list_id)
    good, bad = csvfile.read(data)
    name = _clean(filename, 200)
    return add_entries(session, actor, list_id, good, bad, mode=mode, imported=True, source=name)


def add_hash(session: Session, actor: Actor, list_id: int, *, hash: str, label: str = "", source: str = "",
             note: str = "") -> EntryOut:
    """Add one hash (Conflict if the list has it already)."""
    value = pdq.parse_hash(hash)
    entry = csvfile.CsvEntry(line=0, hash=value, label=_clean(label, 200), source=_clean(source, 200),
                             note=_clean(note, 2000))
    report = add_entries(session, actor, list_id, [entry])
    if not report.accepted:
        raise Conflict(f"the list has the hash {value} already", field="hash")
    row = session.scalar(select(HashEntry).where(HashEntry.list_id == list_id, HashEntry.hash == value,
                                                 HashEntry.removed_in.is_(None)))
    assert row is not None
    return entry_out(row)


def remove_entry(session: Session, actor: Actor, list_id: int, entry_id: int) -> HashListOut:
    """Remove an entry from the latest version (earlier versions keep it)."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = _load(session, actor, list_id)
    row = session.get(HashEntry, entry_id)
    if row is None or row.list_id != hl.id or row.removed_in is not None:
        raise NotFound(f"hash list {hl.id} has no entry {entry_id}")
    row.removed_in = hl.version + 1
    session.flush()
    number = _new_version(session, actor, hl, VersionChange(did="removed", unit="hash", item=f"{row.hash[:16]}…"))
    events.record(session, actor, EntryRemoved(subject_id=hl.id, version=number,
                                               entry={"id": row.id, "hash": row.hash, "label": row.label}))
    return list_out(hl)


def export_csv(session: Session, actor: Actor, list_id: int, version: int | None = None) -> Iterator[str]:
    """The entries of a list (at ``version``, default latest) as CSV chunks, in the format ``import_csv`` reads."""
    hl = _load(session, actor, list_id)
    q = (select(HashEntry.hash, HashEntry.label, HashEntry.source, HashEntry.added_on, HashEntry.note)
         .where(*_at(hl, version)).order_by(HashEntry.id))
    rows = [tuple(r) for r in session.execute(q)]
    return csvfile.write(rows)  # type: ignore[arg-type]
