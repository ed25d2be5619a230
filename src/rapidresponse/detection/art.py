"""An adaptive-resonance detector: Fuzzy ART categories of recent windows, scored by the information of novelty.

Designed from the published Fuzzy ART algorithm (Carpenter, Grossberg and Rosen, "Fuzzy ART: fast stable learning
and categorization of analog patterns by an adaptive resonance system", Neural Networks 4, 1991) and the idea of
dual vigilance (Brito da Silva, Elnabarawy and Wunsch, "Dual vigilance fuzzy adaptive resonance theory", Neural
Networks 109, 2019). Per series and per bucket:

1. **Input**: the last ``w`` values (transformed as the novelty detector does: counts on the Anscombe scale),
   min-max normalised by the series' running range: its extremes so far (Fuzzy ART's fixed normalisation, learned
   as the series goes; with a finite ``range_memory`` the range also shrinks towards the data by ``1 /
   range_memory`` of its span per bucket, which did worse on every measure in ``benchmarks/README.md``).
   Complement coding makes a category a box ``[u, v]`` in ``[0, 1]^w`` (stored in the transformed units, so a
   change of range re-scales every box exactly).
2. **Fuzzy ART**: with ``I`` the complement-coded input (``|I| = w``) and a category's weight ``W`` (the box),
   ``|I ∧ W| = w - size(box ∪ input)`` and ``|W| = w - size(box)``. The *match* is ``|I ∧ W| / |I|`` and the
   *choice* ``|I ∧ W| / (alpha + |W|)``. The input resonates with the category of highest choice among those whose
   match reaches the vigilance ``rho``, which then learns the input (fast learning, ``beta = 1``: the box grows to
   take it). If none reaches it, the input commits a new category (its own point). Every series keeps at most
   ``categories`` of them; when full, the least recently chosen one is recycled.
3. **Events** (dual vigilance): per window length, *new* = the input needed a new category (no category within
   ``rho``), and *far* = it is not within the lower vigilance ``rho_lb`` of any category either. Windows of one
   value (the level) and of ``window`` values (the shape of the recent curve).
4. **Surprise**: as in the novelty detector: each kind of event has its own exponentially weighted rate in this
   series (with a prior of half an event), the surprise of a bucket is the sum of ``-log10`` of the rates of its
   events, the score that surprise over ``scale`` decades, capped at 1; one report per episode (a score is
   emitted only if it beats every score since the last emitted one, for ``hold`` buckets) and silence for
   ``hold`` buckets after a sure alert.

The constants come from the papers or from the novelty detector they sit beside, not from a benchmark:
``alpha = 0.001`` (the papers' small choice parameter), ``rho = 7/8`` (a category spans on average at most an
eighth of the range per value: the novelty detector's eight levels), ``rho_lb = 3/4`` (twice as far: the dual
vigilance paper's lower bound is a fraction of the upper one), ``window = 5`` (the novelty detector's longest
context), the memories, prior, scale and hold of the novelty detector. ``categories = 128`` is a capacity (memory
per series), not a fitted value.

The state of a series is ``categories x window x 2`` floats: heavier than the novelty detector's (a screen over
100,000 live series should not run it on every series; see ``benchmarks/README.md``). Missing buckets (NaN)
change nothing and score 0. Everything is causal: bucket i uses buckets <= i only, and the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import BoolArray
from .novelty import anscombe, report_once
from .series_io import FloatArray


@dataclass(frozen=True)
class ArtConfig:
    windows: tuple[int, ...] = (1, 5)
    categories: int = 128
    vigilance: float = 0.875
    lower_vigilance: float = 0.75
    alpha: float = 0.001
    range_memory: float = float("inf")  # buckets for an unrefreshed range to shrink by a factor e (inf: never)
    learn_rows: int = 400  # buckets while a series is judged a count series (non-negative integers)
    quiet_rows: int = 150
    hold: int = 150
    memory: float = 2000.0
    prior: float = 0.5
    scale: float = 19.0
    sure: float = 0.5

    @property
    def n_kinds(self) -> int:
        return 2 * len(self.windows)


class _Module:
    """Fuzzy ART over windows of ``d`` values, for ``n`` series at once."""

    def __init__(self, n: int, d: int, k: int) -> None:
        self.d, self.k = d, k
        self.u = np.zeros((n, k, d))
        self.v = np.zeros((n, k, d))
        self.used = np.zeros((n, k), dtype=bool)
        self.last = np.zeros((n, k), dtype=np.int64)

    def present(self, idx: slice | np.ndarray, a: FloatArray, span: FloatArray, clock: np.ndarray, cfg: ArtConfig,
                ready: BoolArray) -> tuple[BoolArray, BoolArray]:
        """Present input ``a`` (series ``idx``, transformed units, shape (m, d)); learn; return (new, far)."""
        u, v, used, last = self.u[idx], self.v[idx], self.used[idx], self.last[idx]
        s = span[:, None]
        size = (v - u).sum(axis=2) / s
        grown = (np.maximum(v, a[:, None, :]) - np.minimum(u, a[:, None, :])).sum(axis=2) / s
        match = np.where(used, 1.0 - grown / self.d, -np.inf)
        choice = (self.d - grown) / (cfg.alpha + self.d - size)
        passes = match >= cfg.vigilance
        new: BoolArray = np.asarray(~passes.any(axis=1))
        far: BoolArray = np.asarray(~(match >= cfg.lower_vigilance).any(axis=1))
        rows = np.arange(len(a))
        best = np.argmax(np.where(passes, choice, -np.inf), axis=1)
        # a new category goes to a free slot, else to the least recently chosen one
        slot = np.where(new, np.argmin(np.where(used, last, np.iinfo(np.int64).min), axis=1), best)
        take = ready
        r, j = rows[take], slot[take]
        av = a[take]
        u[r, j] = np.where(new[take, None], av, np.minimum(u[r, j], av))
        v[r, j] = np.where(new[take, None], av, np.maximum(v[r, j], av))
        used[r, j] = True
        last[r, j] = clock[take]
        self.u[idx], self.v[idx], self.used[idx], self.last[idx] = u, v, used, last
        return new & ready, far & ready


class ArtEvents:
    """The ART events of ``n`` series: the input, range and categories, without a score (see the module docstring).

    Also an extra source of events for the novelty detector (``NoveltyBank(n, extra=ArtEvents(n))``).
    """

    def __init__(self, n: int, config: ArtConfig | None = None) -> None:
        self.cfg = c = config or ArtConfig()
        self.kinds = c.n_kinds
        self.lo = np.full(n, np.inf)
        self.hi = np.full(n, -np.inf)
        self.hist = np.zeros((n, max(c.windows)))
        self.modules = [_Module(n, d, c.categories) for d in c.windows]

    def _arrays(self) -> list[np.ndarray]:
        return [self.lo, self.hi, self.hist, *(a for m in self.modules for a in (m.u, m.v, m.used, m.last))]

    def save(self, rows: np.ndarray) -> list[np.ndarray]:
        return [a[rows].copy() for a in self._arrays()]

    def restore(self, rows: np.ndarray, saved: list[np.ndarray]) -> None:
        for a, b in zip(self._arrays(), saved, strict=True):
            a[rows] = b

    def reset_range(self, rows: np.ndarray) -> None:
        self.lo[rows], self.hi[rows] = np.inf, -np.inf

    def events(self, idx: slice | np.ndarray, y: FloatArray, cnt: np.ndarray, counts: BoolArray) -> BoolArray:
        """Present transformed values ``y`` of series ``idx`` (``cnt`` buckets seen before); (m, kinds) events."""
        c = self.cfg
        hist = self.hist[idx]
        hist[:, 1:] = hist[:, :-1]
        hist[:, 0] = y
        self.hist[idx] = hist
        # the running range: a new extreme at once, otherwise shrinking slowly towards the data
        lo, hi = self.lo[idx], self.hi[idx]
        first = ~np.isfinite(lo)
        span = np.where(first, 0.0, hi - lo)
        shrink = span / c.range_memory / 2.0
        lo = np.where(first, y, np.minimum(lo + shrink, y))
        hi = np.where(first, y, np.maximum(hi - shrink, y))
        self.lo[idx], self.hi[idx] = lo, hi
        floor = np.where(counts, 1.0, 1e-9 * np.maximum(np.abs(hi), np.abs(lo)))  # one Poisson noise unit
        span = np.maximum(hi - lo, floor)
        span = np.where(span > 0, span, 1.0)
        out = np.zeros((len(y), self.kinds), dtype=bool)
        for k, (d, module) in enumerate(zip(c.windows, self.modules, strict=True)):
            out[:, 2 * k], out[:, 2 * k + 1] = module.present(idx, hist[:, :d], span, cnt, c, cnt >= d - 1)
        return out


class ArtBank:
    """Vectorised state of ``n`` series (see the module docstring)."""

    name = "art"

    def __init__(self, n: int, config: ArtConfig | None = None) -> None:
        self.cfg = c = config or ArtConfig()
        self.n = n
        self.count = np.zeros(n, dtype=np.int64)
        self.counts = np.ones(n, dtype=bool)
        self.art = ArtEvents(n, c)
        self.rate = np.zeros((n, c.n_kinds))
        self.gate = np.zeros(n)
        self.since = np.full(n, 1 << 40, dtype=np.int64)

    def step(self, epoch: FloatArray, values: FloatArray, active: BoolArray | None = None) -> FloatArray:
        ok = ~np.isnan(values)
        if active is not None:
            ok &= active
        out = np.zeros(self.n)
        idx = np.flatnonzero(ok)
        if len(idx):
            out[idx] = self._step(idx, values[idx])
        return out

    def _step(self, idx: np.ndarray, x: FloatArray) -> FloatArray:
        c = self.cfg
        cnt = self.count[idx]
        counts = self.counts[idx] & ~((cnt < c.learn_rows) & ((x < 0) | (x != np.floor(x))))
        if bool((self.counts[idx] & ~counts).any()):  # no longer a count series: its range restarts in raw units
            self.art.reset_range(idx[self.counts[idx] & ~counts])
        self.counts[idx] = counts
        y = np.where(counts, anscombe(x), x)
        novel = self.art.events(idx, y, cnt, counts)
        a = np.maximum(1.0 / c.memory, 1.0 / (cnt + 1.0))
        rate = self.rate[idx]
        n_eff = np.minimum(cnt, c.memory)[:, None]
        p = (rate * n_eff + c.prior) / (n_eff + 2.0 * c.prior)
        surprise = np.where(novel, -np.log10(p), 0.0).sum(axis=1)
        score = np.minimum(surprise / c.scale, 1.0)
        self.rate[idx] = rate * (1.0 - a)[:, None] + novel * a[:, None]
        score[cnt < c.quiet_rows] = 0.0
        result, self.gate[idx], self.since[idx] = report_once(score, self.gate[idx], self.since[idx], c.hold, c.sure)
        self.count[idx] = cnt + 1
        return result
