"""Hash lists: PDQ hashes shared by partners, versioned; import and export; matching.

``match(session, hashes)`` and ``match_signals(session, rows)`` need no actor: they read every
live entry through a FAISS index cached per process and rebuilt when any list changes (in this
process or another: the lists' versions are the watermark, read from the database).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from ..policy.taxonomy import load_taxonomy
from . import hashcsv, pdq
from .hashindex import PdqIndex
from .hashmodels import HashEntry, HashList, HashListVersion, HashMatch

MAX_DISTANCE = 64
MAX_REASONS = 1000  # rejected rows listed in a report (all are counted)
MAX_HITS = 100  # nearest entries reported per queried hash
Mode = Literal["partial", "all_or_nothing"]


# --- reading -----------------------------------------------------------------------------------

def list_lists(session: Session, actor: Actor) -> list[HashList]:
    actor.require(Perm.SIGNALS_READ)
    return list(session.scalars(select(HashList).order_by(HashList.name)))


def get(session: Session, actor: Actor, list_id: int) -> HashList:
    actor.require(Perm.SIGNALS_READ)
    hl = session.get(HashList, list_id)
    if hl is None:
        raise NotFound(f"no hash list {list_id}")
    return hl


def _at(hl: HashList, version: int | None) -> Any:
    n = hl.version if version is None else version
    if not 0 <= n <= hl.version:
        raise NotFound(f"hash list {hl.id} has versions 0 to {hl.version}, not {n}")
    live = (HashEntry.removed_in.is_(None)) | (HashEntry.removed_in > n)
    return (HashEntry.list_id == hl.id, HashEntry.added_in <= n, live)


def entries(session: Session, hl: HashList, *, version: int | None = None, q: str = "", limit: int = 100,
            offset: int = 0) -> tuple[list[HashEntry], int]:
    """A page of the entries of ``hl`` at ``version`` (default: latest), filtered by a hash prefix or label."""
    conds = list(_at(hl, version))
    if q.strip():
        text = q.strip().lower()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(HashEntry.hash.like(escaped + "%", escape="\\") |
                     func.lower(HashEntry.label).like("%" + escaped + "%", escape="\\"))
    total = session.execute(select(func.count()).select_from(HashEntry).where(*conds)).scalar_one()
    rows = session.scalars(select(HashEntry).where(*conds).order_by(HashEntry.id).limit(limit).offset(offset))
    return list(rows), int(total)


def versions(session: Session, hl: HashList) -> list[HashListVersion]:
    q = select(HashListVersion).where(HashListVersion.list_id == hl.id).order_by(HashListVersion.number.desc())
    return list(session.scalars(q))


def recent_matches(session: Session, hl: HashList, limit: int = 20) -> list[HashMatch]:
    q = select(HashMatch).where(HashMatch.list_id == hl.id).order_by(HashMatch.id.desc()).limit(limit)
    return list(session.scalars(q))


# --- changing ----------------------------------------------------------------------------------

def _check(*, name: str | None = None, harm: str | None = None, source: str | None = None,
           max_distance: int | None = None) -> None:
    if name is not None and not 1 <= len(name) <= 120:
        raise ValidationFailed("a hash list's name has 1 to 120 characters", field="name")
    if harm is not None and harm not in load_taxonomy():
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
                max_distance: int = pdq.DEFAULT_DISTANCE) -> HashList:
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
    _new_version(session, actor, hl, "created")
    events.record_legacy(session, type="hashlist.created", subject_type="hash_list", subject_id=hl.id,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"name": name, "harm": harm, "source": source, "max_distance": max_distance})
    return hl


def update_list(session: Session, actor: Actor, list_id: int, **changes: Any) -> HashList:
    """Change the description, source, harm or matching distance (a new version when anything changes)."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = get(session, actor, list_id)
    clean = {k: v for k, v in changes.items() if v is not None}
    for key in ("source", "description"):
        if key in clean:
            clean[key] = _clean(clean[key], 5000 if key == "description" else 200)
    _check(harm=clean.get("harm"), source=clean.get("source"), max_distance=clean.get("max_distance"))
    changed = {k: (getattr(hl, k), v) for k, v in clean.items() if getattr(hl, k) != v}
    if not changed:
        return hl
    for key, (_, value) in changed.items():
        setattr(hl, key, value)
    what = ", ".join(f"{k} {old} → {new}" if k in ("max_distance", "harm") else f"{k} changed"
                     for k, (old, new) in changed.items())
    number = _new_version(session, actor, hl, what)
    events.record_legacy(session, type="hashlist.updated", subject_type="hash_list", subject_id=hl.id,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"version": number, "change": what,
                           "changes": {k: {"from": o, "to": n} for k, (o, n) in changed.items()
                                       if k != "description"}})
    return hl


