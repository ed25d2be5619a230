"""CAD OSE, the contextual anomaly detector (open-source edition), re-implemented from its description.

One of the strongest published detectors on NAB (Smirnov, 2016; the copy in the NAB repository is MIT licensed).
Per series:

1. **Facts of a value**: the value is quantised into ``2**bits`` levels of its range and written in binary; bit k
   of the level gives the fact ``2k + bit``. A value is thus a small set of facts (3 of 6 possible).
2. **Contexts**: a context is a pair (left facts, right facts): the left part is what was known before this row
   (the previous row's value facts and the "neurons" active then), the right part is this row's value facts.
   Each row stores its exact pair as a *zero-level* context if it is new; a context is kept as two
   *semi-contexts* (left, right), each shared by every context with the same set of facts.
3. **Crossing**: each row matches the stored semi-contexts against the current facts. A context whose left part
   is fully matched is *selected*; if its right part is fully matched too, it is *active* (it predicted this
   row). When the row's zero-level context was new, the partial overlaps of the zero-level contexts with the
   current facts (left part up to ``max_left`` facts) are candidate new contexts, stored at the next row.
4. **Neurons**: the ``max_neurons`` active contexts that have been active most often become facts of the next
   row's left part (fact ``2**31 + context id``): the detector's memory of the recent shape of the series.
5. **Score**: ``(1 - active/selected + new/candidates) / 2`` -- the share of selected contexts that failed to
   predict the row, plus the share of candidate contexts that were really new, halved. After a score of at
   least ``threshold`` (0.75) the series is silent for ``rest_period`` rows.

Two orders of the reference are arbitrary but change its output, and are reproduced so that the outputs can be
compared row by row: ties between equally often active contexts are broken by the classic (CPython 2 / <= 3.7)
tuple hash of their facts, and candidate contexts are made in the iteration order of CPython 2's dicts (contexts
of one left semi-context by the slot of their right semi-context's id). With both, the re-implementation
reproduces NAB's published contextOSE outputs exactly when given the values that run read.

The quantisation range and the rest period: NAB's harness gives every detector the file's minimum and maximum
and the probationary period (``rest_period = probation / 5``); both look ahead. ``CadBank(n, ranges=...,
rest_periods=...)`` takes them (the NAB faithfulness check in ``benchmarks/nab.py`` does). Without them the
detector is causal: the range is that of the first ``learn_rows`` values (held, then replayed at once; their
scores are 0), levels beyond it continue in the same steps (more bits above, a sign fact below), and the rest
period is ``rest_period`` (NAB's value for a full 750-row probation).

Missing values (NaN) and inactive series change nothing and score 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .base import BoolArray
from .series_io import FloatArray

NEURON_BASE = 1 << 31
NEGATIVE_FACT = -1  # the level is below the learned range (causal mode only)
_MASK = (1 << 64) - 1


@dataclass(frozen=True)
class CadConfig:
    bits: int = 3  # levels = 2 ** bits
    threshold: float = 0.75  # a score this high silences the series for ``rest_period`` rows
    rest_period: int = 150
    max_left: int = 7  # facts in the left part of a candidate context
    max_neurons: int = 15
    learn_rows: int = 400  # causal mode: rows whose range sets the levels


def classic_tuple_hash(items: Sequence[int]) -> int:
    """CPython's tuple hash before 3.8 (64-bit) of a tuple of small ints: the reference's tie-break order."""
    x, mult, left = 0x345678, 1000003, len(items)
    for v in items:
        y = -2 if v == -1 else v
        x = ((x ^ y) * mult) & _MASK
        left -= 1
        mult = (mult + 82520 + 2 * left) & _MASK
    x = (x + 97531) & _MASK
    x = x - (1 << 64) if x >= 1 << 63 else x
    return -2 if x == -1 else x


class _Grow:
    """A growable int64 array (amortised appends, a view of the filled part)."""

    __slots__ = ("data", "size")

    def __init__(self, capacity: int = 16) -> None:
        self.data = np.zeros(capacity, dtype=np.int64)
        self.size = 0

    def append(self, value: int) -> None:
        if self.size == len(self.data):
            self.data = np.concatenate([self.data, np.zeros(len(self.data), dtype=np.int64)])
        self.data[self.size] = value
        self.size += 1

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]


class _Py2IntDict:
    """The iteration order of a CPython 2 dict of non-negative int keys (open addressing, no deletions).

    The reference walked each left semi-context's contexts in this order; it decides the order of the candidate
    contexts, hence their ids, hence the tie-breaks: kept so that the outputs can be compared row by row."""

    __slots__ = ("slots", "used")

    def __init__(self) -> None:
        self.slots: list[int | None] = [None] * 8
        self.used = 0

    def _place(self, key: int) -> None:
        mask = len(self.slots) - 1
        i, perturb = key & mask, key
        while self.slots[i & mask] is not None:
            i = (i << 2) + i + perturb + 1
            perturb >>= 5
        self.slots[i & mask] = key

    def add(self, key: int) -> bool:
        """Insert a new key; True if the table was rebuilt (every key's position may have changed)."""
        self._place(key)
        self.used += 1
        if self.used * 3 < len(self.slots) * 2:
            return False
        size = 8
        while size <= 4 * self.used:
            size <<= 1
        old, self.slots = self.slots, [None] * size
        for k in old:
            if k is not None:
                self._place(k)
        return True


class _Side:
    """The semi-contexts of one side: their facts, and per fact the semi-contexts that hold it."""

    def __init__(self) -> None:
        self.by_facts: dict[tuple[int, ...], int] = {}
        self.facts: list[tuple[int, ...]] = []
        self.sizes = _Grow()
        self.of_fact: dict[int, _Grow] = {}
        self.hits = np.zeros(0, dtype=np.int64)  # matched facts per semi-context at the last crossing

    def get(self, facts: tuple[int, ...]) -> int:
        sid = self.by_facts.get(facts)
        if sid is None:
            sid = self.by_facts[facts] = len(self.facts)
            self.facts.append(facts)
            self.sizes.append(len(facts))
            for f in facts:
                self.of_fact.setdefault(f, _Grow()).append(sid)
        return sid

    def cross(self, facts: Sequence[int]) -> None:
        """Count, for every semi-context, how many of the current facts it holds."""
        parts = [self.of_fact[f].view for f in facts if f in self.of_fact]
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        self.hits = np.bincount(ids, minlength=len(self.facts))

    def matched(self, sid: int, current: set[int]) -> tuple[int, ...]:
        return tuple(filter(current.__contains__, self.facts[sid]))


class CadSeries:
    """The detector for one series, with a fixed quantisation range (see the module docstring).

    Contexts are columns of arrays (left and right semi-context, counters, zero-level flag, hashes), so that
    crossing a row with every stored context is a few vectorised operations."""

    def __init__(self, lo: float, hi: float, config: CadConfig | None = None, rest_period: int | None = None) -> None:
        self.cfg = c = config or CadConfig()
        self.lo = float(lo)
        self.top = 2.0 ** c.bits - 1.0
        full = float(hi) - self.lo
        self.step_size = (full if full != 0.0 else self.top) / self.top
        self.rest = int(c.rest_period if rest_period is None else rest_period)
        self.left_facts: tuple[int, ...] = ()
        self.sides = (_Side(), _Side())
        self.links: dict[tuple[int, int], int] = {}  # (left id, right id) -> context id
        self.orders: dict[int, _Py2IntDict] = {}  # per left semi-context: the order of its contexts
        self.rank = _Grow()  # a context's position in its left semi-context's order
        self.ctx_left, self.ctx_right = _Grow(), _Grow()
        self.seen, self.hit, self.active = _Grow(), _Grow(), _Grow()
        self.zero = _Grow()
        self.lhash, self.rhash = _Grow(), _Grow()
        self.new_context: int | None = None
        self.history: list[float] = [1.0]

    def facts(self, value: float) -> tuple[int, ...]:
        q = (value - self.lo) / self.step_size
        level = int(q) if q >= 0 else math.floor(q)
        out = [NEGATIVE_FACT] if level < 0 else []
        level = abs(level)
        width = max(self.cfg.bits, level.bit_length())
        out += [2 * k + ((level >> k) & 1) for k in range(width)]
        return tuple(sorted(out))

    def update(self, value: float) -> float:
        pct_active, pct_new = self._step(self.facts(value))
        score = (1.0 - pct_active + pct_new) / 2.0
        recent = self.history[-self.rest:] if self.rest > 0 else self.history
        out = score if max(recent) < self.cfg.threshold else 0.0
        self.history.append(score)
        if self.rest > 0 and len(self.history) > self.rest + 1:
            del self.history[: len(self.history) - self.rest - 1]
        return out

    # --- the context memory ---------------------------------------------------------------------------------

    def _store(self, left: tuple[int, ...], right: tuple[int, ...], zero: bool) -> bool:
        """Store the context (left, right) if new; True if it was. A zero-level pair that exists is marked so."""
        lid, rid = self.sides[0].get(left), self.sides[1].get(right)
        cid = self.links.get((lid, rid))
        if cid is None:
            cid = self.links[(lid, rid)] = self.ctx_left.size
            self.ctx_left.append(lid)
            self.ctx_right.append(rid)
            self.rank.append(0)
            order = self.orders.setdefault(lid, _Py2IntDict())
            if order.add(rid):
                for slot, key in enumerate(order.slots):
                    if key is not None:
                        self.rank.data[self.links[(lid, key)]] = slot
            else:
                self.rank.data[cid] = order.slots.index(rid)
            for counter in (self.seen, self.hit, self.active):
                counter.append(0)
            self.zero.append(int(zero))
            self.lhash.append(classic_tuple_hash(left))
            self.rhash.append(classic_tuple_hash(right))
            if zero:
                self.new_context = cid
            return True
        if zero:
            self.zero.data[cid] = 1
        return False

    def _step(self, facts: tuple[int, ...]) -> tuple[float, float]:
        candidates_seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        new_zero = False
        if self.left_facts and facts:
            pair = (self.left_facts, facts)
            candidates_seen.add(pair)
            new_zero = self._store(*pair, zero=True)
        self.sides[1].cross(facts)
        active, selected, candidates = self._evaluate(new_zero, set(facts))
        candidates_seen.update(candidates)
        pct_active = len(active) / selected if selected else 0.0
        neurons = {NEURON_BASE + cid for cid in active[-self.cfg.max_neurons:]}
        self.left_facts = tuple(sorted(set(facts) | neurons))
        added = sum(self._store(left, right, zero=False) for left, right in candidates)
        self.sides[0].cross(self.left_facts)
        added += int(new_zero)
        pct_new = added / len(candidates_seen) if new_zero and candidates_seen else 0.0
        return pct_active, pct_new

    def _evaluate(self, new_zero: bool, current: set[int]) -> tuple[list[int], int,
                                                                     list[tuple[tuple[int, ...], tuple[int, ...]]]]:
        """Update the contexts whose left part was fully matched at the previous row. Returns the active ones
        (ordered by how often they were active, then by hash), how many were selected, and the candidate new
        contexts (in the reference's order: by left semi-context, then by context)."""
        left, right = self.sides
        n = self.ctx_left.size
        cl, cr = self.ctx_left.view, self.ctx_right.view
        lhits = np.zeros(n, dtype=np.int64)
        known = cl < len(left.hits)  # left parts stored after the last crossing hold no matched facts
        lhits[known] = left.hits[cl[known]]
        lsize = left.sizes.view[cl]
        rhits = np.zeros(n, dtype=np.int64)
        rhits[:] = right.hits[cr]
        rsize = right.sizes.view[cr]
        usable = np.ones(n, dtype=bool)
        # The reference skips the context created at this row, and -- a quirk kept for fidelity -- context 0 on
        # rows that created none.
        skip = self.new_context if self.new_context is not None else 0
        if skip < n:
            usable[skip] = False
        self.new_context = None
        full = usable & (lhits > 0) & (lsize == lhits)
        selected = int(full.sum())
        self.seen.view[full] += rsize[full]
        some = full & (rhits > 0)
        self.hit.view[some] += rhits[some]
        act = some & (rsize == rhits)
        self.active.view[act] += 1
        ids = np.flatnonzero(act)
        order = np.lexsort((self.rhash.view[ids], self.lhash.view[ids], self.active.view[ids]))
        active = ids[order].tolist()
        candidates: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        if new_zero:
            cand = (usable & (self.zero.view == 1) & (lhits > 0) & (lhits <= self.cfg.max_left) & (rhits > 0)
                    & ~act)
            cids = np.flatnonzero(cand)
            cids = cids[np.lexsort((self.rank.view[cids], cl[cids]))]
            current_left = set(self.left_facts)  # what the left side was crossed with
            rights = {r: right.matched(r, current) for r in set(cr[cids].tolist())}
            candidates = [(left.matched(lid, current_left), rights[rid])
                          for lid, rid in zip(cl[cids].tolist(), cr[cids].tolist(), strict=True)]
        return active, selected, candidates


class CadBank:
    """``n`` series of CAD OSE. Optional ``ranges`` (min, max per series) and ``rest_periods`` are NAB's harness
    conventions (they look ahead); without them each series learns its range from its first ``learn_rows`` values."""

    name = "cad"

    def __init__(self, n: int, config: CadConfig | None = None, *,
                 ranges: Sequence[tuple[float, float]] | None = None,
                 rest_periods: Sequence[int] | None = None) -> None:
        self.cfg = config or CadConfig()
        self.n = n
        self.rest_periods = list(rest_periods) if rest_periods is not None else [self.cfg.rest_period] * n
        self.series: list[CadSeries | None] = [None] * n
        self.pending: list[list[float]] = [[] for _ in range(n)]
        if ranges is not None:
            self.series = [CadSeries(lo, hi, self.cfg, r) for (lo, hi), r in zip(ranges, self.rest_periods,
                                                                                  strict=True)]

    def step(self, epoch: FloatArray, values: FloatArray, active: BoolArray | None = None) -> FloatArray:
        out = np.zeros(self.n)
        ok = ~np.isnan(values)
        if active is not None:
            ok &= active
        for j in np.flatnonzero(ok).tolist():
            x = float(values[j])
            det = self.series[j]
            if det is not None:
                out[j] = det.update(x)
                continue
            held = self.pending[j]
            held.append(x)
            if len(held) >= self.cfg.learn_rows:
                det = self.series[j] = CadSeries(min(held), max(held), self.cfg, self.rest_periods[j])
                for v in held:
                    det.update(v)
                self.pending[j] = []
        return out
