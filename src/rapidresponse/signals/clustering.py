"""Near-duplicate clustering of report texts into trends (MinHash LSH over folded text).

Each inserted batch is clustered incrementally: a text joins the trend whose signature is near it
(estimated Jaccard similarity of character shingles over the threshold), or starts a new one. A
trend whose last signal is older than ``WINDOW`` before the batch is not joined, so a trend that
went quiet for longer starts afresh.

The LSH index lives in memory, one per process and database (``index.TrendIndex``), refreshed
before each batch with only the trends committed since the last refresh; candidates are checked
against the database before a signal joins them. Guarantee with several processes: every signal is
stored with a trend (none is lost: clustering happens in the intake transaction); a trend
committed by any process is seen by every process's next batch, and a text near several trends
joins the lowest id, so all processes converge on the same trend for the same text. Two processes
that see the first copies of a new text in concurrent transactions may each start a trend; later
copies then all join the lower id.

Counts per trend are also kept per 5-minute bucket (``TrendBucket``); growth and sparklines read them
(:mod:`.trends`). This module loads numpy and datasketch: intake imports it on its first batch.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from datetime import timedelta
from functools import lru_cache
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import trend_index
from .buckets import bucket_of
from .models import Trend, TrendBucket

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


def index_for(session: Session) -> trend_index.TrendIndex:
    return trend_index.index_for(session, threshold=THRESHOLD, num_perm=NUM_PERM, window=WINDOW,
                                 to_minhash=_minhash)


def signatures(texts: list[set[bytes]]) -> list[MinHash]:
    # crc32 (C, stable across processes) instead of the default SHA-1 wrapper: hashing shingles dominates.
    return MinHash.bulk([list(sh) for sh in texts], num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32,
                        permutations=_permutations())


def assign(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Put each inserted row (with ``id``, ``text_folded``, ``occurred_at``, ``harm``) into a trend.

    Returns signal id → trend id for the rows that were clustered."""
    todo = [(r, sh) for r in rows if (sh := shingles(r.get("text_folded") or ""))]
    if not todo:
        return {}
    latest = max(r["occurred_at"] for r, _ in todo)
    hashes = signatures([sh for _, sh in todo])
    found_by_row = index_for(session).lookup(session, hashes, since=latest - WINDOW)
    local = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)  # trends started by this batch
    members: dict[int | str, list[dict[str, Any]]] = {}
    fresh: dict[str, MinHash] = {}
    for (row, _), mh, known in zip(todo, hashes, found_by_row, strict=True):
        key: int | str
        if known is not None:
            key = known
        elif found := local.query(mh):
            key = min(found)
        else:
            key = f"new{len(fresh):09d}"
            fresh[key] = mh
            local.insert(key, mh)
        members.setdefault(key, []).append(row)
    ids = _create(session, {k: (members[k], fresh[k]) for k in fresh})
    _grow(session, {k: v for k, v in members.items() if isinstance(k, int)})
    out: dict[int, int] = {}
    for key, group in members.items():
        tid = ids[key] if isinstance(key, str) else key
        for row in group:
            row["trend_id"] = tid
            out[row["id"]] = tid
    _add_to_series(session, [r for r, _ in todo])
    return out


def _add_to_series(session: Session, rows: list[dict[str, Any]]) -> None:
    counts = Counter((r["trend_id"], bucket_of(r["occurred_at"])) for r in rows if r.get("trend_id"))
    if not counts:
        return
    values = [{"trend_id": t, "bucket": b, "count": n} for (t, b), n in sorted(counts.items())]
    ins = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(TrendBucket)
    stmt = ins.on_conflict_do_update(index_elements=["trend_id", "bucket"],
                                     set_={"count": TrendBucket.count + ins.excluded.count})
    session.connection().execute(stmt, values)


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