def _new_version(session: Session, actor: Actor, hl: HashList, change: str) -> int:
    hl.version += 1
    hl.stamp = uuid.uuid4().hex
    hl.updated_at = now()
    hl.entry_count = int(session.execute(select(func.count()).select_from(HashEntry).where(
        HashEntry.list_id == hl.id, HashEntry.removed_in.is_(None))).scalar_one())
    session.add(HashListVersion(list_id=hl.id, number=hl.version, change=change, entry_count=hl.entry_count,
                                created_by_id=actor.user_id, created_by=actor.label, created_at=hl.updated_at))
    session.flush()
    return hl.version


@dataclass
class ImportReport:
    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected_count: int = 0
    rejected: list[hashcsv.CsvReject] = field(default_factory=list)
    version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"read": self.read, "accepted": self.accepted, "duplicates": self.duplicates,
                "rejected_count": self.rejected_count, "version": self.version,
                "rejected": [{"line": r.line, "reason": r.reason, "raw": r.raw} for r in self.rejected]}


def _live_hashes(session: Session, list_id: int) -> set[str]:
    q = select(HashEntry.hash).where(HashEntry.list_id == list_id, HashEntry.removed_in.is_(None))
    return set(session.scalars(q))


def add_entries(session: Session, actor: Actor, list_id: int, new: Sequence[hashcsv.CsvEntry],
                rejected: Sequence[hashcsv.CsvReject] = (), *, mode: Mode = "partial", change: str = "",
                imported: bool = False) -> ImportReport:
    """Add entries as one new version; hashes already in the list (or twice in ``new``) are duplicates."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = get(session, actor, list_id)
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
    if rows:
        what = change or (f"added {rows[0]['hash'][:16]}…" if len(rows) == 1 else f"added {len(rows)} hashes")
        report.version = _new_version(session, actor, hl, what)
    else:
        report.version = hl.version
    if rows or imported:
        events.record_legacy(session, type="hashlist.imported" if imported else "hashlist.entries_added",
                      subject_type="hash_list", subject_id=hl.id, actor_id=actor.user_id, actor=actor.label,
                      payload={"version": report.version, "read": report.read, "accepted": report.accepted,
                               "duplicates": report.duplicates, "rejected": report.rejected_count,
                               "change": change})
    return report


def import_csv(session: Session, actor: Actor, list_id: int, data: bytes, *, filename: str = "",
               mode: Mode = "partial") -> ImportReport:
    """Import a partner's CSV file (see ``hashcsv``): per-row reasons for bad rows, good rows kept."""
    actor.require(Perm.HASHLISTS_MANAGE)
    get(session, actor, list_id)
    good, bad = hashcsv.read(data)
    name = _clean(filename, 200)
    return add_entries(session, actor, list_id, good, bad, mode=mode, imported=True,
                       change=f"imported {name}" if name else "imported a CSV file")


def add_hash(session: Session, actor: Actor, list_id: int, *, hash: str, label: str = "", source: str = "",
             note: str = "") -> HashEntry:
    """Add one hash (Conflict if the list has it already)."""
    value = pdq.parse_hash(hash)
    entry = hashcsv.CsvEntry(line=0, hash=value, label=_clean(label, 200), source=_clean(source, 200),
                             note=_clean(note, 2000))
    report = add_entries(session, actor, list_id, [entry])
    if not report.accepted:
        raise Conflict(f"the list has the hash {value} already", field="hash")
    row = session.scalar(select(HashEntry).where(HashEntry.list_id == list_id, HashEntry.hash == value,
                                                 HashEntry.removed_in.is_(None)))
    assert row is not None
    return row


def remove_entry(session: Session, actor: Actor, list_id: int, entry_id: int) -> HashList:
    """Remove an entry from the latest version (earlier versions keep it)."""
    actor.require(Perm.HASHLISTS_MANAGE)
    hl = get(session, actor, list_id)
    row = session.get(HashEntry, entry_id)
    if row is None or row.list_id != hl.id or row.removed_in is not None:
        raise NotFound(f"hash list {hl.id} has no entry {entry_id}")
    row.removed_in = hl.version + 1
    session.flush()
    number = _new_version(session, actor, hl, f"removed {row.hash[:16]}…")
    events.record_legacy(session, type="hashlist.entry_removed", subject_type="hash_list", subject_id=hl.id,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"version": number, "entry": {"id": row.id, "hash": row.hash, "label": row.label}})
    return hl


def export_csv(session: Session, actor: Actor, list_id: int, version: int | None = None) -> Iterator[str]:
    """The entries of a list (at ``version``, default latest) as CSV chunks, in the format ``import_csv`` reads."""
    hl = get(session, actor, list_id)
    q = (select(HashEntry.hash, HashEntry.label, HashEntry.source, HashEntry.added_on, HashEntry.note)
         .where(*_at(hl, version)).order_by(HashEntry.id))
    rows = [tuple(r) for r in session.execute(q)]
    return hashcsv.write(rows)  # type: ignore[arg-type]


# --- matching (needs no actor: intake calls it) --------------------------------------------------

@dataclass(frozen=True)
class Built:
    index: PdqIndex
    entry_ids: np.ndarray
    list_ids: np.ndarray


