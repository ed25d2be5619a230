"""The in-memory MinHash LSH index of recent trends, one per process and database.

Rebuilding the index from the database for every batch cost a query of every trend of the last
day plus an LSH insert of each; this index is built once and then refreshed with only the trends
committed since the last refresh:

* **watermark**: ``settled`` is an id such that every trend id at or below it is in the index (or
  was too old, or never committed). A refresh reads ``id > settled``. Ids are handed out before
  commit, so a concurrent transaction can commit id 10 after id 11 was seen: missing ids between
  known ones are remembered as gaps and read again at each refresh until they appear or
  ``GAP_GRACE`` has passed (the transaction that took them rolled back).
* **checking**: a candidate the index returns is read back (id, last seen, signature) before a
  signal joins it: it must exist, have the signature the index holds and be within the window.
  A mismatch (the database was emptied and ids reused, e.g. between tests) rebuilds the index.
* **anchors**: a trend's lexicon hits (``anchors_of`` its label: "harm|term key", the same for one term
  in every language and script), so that a text that is no near-duplicate of a trend but names the
  same coded term of the same harm («собачий кайф» in a Russian and a Kazakh post) joins it.
* **eviction**: entries whose last known activity is older than ``2 × WINDOW`` before the newest
  batch are re-read and dropped when the database agrees they went quiet. A batch older than what
  the index covers (a backfill import of last month's reports) loads the index for its own window,
  as the per-batch rebuild did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from datasketch import MinHash, MinHashLSH
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Trend

GAP_GRACE = 120.0  # seconds an id may stay uncommitted before it is taken for rolled back
CHUNK = 5000


class TrendIndex:
    def __init__(self, *, threshold: float, num_perm: int, window: timedelta,
                 to_minhash: Any, anchors_of: Any = None) -> None:
        self.threshold, self.num_perm, self.window = threshold, num_perm, window
        self._to_minhash = to_minhash
        self._anchors_of = anchors_of  # (session, labels) -> the anchors of each label
        self.lock = threading.Lock()
        self.rebuilds = 0
        self._reset()

    def _reset(self) -> None:
        self.lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        self.first: dict[int, int] = {}  # trend id -> first signature value (identity check)
        self.seen_at: dict[int, datetime] = {}  # trend id -> last activity known here
        self.anchored: dict[str, set[int]] = {}  # anchor -> trend ids
        self.anchors: dict[int, frozenset[str]] = {}  # trend id -> its anchors
        self.settled = -1  # -1: never loaded
        self.gaps: dict[int, float] = {}
        self.newest: datetime | None = None
        self.covers_from: datetime | None = None  # trends active since then are all in the index

    def __len__(self) -> int:
        return len(self.first)

    # --- refresh ---------------------------------------------------------------------------------

    def _add_all(self, session: Session, rows: Sequence[Any]) -> None:
        """Add (id, last seen, signature, label) rows; the labels' anchors are read in one call."""
        fresh = [r for r in rows if r[0] not in self.first and len(r[2]) == self.num_perm]
        found = (self._anchors_of(session, [r[3] for r in fresh]) if self._anchors_of is not None and fresh
                 else [frozenset()] * len(fresh))
        for (tid, last_seen, sig, _), mine in zip(fresh, found, strict=True):
            self._add(tid, last_seen, sig, mine)

    def _add(self, tid: int, last_seen: datetime, signature: list[int], found: frozenset[str]) -> None:
        self.lsh.insert(tid, self._to_minhash(signature))
        self.first[tid] = int(signature[0])
        self.seen_at[tid] = last_seen
        if found:
            self.anchors[tid] = found
            for anchor in found:
                self.anchored.setdefault(anchor, set()).add(tid)

    def _drop(self, tid: int) -> None:
        self.lsh.remove(tid)
        del self.first[tid], self.seen_at[tid]
        for anchor in self.anchors.pop(tid, ()):
            ids = self.anchored.get(anchor)
            if ids is not None:
                ids.discard(tid)
                if not ids:
                    del self.anchored[anchor]

    def _load(self, session: Session, since: datetime) -> None:
        self._reset()
        self.rebuilds += 1
        top = session.execute(select(func.max(Trend.id))).scalar_one_or_none() or 0
        q = (select(Trend.id, Trend.last_seen, Trend.signature, Trend.label)
             .where(Trend.last_seen >= since, Trend.id <= top))
        rows = session.execute(q).all()
        for i in range(0, len(rows), CHUNK):
            self._add_all(session, rows[i:i + CHUNK])
        self.settled = top
        self.covers_from = since

    def _settled_still_there(self, session: Session) -> bool:
        """Whether the database still holds the trends this index was built from."""
        below = [t for t in self.first if t <= self.settled]
        if not below:
            top = session.execute(select(func.max(Trend.id))).scalar_one_or_none() or 0
            return top >= self.settled
        tid = max(below)
        sig = session.execute(select(Trend.signature).where(Trend.id == tid)).scalar_one_or_none()
        return sig is not None and len(sig) > 0 and int(sig[0]) == self.first[tid]

    def refresh(self, session: Session, since: datetime) -> None:
        stale = self.covers_from is None or since < self.covers_from  # an older batch (a backfill import)
        if self.settled < 0 or stale or not self._settled_still_there(session):
            self._load(session, since)
            return
        rows = session.execute(select(Trend.id, Trend.last_seen, Trend.signature, Trend.label)
                               .where(Trend.id > self.settled).order_by(Trend.id)).all()
        self._add_all(session, rows)
        ids = {tid for tid, _, _, _ in rows}
        clock = time.monotonic()
        top = max(ids, default=self.settled)
        for gap in range(self.settled + 1, top):
            if gap not in ids:
                self.gaps.setdefault(gap, clock)
        settled = self.settled
        while settled < top:
            nxt = settled + 1
            if nxt in ids or nxt in self.first or clock - self.gaps.get(nxt, clock) > GAP_GRACE:
                self.gaps.pop(nxt, None)
                settled = nxt
            else:
                break
        self.settled = settled

    def _evict(self, session: Session, newest: datetime) -> None:
        cutoff = newest - 2 * self.window
        if self.covers_from is not None:
            self.covers_from = max(self.covers_from, cutoff)
        old = [t for t, at in self.seen_at.items() if at < cutoff]
        for i in range(0, len(old), CHUNK):
            part = old[i:i + CHUNK]
            fresh = dict(session.execute(select(Trend.id, Trend.last_seen).where(Trend.id.in_(part))).all())
            for tid in part:
                at = fresh.get(tid)
                if at is None or at < cutoff:
                    self._drop(tid)
                else:
                    self.seen_at[tid] = at

    # --- lookup ----------------------------------------------------------------------------------

    def _candidates(self, hashes: Sequence[MinHash]) -> list[list[int]]:
        return [sorted(self.lsh.query(mh)) for mh in hashes]

    def _anchored(self, anchors: Sequence[frozenset[str]]) -> list[list[int]]:
        found: dict[frozenset[str], list[int]] = {}  # copies of a text share their anchors: look each set up once
        for mine in anchors:
            if mine not in found:
                found[mine] = sorted({t for a in mine for t in self.anchored.get(a, ())})
        return [found[mine] for mine in anchors]

    def _check(self, session: Session, ids: set[int]) -> dict[int, tuple[datetime, int]] | None:
        """id → (last seen, first signature value) for candidates; None when the index is stale."""
        out: dict[int, tuple[datetime, int]] = {}
        wanted = sorted(ids)
        for i in range(0, len(wanted), CHUNK):
            q = select(Trend.id, Trend.last_seen, Trend.signature).where(Trend.id.in_(wanted[i:i + CHUNK]))
            for tid, last_seen, sig in session.execute(q):
                out[tid] = (last_seen, int(sig[0]) if sig else -1)
        if any(tid not in out or out[tid][1] != self.first.get(tid) for tid in ids):
            return None
        return out

    def lookup(self, session: Session, hashes: Sequence[MinHash], *, since: datetime,
               anchors: Sequence[frozenset[str]] = ()) -> list[int | None]:
        """For each signature, the lowest id of a committed trend near it active since ``since``; failing
        that, the lowest id of such a trend that shares one of the row's ``anchors`` (when given)."""
        with self.lock:
            newest = since + self.window
            self.refresh(session, since)
            found, linked = self._candidates(hashes), self._anchored(anchors)
            checked = self._check(session, {t for ids in found + linked for t in ids})
            if checked is None:  # ids reused by another database or a reset: start again
                self._load(session, since)
                found, linked = self._candidates(hashes), self._anchored(anchors)
                checked = self._check(session, {t for ids in found + linked for t in ids}) or {}
            for tid, (last_seen, _) in checked.items():
                self.seen_at[tid] = max(self.seen_at.get(tid, last_seen), last_seen)

            def live(ids: list[int]) -> int | None:
                return next((t for t in ids if t in checked and checked[t][0] >= since), None)

            out = [live(ids) for ids in found]
            for i, ids in enumerate(linked):
                if out[i] is None:
                    out[i] = live(ids)
            if self.newest is None or newest > self.newest + self.window / 4:
                self.newest = newest
                self._evict(session, newest)
            return out


_indexes: dict[str, TrendIndex] = {}
_lock = threading.Lock()


def index_for(session: Session, **settings: Any) -> TrendIndex:
    """This process's index for the database ``session`` is bound to."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _lock:
        found = _indexes.get(key)
        if found is None:
            found = _indexes[key] = TrendIndex(**settings)
        return found


def forget() -> None:
    """Drop every index of this process (they rebuild on next use)."""
    with _lock:
        _indexes.clear()
