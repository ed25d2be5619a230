"""Matching PDQ hashes against every hash list, and storing the matches found at intake.

``match(session, hashes)`` and ``record_media_matches(session, media)`` need no actor (signal intake
calls them): they read every live entry through a FAISS index cached per process and rebuilt when
any list changes (in this process or another: the lists' version stamps are the watermark, read
from the database). numpy and FAISS are loaded on the first match, not when the package is imported.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..clock import now
from ..errors import ValidationFailed
from . import pdq
from .models import HashEntry, HashList, HashMatch
from .schemas import HashMatchOut, MatchOut, QueryResult

if TYPE_CHECKING:
    import numpy as np

    from .index import PdqIndex

MAX_HITS = 100  # nearest entries reported per queried hash


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


@dataclass(frozen=True)
class MediaMatches:
    """What :func:`record_media_matches` stored: the matches, the signals they are for, and per list how many."""

    stored: int = 0
    signal_ids: list[int] = field(default_factory=list)
    per_list: dict[str, int] = field(default_factory=dict)


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
        built = _build(session, key)
        _cache = (key, built)
        return built


def _build(session: Session, key: tuple[tuple[int, str, int], ...]) -> Built:
    import numpy as np

    from .index import PdqIndex

    limits = {i: d for i, _, d in key}
    q = (select(HashEntry.id, HashEntry.list_id, HashEntry.hash).where(HashEntry.removed_in.is_(None))
         .order_by(HashEntry.id))
    ids, lists, hexes = [], [], []
    for eid, lid, value in session.execute(q):
        ids.append(eid)
        lists.append(lid)
        hexes.append(value)
    thresholds = np.array([limits.get(lid, 0) for lid in lists], dtype=np.int32)
    return Built(index=PdqIndex(pdq.to_bytes(hexes), thresholds), entry_ids=np.array(ids, dtype=np.int64),
                 list_ids=np.array(lists, dtype=np.int64))


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


def search(session: Session, actor: Actor, hashes: Sequence[str]) -> list[HashHit]:
    """:func:`match` for a person (who may read signals)."""
    actor.require(Perm.SIGNALS_READ)
    return match(session, hashes)


def match_queries(session: Session, actor: Actor, *, hashes: Sequence[str] = (), image: bytes | None = None,
                  image_base64: str | None = None) -> MatchOut:
    """Match given hashes (each checked, ``hashes[i]`` named in the error) and an image (bytes, or base64;
    hashed in memory, not stored) against every list: per query its hash, origin, quality and matching
    entries."""
    actor.require(Perm.SIGNALS_READ)
    if not hashes and image is None and image_base64 is None:
        raise ValidationFailed("give hashes or an image")
    queries: list[tuple[str, str, int | None]] = []
    for i, value in enumerate(hashes):
        try:
            queries.append((pdq.parse_hash(value), "given", None))
        except ValidationFailed as exc:
            raise ValidationFailed(f"hashes[{i}]: {exc.detail}", field=f"hashes.{i}") from None
    if image_base64 is not None:
        try:
            image = base64.b64decode(image_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("image: not base64", field="image") from None
    if image is not None:
        computed = pdq.hash_image(image)
        queries.append((computed.hash, "image", computed.quality))
    hits = match(session, [q for q, _, _ in queries])
    results = []
    for i, (value, origin, quality) in enumerate(queries):
        mine = [HashMatchOut(list_id=h.list_id, list_name=h.list_name, harm=h.harm, entry_id=h.entry_id,
                             hash=h.hash, label=h.label, distance=h.distance) for h in hits if h.query_index == i]
        results.append(QueryResult(hash=value, origin=origin, quality=quality, matches=mine))
    return MatchOut(results=results)


def record_media_matches(session: Session, media: Mapping[int, str | None], *,
                         at: datetime | None = None) -> MediaMatches:
    """Store the matches of signals (by id) whose media hash is a PDQ hash.

    Costs nothing when no signal carries a PDQ hash, and one small query when no list has entries."""
    by_hash: dict[str, list[int]] = {}
    for signal_id, value in media.items():
        if pdq.is_pdq(value):
            by_hash.setdefault(pdq.parse_hash(value), []).append(int(signal_id))
    if not by_hash:
        return MediaMatches()
    hits = match(session, list(by_hash))
    if not hits:
        return MediaMatches()
    when = at or now()
    stored: list[dict[str, Any]] = [{"signal_id": sid, "list_id": h.list_id, "entry_id": h.entry_id,
                                     "distance": h.distance, "matched_at": when}
                                    for h in hits for sid in by_hash[h.query]]
    session.execute(insert(HashMatch), stored)
    per_list: dict[str, int] = {}
    for h in hits:
        per_list[h.list_name] = per_list.get(h.list_name, 0) + len(by_hash[h.query])
    return MediaMatches(stored=len(stored), signal_ids=[int(r["signal_id"]) for r in stored], per_list=per_list)