@dataclass(frozen=True)
class HashHit:
    query_index: int
    query: str
    list_id: int
    list_name: str
    harm: str
    entry_id: int
    hash: str
    label: str
    distance: int

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "list_id": self.list_id, "list_name": self.list_name, "harm": self.harm,
                "entry_id": self.entry_id, "hash": self.hash, "label": self.label, "distance": self.distance}


_cache_lock = threading.Lock()
_cache: tuple[tuple[tuple[int, str, int], ...], Built] | None = None


def watermark(session: Session) -> tuple[tuple[int, str, int], ...]:
    """Each list's id, version stamp and distance: any change to a list (here or in another process) moves it."""
    q = select(HashList.id, HashList.stamp, HashList.max_distance).order_by(HashList.id)
    return tuple((int(i), str(v), int(d)) for i, v, d in session.execute(q))


def index(session: Session) -> Built:
    """The index over every live entry of every list, rebuilt when a list's version changes."""
    global _cache
    key = watermark(session)
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    with _cache_lock:
        if _cache is not None and _cache[0] == key:
            return _cache[1]
        limits = {i: d for i, _, d in key}
        q = (select(HashEntry.id, HashEntry.list_id, HashEntry.hash).where(HashEntry.removed_in.is_(None))
             .order_by(HashEntry.id))
        ids, lists, hexes = [], [], []
        for eid, lid, value in session.execute(q):
            ids.append(eid)
            lists.append(lid)
            hexes.append(value)
        list_ids = np.array(lists, dtype=np.int64)
        thresholds = np.array([limits.get(lid, 0) for lid in lists], dtype=np.int32)
        built = Built(index=PdqIndex(pdq.to_bytes(hexes), thresholds),
                      entry_ids=np.array(ids, dtype=np.int64), list_ids=list_ids)
        _cache = (key, built)
        return built


def match(session: Session, hashes: Sequence[str]) -> list[HashHit]:
    """Entries of every list within that list's distance of each (canonical) hash, nearest first (at most
    ``MAX_HITS`` per hash)."""
    if not hashes:
        return []
    built = index(session)
    if not built.index.size:
        return []
    per_query: dict[int, int] = {}
    hits = []
    for h in built.index.search(pdq.to_bytes(list(hashes))):  # nearest first per query
        per_query[h.query] = per_query.get(h.query, 0) + 1
        if per_query[h.query] <= MAX_HITS:
            hits.append(h)
    if not hits:
        return []
    wanted = {int(built.entry_ids[h.position]) for h in hits}
    rows = {e.id: e for e in session.scalars(select(HashEntry).where(HashEntry.id.in_(wanted)))}
    lists = {hl.id: hl for hl in session.scalars(select(HashList).where(
        HashList.id.in_({e.list_id for e in rows.values()})))}
    out = []
    for h in hits:
        e = rows.get(int(built.entry_ids[h.position]))
        if e is None:
            continue  # removed since the index was built
        hl = lists[e.list_id]
        out.append(HashHit(query_index=h.query, query=hashes[h.query], list_id=hl.id, list_name=hl.name, harm=hl.harm,
                           entry_id=e.id, hash=e.hash, label=e.label, distance=h.distance))
    return out


def match_signals(session: Session, rows: Sequence[dict[str, Any]], at: datetime | None = None) -> int:
    """Store the matches of freshly inserted signals whose ``media_hash`` is a PDQ hash; returns their number.

    Costs nothing when no signal carries a PDQ hash, and one small query when no list has entries."""
    by_hash: dict[str, list[int]] = {}
    for row in rows:
        value = row.get("media_hash")
        if row.get("id") is not None and pdq.is_pdq(value):
            by_hash.setdefault(pdq.parse_hash(value), []).append(int(row["id"]))
    if not by_hash:
        return 0
    hits = match(session, list(by_hash))
    if not hits:
        return 0
    when = at or now()
    stored: list[dict[str, Any]] = [{"signal_id": sid, "list_id": h.list_id, "entry_id": h.entry_id,
                                     "distance": h.distance, "matched_at": when}
                                    for h in hits for sid in by_hash[h.query]]
    signal_ids = [int(r["signal_id"]) for r in stored]
    session.execute(insert(HashMatch), stored)
    per_list: dict[str, int] = {}
    for h in hits:
        per_list[h.list_name] = per_list.get(h.list_name, 0) + len(by_hash[h.query])
    events.record_legacy(session, type="signals.hash_matched", subject_type="signal_batch",
                  subject_id=f"{min(signal_ids)}-{max(signal_ids)}",
                  stream="signals:hash_matches", payload={"matches": len(stored), "lists": per_list})
    return len(stored)


def signal_matches(session: Session, actor: Actor, signal_ids: Sequence[int]) -> list[HashMatch]:
    actor.require(Perm.SIGNALS_READ)
    if not signal_ids:
        return []
    q = select(HashMatch).where(HashMatch.signal_id.in_(list(signal_ids))).order_by(HashMatch.id)
    return list(session.scalars(q))
