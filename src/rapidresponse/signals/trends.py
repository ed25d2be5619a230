"""Near-duplicate clustering of report texts into trends (MinHash LSH over folded text).

Each inserted batch is clustered incrementally: a text joins the trend whose signature is near it
(estimated Jaccard similarity of character shingles over the threshold), or starts a new one. The
index is rebuilt per batch from the trends seen within ``WINDOW``, so a trend that went quiet for
longer starts afresh.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ..auth.permissions import Actor, Perm
from ..clock import now
from ..errors import NotFound
from .models import Signal, Trend
from .schemas import TrendOut

NUM_PERM = 64
THRESHOLD = 0.5
SHINGLE = 5
MIN_CHARS = 12  # shorter texts ("лол", "+1") carry too little to cluster
WINDOW = timedelta(hours=24)
SAMPLES = 5
_SPACES = re.compile(r"\W+")


def shingles(folded: str) -> set[bytes]:
    text = _SPACES.sub(" ", folded).strip()
    if len(text) < MIN_CHARS:
        return set()
    return {text[i:i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)}


@lru_cache(maxsize=1)
def _permutations() -> Any:
    return MinHash(num_perm=NUM_PERM, seed=1).permutations


def _minhash(values: list[int]) -> MinHash:
    """A stored signature back as a MinHash (same seed and permutations as new ones)."""
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=np.array(values, dtype=np.uint64),
                   permutations=_permutations())


def assign(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Put each inserted row (with ``id``, ``text_folded``, ``occurred_at``, ``harm``) into a trend.

    Returns signal id → trend id for the rows that were clustered."""
    todo = [(r, sh) for r in rows if (sh := shingles(r.get("text_folded") or ""))]
    if not todo:
        return {}
    latest = max(r["occurred_at"] for r, _ in todo)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    for tid, sig in session.execute(select(Trend.id, Trend.signature)
                                    .where(Trend.last_seen >= latest - WINDOW)):
        if len(sig) == NUM_PERM:
            lsh.insert(tid, _minhash(sig))
    # crc32 (C, stable across processes) instead of the default SHA-1 wrapper: hashing shingles dominates.
    hashes = MinHash.bulk([list(sh) for _, sh in todo], num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32,
                          permutations=_permutations())
    members: dict[int | str, list[dict[str, Any]]] = {}
    fresh: dict[str, MinHash] = {}
    for (row, _), mh in zip(todo, hashes, strict=True):
        found = lsh.query(mh)
        if found:
            key: int | str = min(found, key=lambda k: (isinstance(k, str), k))
        else:
            key = f"new{len(fresh)}"
            fresh[key] = mh
            lsh.insert(key, mh)
        members.setdefault(key, []).append(row)
    ids = _create(session, {k: (members[k], fresh[k]) for k in fresh})
    _grow(session, {k: v for k, v in members.items() if isinstance(k, int)})
    out: dict[int, int] = {}
    for key, group in members.items():
        tid = ids[key] if isinstance(key, str) else key
        for row in group:
            row["trend_id"] = tid
            out[row["id"]] = tid
    return out


def _create(session: Session, new: dict[str, tuple[list[dict[str, Any]], MinHash]]) -> dict[str, int]:
    if not new:
        return {}
    keys, values = [], []
    for key, (group, mh) in new.items():
        times = [r["occurred_at"] for r in group]
        keys.append(key)
        values.append({"label": (group[0].get("text") or "")[:300], "harm": _harm(group), "count": len(group),
                       "first_seen": min(times), "last_seen": max(times),
                       "signature": [int(v) for v in mh.hashvalues], "samples": [r["id"] for r in group[:SAMPLES]]})
    stmt = insert(Trend).returning(Trend.id, sort_by_parameter_order=True)
    ids = [tid for (tid,) in session.connection().execute(stmt, values)]
    return dict(zip(keys, ids, strict=True))


def _grow(session: Session, joined: dict[int | str, list[dict[str, Any]]]) -> None:
    if not joined:
        return
    found = session.execute(select(Trend).where(Trend.id.in_(list(joined))).with_for_update()).scalars()
    for trend in found:
        group = joined[trend.id]
        times = [r["occurred_at"] for r in group]
        trend.count += len(group)
        trend.first_seen = min(trend.first_seen, *times)
        trend.last_seen = max(trend.last_seen, *times)
        if len(trend.samples) < SAMPLES:
            trend.samples = [*trend.samples, *(r["id"] for r in group)][:SAMPLES]
        if trend.harm is None:
            trend.harm = _harm(group)


def _harm(group: list[dict[str, Any]]) -> str | None:
    harms = [r["harm"] for r in group if r.get("harm")]
    return max(set(harms), key=harms.count) if harms else None


def _hour_counts(session: Session, ids: list[int], at: datetime) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    hour = timedelta(hours=1)
    rows = session.execute(
        select(Signal.trend_id, (Signal.occurred_at >= at - hour).label("recent"), func.count())
        .where(Signal.trend_id.in_(ids), Signal.occurred_at >= at - 2 * hour, Signal.occurred_at < at)
        .group_by(Signal.trend_id, "recent")).all()
    out: dict[int, list[int]] = {i: [0, 0] for i in ids}
    for tid, recent, n in rows:
        if tid is not None:
            out[tid][0 if recent else 1] += n
    return {k: (v[0], v[1]) for k, v in out.items()}


def _out(trend: Trend, counts: tuple[int, int]) -> TrendOut:
    last, prev = counts
    return TrendOut(id=trend.id, label=trend.label, harm=trend.harm, count=trend.count,
                    first_seen=trend.first_seen, last_seen=trend.last_seen, last_hour=last, previous_hour=prev,
                    growth=round(last / prev, 3) if prev else None, samples=list(trend.samples))


def list_trends(session: Session, actor: Actor, *, min_count: int = 2, harm: str | None = None,
                since: datetime | None = None, limit: int = 50) -> list[TrendOut]:
    """Trends with at least ``min_count`` signals, most recently active first."""
    actor.require(Perm.SIGNALS_READ)
    conds: list[Any] = [Trend.count >= min_count]
    if harm:
        conds.append(Trend.harm == harm)
    if since:
        conds.append(Trend.last_seen >= since)
    found = list(session.execute(select(Trend).where(*conds).order_by(Trend.last_seen.desc(), Trend.id.desc())
                                 .limit(limit)).scalars())
    counts = _hour_counts(session, [t.id for t in found], now())
    return [_out(t, counts[t.id]) for t in found]


def get_trend(session: Session, actor: Actor, trend_id: int) -> TrendOut:
    actor.require(Perm.SIGNALS_READ)
    trend = session.get(Trend, trend_id)
    if trend is None:
        raise NotFound(f"no trend {trend_id}")
    return _out(trend, _hour_counts(session, [trend.id], now())[trend.id])
