"""Fuzzy look-up in a translation memory of any size: word candidates first, then edit-distance scores.

Scoring every stored segment against a query (a brute-force scan) grows with the memory. The index
keeps, for each word key (its first ``PREFIX`` letters, which its inflected forms share), the sorted
ids of the segments that contain it (numpy arrays built once). A look-up takes the segments that
share at least ``MIN_SHARED`` of the query's distinct keys (keys in more than ``COMMON_SHARE`` of all
segments are skipped unless the query has nothing else), keeps the ``CANDIDATES`` that share the most,
and scores only those with rapidfuzz's ``fuzz.ratio`` (0-100). A segment that shares fewer keys than
that scores under the fuzzy threshold in practice, which the tests check against the brute-force
scan. Exact matches come from a dictionary of normalised texts.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WORD = re.compile(r"\w+", re.UNICODE)
MIN_SHARED = 0.5  # share of the query's distinct words a candidate must contain
COMMON_SHARE = 0.05  # words in more segments than this share carry no signal
CANDIDATES = 400  # at most this many segments are scored per look-up
FUZZY_CUTOFF = 70.0
PREFIX = 5  # letters of a word that key it in the index


def normalise(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def words(text: str) -> list[str]:
    """The distinct word keys of ``text``: each word's first ``PREFIX`` letters, so that the inflected
    forms of a Russian or Ukrainian word («аккаунт», «аккаунты», «аккаунтами») share one key."""
    return list(dict.fromkeys(w[:PREFIX] for w in WORD.findall(text.lower())))


@dataclass(frozen=True)
class Hit:
    position: int  # the segment's position in the sequence the index was built from
    score: float


class MemoryIndex:
    """An index over ``sources`` (segment texts); :meth:`search` returns positions with scores."""

    def __init__(self, sources: Sequence[str]) -> None:
        import numpy as np

        self.sources = list(sources)
        self._norm = [normalise(s) for s in self.sources]
        self._exact: dict[str, list[int]] = {}
        vocab: dict[str, int] = {}
        token_ids, seg_ids = array("i"), array("i")  # 4 bytes an entry: a million segments fit
        for pos, norm in enumerate(self._norm):
            self._exact.setdefault(norm, []).append(pos)
            keys = [vocab.setdefault(w, len(vocab)) for w in words(norm)]
            token_ids.extend(keys)
            seg_ids.extend([pos] * len(keys))
        tokens = np.frombuffer(token_ids, dtype=np.int32)
        segs = np.frombuffer(seg_ids, dtype=np.int32)
        order = np.argsort(tokens, kind="stable")
        self._postings = segs[order]
        counts = np.bincount(tokens, minlength=len(vocab)) if len(vocab) else np.zeros(0, dtype=np.int64)
        self._offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._vocab = vocab

    def __len__(self) -> int:
        return len(self.sources)

    def _posting(self, word: str) -> Any:
        t = self._vocab.get(word)
        if t is None:
            return None
        return self._postings[self._offsets[t]:self._offsets[t + 1]]

    def candidates(self, query: str) -> list[int]:
        import numpy as np

        lists = [p for p in (self._posting(w) for w in words(query)) if p is not None]
        if not lists:
            return []
        limit = max(1, int(COMMON_SHARE * len(self.sources)))
        rare = [p for p in lists if len(p) <= limit] or [min(lists, key=len)]
        need = max(1, math.ceil(MIN_SHARED * len(rare)))
        found, counts = np.unique(np.concatenate(rare), return_counts=True)
        keep = counts >= need
        found, counts = found[keep], counts[keep]
        if len(found) > CANDIDATES:
            top = np.argpartition(-counts, CANDIDATES)[:CANDIDATES]
            found = found[top]
        return [int(i) for i in found]

    def search(self, query: str, *, limit: int = 5, cutoff: float = FUZZY_CUTOFF) -> list[Hit]:
        """The best matches of ``query``, exact ones (100) first."""
        from rapidfuzz import fuzz, process

        norm = normalise(query)
        exact = self._exact.get(norm, [])
        hits = [Hit(pos, 100.0) for pos in exact[:limit]]
        if len(hits) >= limit:
            return hits
        pool = [i for i in self.candidates(query) if i not in set(exact)]
        scored = process.extract(norm, [self._norm[i] for i in pool], scorer=fuzz.ratio, score_cutoff=cutoff,
                                 limit=limit - len(hits))
        hits += [Hit(pool[j], round(float(score), 1)) for _, score, j in scored]
        return hits

    def scan(self, query: str, *, limit: int = 5, cutoff: float = FUZZY_CUTOFF) -> list[Hit]:
        """The same answer by scoring every segment (the baseline the index is measured against)."""
        from rapidfuzz import fuzz, process

        scored = process.extract(normalise(query), self._norm, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
        return [Hit(j, round(float(score), 1)) for _, score, j in scored]
