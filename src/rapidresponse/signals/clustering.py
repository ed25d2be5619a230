"""Near-duplicate clustering of report texts into trends (MinHash LSH over folded, transliterated text).

Each inserted batch is clustered incrementally: a text joins the trend whose signature is near it
(estimated Jaccard similarity of character shingles over the threshold), or starts a new one. A
trend whose last signal is older than ``WINDOW`` before the batch is not joined, so a trend that
went quiet for longer starts afresh.

One trend across scripts and languages: shingles are taken from the folded text written in one Latin
skeleton (``language.skeleton``), so a copy typed in Latin letters ("sobachij kajf") is a near
duplicate of the Cyrillic one. A text that is no near duplicate of any trend still joins one that
shares an **anchor** or a media hash (a signal of the trend within the window carries it). An anchor
is a lexicon hit "harm|term key" (``language.term_key``: one key for a term's inflections and for the
same term in every lexicon), so that the same challenge posted in Russian and in Kazakh is one trend.
A trend's anchors are read from its label (its first text) by the index. The trend's split by
language and script is read from its signals (:mod:`.trends`).

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
from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import language
from . import trend_index
from .buckets import bucket_of
from .models import Signal, Trend, TrendBucket

NUM_PERM = 64
THRESHOLD = 0.5
SHINGLE = 5
MIN_CHARS = 12  # shorter texts ("лол", "+1") carry too little to cluster
WINDOW = timedelta(hours=24)
SAMPLES = 5
_SPACES = re.compile(r"\W+")


def shingles(folded: str) -> set[bytes]:
    text = _SPACES.sub(" ", language.skeleton(folded)).strip()
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


def anchors(matches: list[dict[str, Any]]) -> frozenset[str]:
    """The anchors of a text's lexicon hits: "harm|term key"."""
    return frozenset(f"{m['harm']}|{_term_key(m['term'])}" for m in matches if m.get("harm") and m.get("term"))


@lru_cache(maxsize=65536)
def _term_key(term: str) -> str:
    return language.term_key(term)


def _label_anchors(session: Session, labels: list[str]) -> list[frozenset[str]]:
    """The anchors of trends' labels (their first texts), matched in one batch."""
    notes = language.annotate(session, labels, languages=False)
    return [anchors([m.as_dict() for m in note.matches]) for note in notes]


def index_for(session: Session) -> trend_index.TrendIndex:
    return trend_index.index_for(session, threshold=THRESHOLD, num_perm=NUM_PERM, window=WINDOW,
                                 to_minhash=_minhash, anchors_of=_label_anchors)


def _media_trends(session: Session, media: set[str], since: Any) -> dict[str, int]:
    """For media hashes, the lowest trend of a signal carrying one since ``since``."""
    if not media:
        return {}
    q = (select(Signal.media_hash, func.min(Signal.trend_id))
         .where(Signal.media_hash.in_(sorted(media)), Signal.trend_id.is_not(None), Signal.occurred_at >= since)
         .group_by(Signal.media_hash))
    return {str(h): int(t) for h, t in session.execute(q) if h is not None and t is not None}


def signatures(texts: list[set[bytes]]) -> list[MinHash]:
    # crc32 (C, stable across processes) instead of the default SHA-1 wrapper: hashing shingles dominates.
    return MinHash.bulk([list(sh) for sh in texts], num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32,
                        permutations=_permutations())


def assign(session: Session, rows: list[dict[str, Any]]) -> dict[int, int]:
    """Put each inserted row (with ``id``, ``text_folded``, ``occurred_at``, ``harm``) into a trend.

    Returns signal id → trend id for the rows that were clustered."""
    # Copies of one text (a flood of reposts) are shingled, hashed and looked up once.
    distinct = list(dict.fromkeys(r.get("text_folded") or "" for r in rows))
    shingled = {text: sh for text in distinct if (sh := shingles(text))}
    todo = [(r, shingled[text]) for r in rows if (text := r.get("text_folded") or "") in shingled]
    if not todo:
        return {}
    latest = max(r["occurred_at"] for r, _ in todo)
    texts = list(shingled)
    slot = {text: i for i, text in enumerate(texts)}
    first_row: dict[str, dict[str, Any]] = {}
    for r, _ in todo:
        first_row.setdefault(r.get("text_folded") or "", r)
    unique_hashes = signatures([shingled[t] for t in texts])
    unique_linked = [anchors(first_row[t].get("lexicon_matches") or []) for t in texts]
    unique_found = index_for(session).lookup(session, unique_hashes, since=latest - WINDOW, anchors=unique_linked)
    at = [slot[r.get("text_folded") or ""] for r, _ in todo]
    hashes = [unique_hashes[i] for i in at]
    linked = [unique_linked[i] for i in at]
    found_by_row = [unique_found[i] for i in at]
    by_media = _media_trends(session, {r["media_hash"] for r, _ in todo if r.get("media_hash")}, latest - WINDOW)
    local = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)  # trends started by this batch
    members: dict[int | str, list[dict[str, Any]]] = {}
    fresh: dict[str, MinHash] = {}
    joined: dict[str, int | str] = {}  # media hash or anchor -> the trend that rows of this batch with it joined
    for (row, _), mh, known, mine in zip(todo, hashes, found_by_row, linked, strict=True):
        media = row.get("media_hash")
        ties = [f"media|{media}"] * bool(media) + sorted(mine)
        key: int | str
        if known is not None:
            key = known
        elif media and media in by_media:
            key = by_media[media]
        elif found := local.query(mh):
            key = min(found)
        elif tied := [joined[t] for t in ties if t in joined]:
            key = tied[0]
        else:
            key = f"new{len(fresh):09d}"
            fresh[key] = mh
            local.insert(key, mh)
        for t in ties:
            joined.setdefault(t, key)
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


