"""Matching PDQ hashes within a Hamming distance: a FAISS binary index, and numpy brute force.

``PdqIndex`` holds every live entry of every hash list in one ``faiss.IndexBinaryFlat`` (exhaustive
search with hardware popcount: exact, no training, fast enough for millions of 256-bit hashes) and
answers range queries, each list with its own distance threshold. ``brute_force`` is the same
query in vectorised numpy, the baseline that tests and ``benchmarks/matching.py`` compare with; an
installation without the ``hashing`` extra (no FAISS) matches with it, with the same answers, slower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..extras import available
from .pdq import BITS

# Bits set in each byte value: the popcount of a 256-bit XOR is the sum over its 32 bytes.
POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


@dataclass(frozen=True)
class Hit:
    query: int  # index of the query hash
    position: int  # row of the indexed hash
    distance: int


class PdqIndex:
    """Hashes (an (n, 32) uint8 array) with a per-row distance threshold."""

    def __init__(self, vectors: np.ndarray, thresholds: np.ndarray) -> None:
        if vectors.ndim != 2 or vectors.shape[1] != BITS // 8:
            raise ValueError("vectors must be an (n, 32) uint8 array")
        self.size = int(vectors.shape[0])
        self.thresholds = np.asarray(thresholds, dtype=np.int32)
        self.radius = int(self.thresholds.max()) if self.size else -1
        self.vectors = np.ascontiguousarray(vectors, dtype=np.uint8)
        self.index = None
        if available("faiss"):
            import faiss

            self.index = faiss.IndexBinaryFlat(BITS)
            if self.size:
                self.index.add(self.vectors)

    def search(self, queries: np.ndarray) -> list[Hit]:
        """Every (query, row) within that row's threshold, nearest first per query."""
        if not self.size or not len(queries):
            return []
        q = np.ascontiguousarray(queries, dtype=np.uint8)
        if self.index is None:
            return brute_force(self.vectors, self.thresholds, q)
        # FAISS binary range search returns distances strictly below the radius.
        lims, dist, ids = self.index.range_search(q, self.radius + 1)
        keep = dist <= self.thresholds[ids]
        hits: list[Hit] = []
        for qi in range(len(q)):
            lo, hi = int(lims[qi]), int(lims[qi + 1])
            sel = np.nonzero(keep[lo:hi])[0] + lo
            order = sel[np.lexsort((ids[sel], dist[sel]))]
            hits += [Hit(qi, int(ids[j]), int(dist[j])) for j in order]
        return hits


def hamming(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Distances from one (32,) query to every row of ``vectors``, vectorised with a popcount table."""
    return POPCOUNT[np.bitwise_xor(vectors, query)].sum(axis=1, dtype=np.int32)


def brute_force(vectors: np.ndarray, thresholds: np.ndarray | int, queries: Sequence[np.ndarray] | np.ndarray
                ) -> list[Hit]:
    """The same answer as ``PdqIndex.search`` (same order), computed in numpy."""
    limit = np.broadcast_to(np.asarray(thresholds, dtype=np.int32), (len(vectors),))
    hits: list[Hit] = []
    for qi, query in enumerate(queries):
        dist = hamming(vectors, query)
        sel = np.nonzero(dist <= limit)[0]
        order = sel[np.lexsort((sel, dist[sel]))]
        hits += [Hit(qi, int(j), int(dist[j])) for j in order]
    return hits
