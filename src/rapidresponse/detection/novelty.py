"""The default detector: novelty of recent patterns, scored by its information content, reported once per episode.

Per series and per bucket:

1. **Quantise** the value into 8 levels (and 4 and 8 for the time contexts) of the range seen while learning (the first
   ``learn_rows`` buckets). Beyond that range the levels grow geometrically (1, 2, 4 … level widths past the edge):
   the first excursion past the known range is a new level, but a heavy-tailed series does not produce a new level
   for every larger value, forever.
2. **Contexts**: for each resolution, the last 1…``max_context`` levels (a level, a pair, a triple …: the
   shape of the recent curve, as in CAD OSE / ARTime), and (level, hour of day) and (level, day of week) for
   the coarse resolutions (seasonality: a normal value at an abnormal time of day or week). A context is
   *novel* if this series has never produced it before.
   Contexts are remembered in one shared table (a byte per slot) keyed by a 64-bit hash of (series, context), so
   the state of 100,000 series is a few arrays, 58 MB of hour-slot statistics and a 128 MB table, all updated in
   one vectorised step (every key of a tick hashed into one array and looked up in one gather).
3. **Deviations** (an ensemble with a residual z-score, in the same currency): two more kinds of event per
   ``deviations`` multiple k (5 and 10 by default): the value is more than k standard deviations from the
   series' recent mean (exponentially weighted over ``recent_memory`` buckets), and more than k standard
   deviations from its mean *at this hour of day* (per hour-slot statistics over the last ``season_memory``
   observations of that slot, once it has ``season_min`` of them). The first catches spikes and dips in
   heavy-tailed or drifting series whose quantised levels are all known; the second, the seasonal residual,
   catches a normal value at an abnormal time of day (a missing daily peak, a flat day). They are scored like the
   contexts below: a series where 5-sigma excursions are routine learns that they carry no information. (Why:
   the residual z-score is the other half of the ensembles that do well on NAB-style data, and daily seasonality
   is the commonest shape of report streams; on the NAB development subset these events take the standard score
   from 63.5 to 69.4, and low-FP from 57.7 to 60.7.)
4. **Surprise**: each kind of context k (the level, the pair, … the 5-gram, (level, hour) …) has its own rate
   p_k of novelty in this series (an exponentially weighted frequency with a ``prior`` of half a novelty, so
   it is never 0). The surprise of a bucket is the information of its novel contexts, sum of -log10 p_k over
   them, and the score is that surprise over ``scale`` decades, capped at 1. A noisy series, whose long
   contexts are novel all the time, gets almost nothing from them, while a new level in a clean series is
   worth several decades: one configuration for all series, and, unlike a fraction of novel contexts, the
   rare kinds of novelty weigh more than the common ones.
5. **One report per episode**: a score is emitted only if it beats every score since the last emitted one
   (forgotten after ``hold`` buckets); otherwise the output is 0. After a sure alert (score >= ``sure``) the
   series is silent for ``hold`` buckets. An alert fires early and does not repeat.

``NoveltyConfig(surprise="likelihood", geometric=False, deviations=())`` is an earlier default (registered as
``novelty-likelihood``): the fraction of novel contexts, scored by Numenta's anomaly likelihood (a normal fit of
the series' history of fractions, with lower bounds on its mean and variance), linear levels outside the range,
no silence after sure alerts.

Count series (only non-negative integers while learning: user reports, hits) are quantised on the Anscombe
scale 2·sqrt(x + 3/8), where Poisson noise has unit spread, with levels at least one noise unit wide: a
sparse series (a few reports an hour) does not alarm on every 3 after a run of 0s and 1s, a burst does.

Missing buckets (NaN) change nothing and score 0. Everything is causal: bucket i uses buckets <= i only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .base import BoolArray, StateSpec, check_state
from .mathutil import combine, log10_normal_tail, mix64
from .series_io import FloatArray

DAY = 86400.0
EPOCH_WEEKDAY_SHIFT = 3.0  # 1970-01-01 was a Thursday: (days + 3) % 7 == 0 on Mondays
DEVIATION_MIN_ROWS = 10  # buckets before the recent-mean residual counts
LEVEL_LIMIT = 1 << 40
ROW_STATE = ("count", "lo", "hi", "counts", "hist", "mu", "var", "rate", "gate", "rmean", "rvar", "since")


@dataclass(frozen=True)
class NoveltyConfig:
    resolutions: tuple[int, ...] = (8,)
    max_context: int = 5
    time_resolutions: tuple[int, ...] = (4, 8)
    hour_slots: int = 24
    learn_rows: int = 400
    quiet_rows: int = 150
    hold: int = 150
    memory: float = 2000.0  # buckets of memory of the novelty rates (or of the raw-anomaly distribution)
    surprise: str = "information"  # or "likelihood" (an earlier default)
    geometric: bool = True  # levels beyond the learned range grow geometrically
    prior: float = 0.5  # pseudo-novelties in each rate p_k (and as many pseudo-non-novelties)
    scale: float = 19.0  # decades of surprise for a score of 1 (the NAB operating point is near 0.5)
    sure: float = 0.5  # a score this high silences the series for ``hold`` buckets (> 1: never)
    deviations: tuple[float, ...] = (5.0, 10.0)  # z multiples of the recent and the seasonal residual events
    recent_memory: float = 1000.0  # buckets of memory of the recent mean and variance
    season_memory: float = 30.0  # observations of memory of each hour slot's mean and variance
    season_min: int = 3  # observations of an hour slot before its residual counts
    mean_floor: float = 0.03  # likelihood only
    var_floor: float = 0.0003  # likelihood only

    @property
    def n_keys(self) -> int:
        return len(self.resolutions) * self.max_context + 2 * len(self.time_resolutions) + 2 * len(self.deviations)


class EventSource(Protocol):
    """More kinds of event for the surprise sum (e.g. ``art.ArtEvents``): one row of state per series."""

    kinds: int

    def events(self, idx: slice | np.ndarray, y: FloatArray, cnt: np.ndarray, counts: BoolArray) -> BoolArray:
        """(series, kinds) events of transformed values ``y``; learns from them."""
        ...

    def save(self, rows: np.ndarray) -> list[np.ndarray]: ...

    def restore(self, rows: np.ndarray, saved: list[np.ndarray]) -> None: ...

    def reset_range(self, rows: np.ndarray) -> None: ...


def report_once(score: FloatArray, gate: FloatArray, since: np.ndarray, hold: int,
                sure: float) -> tuple[FloatArray, FloatArray, np.ndarray]:
    """One report per episode, silence after a sure alert: the scores reported (the others 0) and the new
    gate and rows since the last report. A score is reported when it beats the gate, which is the last
    reported score (infinite once that was ``sure``) until ``hold`` rows have passed without a report."""
    gate = np.where(since >= hold, 0.0, np.where(gate >= sure, np.inf, gate))
    record = score > gate
    reported: FloatArray = np.where(record, score, 0.0)
    return reported, np.where(record, score, gate), np.where(record, 0, since + 1)


def anscombe(x: FloatArray) -> FloatArray:
    """Variance-stabilising transform of Poisson counts: noise ~1 whatever the rate."""
    out: FloatArray = 2.0 * np.sqrt(np.maximum(x, 0.0) + 0.375)
    return out


def anscombe_scalar(x: float) -> float:
    return float(anscombe(np.array([x]))[0])


def _levels(offset: FloatArray, span: FloatArray, resolutions: FloatArray, min_width: FloatArray,
            geometric: bool) -> np.ndarray:
    """Quantisation level of ``offset`` above the learned minimum, at each resolution (bounded, int64).

    Inside the learned range (``0 <= offset < span``) levels are ``width`` wide; beyond it, if ``geometric``,
    level ``res + j`` holds excesses of ``[2^j - 1, 2^(j+1) - 1)`` widths above the top (and likewise below 0).
    """
    width = np.maximum(span / resolutions, min_width)
    width[~(width > 0)] = 1.0
    q = np.divide(offset, width, out=width)
    if geometric:  # beyond the range is the rare case: transform those values only
        res = np.broadcast_to(resolutions, q.shape)
        r, k = np.nonzero((q < 0) | (q >= res))
        if len(r):
            qo, ro = q[r, k], res[r, k]
            q[r, k] = np.where(qo < 0, -1.0 - np.floor(np.log2(1.0 + np.maximum(-qo, 0.0))),
                               ro + np.floor(np.log2(1.0 + np.maximum(qo - ro, 0.0))))
    np.floor(q, out=q)
    np.clip(q, -LEVEL_LIMIT, LEVEL_LIMIT, out=q)
    out: np.ndarray = q.astype(np.int64)
    return out


def level_scalar(offset: float, span: float, resolution: int, min_width: float, geometric: bool) -> int:
    width = max(span / resolution, min_width)
    width = width if width > 0 else 1.0
    q = offset / width
    if geometric:
        if q < 0:
            q = -1.0 - math.floor(math.log2(1.0 - q))
        elif q >= resolution:
            q = resolution + math.floor(math.log2(1.0 + q - resolution))
    return int(min(max(math.floor(q), -LEVEL_LIMIT), LEVEL_LIMIT))


def hour_slot(t: FloatArray, slots: int) -> np.ndarray:
    """Slot of the day (0 … slots-1) of epoch seconds; a non-finite time lands in slot 0 rather than out of range."""
    with np.errstate(invalid="ignore"):
        out: np.ndarray = np.clip(np.floor((t % DAY) / DAY * slots).astype(np.int64), 0, slots - 1)
    return out


def table_bits_for(n_series: int) -> int:
    """log2 of the slots (bytes) of the shared context table: ~1 k slots per series, 64 MB to 1 GB."""
    return min(30, max(26, math.ceil(math.log2(max(n_series, 1))) + 10))


class NoveltyBank:
    """Vectorised state of ``n`` series (see the module docstring)."""

    name = "novelty"

    def __init__(self, n: int, config: NoveltyConfig | None = None, *, table_bits: int | None = None,
                 extra: EventSource | None = None) -> None:
        self.cfg = c = config or NoveltyConfig()
        self.n = n
        self.extra = extra
        n_kinds = c.n_keys + (extra.kinds if extra is not None else 0)
        self.bits = table_bits or table_bits_for(n)
        self.table = np.zeros(1 << self.bits, dtype=np.uint8)
        self.count = np.zeros(n, dtype=np.int64)
        self.lo = np.full(n, np.inf)
        self.hi = np.full(n, -np.inf)
        self.counts = np.ones(n, dtype=bool)  # non-negative integers so far: levels on the Anscombe scale
        self.hist = np.zeros((n, len(c.resolutions), c.max_context), dtype=np.int64)
        self.mu = np.zeros(n)
        self.var = np.zeros(n)
        self.rate = np.zeros((n, n_kinds)) if c.surprise == "information" else np.zeros((n, 0))
        self.gate = np.zeros(n)
        self.rmean = np.zeros(n)  # recent mean and variance (of the transformed value)
        self.rvar = np.zeros(n)
        self.season = np.zeros((c.hour_slots * n, 3))  # per (hour slot, series): mean, variance, observations
        self._rows = np.arange(n, dtype=np.int64)
        self.since = np.full(n, 1 << 40, dtype=np.int64)
        self.sid = mix64(np.arange(n, dtype=np.uint64) + np.uint64(0x5EED))
        self._all_res = np.asarray(c.resolutions + c.time_resolutions, dtype=float)
        # per-series hash prefixes of the n-gram chains (one per resolution) and of the (level, time) keys (one per
        # kind of time and resolution): constant, so hashed once
        ntr = len(c.time_resolutions)
        self._prefix = np.stack([combine(self.sid, np.uint64(j + 1)) for j in range(len(c.resolutions))]
                                + [combine(self.sid, np.uint64(kind * 100 + j)) for kind in (101, 102)
                                   for j in range(ntr)])

    state_version = 1
    row_state: tuple[str, ...] = ROW_STATE  # per-series state arrays (a subclass may add its own)

    def _spec(self) -> StateSpec:
        spec: StateSpec = {name: (getattr(self, name).shape, getattr(self, name).dtype)
                           for name in (*self.row_state, "season")}
        spec["table"] = (((len(self.table) + 7) // 8,), np.dtype(np.uint8))
        return spec

    def state(self) -> dict[str, np.ndarray]:
        out = {name: getattr(self, name) for name in (*self.row_state, "season")}
        out["table"] = np.packbits(self.table)  # a slot is 0 (never seen) or 1: one bit each
        return out

    def load_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        check_state(self._spec(), arrays)
        for name in (*self.row_state, "season"):
            setattr(self, name, np.array(arrays[name]))
        self.table = np.unpackbits(arrays["table"], count=len(self.table))

    def step(self, epoch: FloatArray, values: FloatArray, active: BoolArray | None = None) -> FloatArray:
        ok = ~np.isnan(values)
        if active is not None:
            ok &= active
        if ok.all():  # the common live tick: views, no gathers
            return self._step(slice(None), epoch, values)
        skip = np.flatnonzero(~ok)
        if 2 * len(skip) < self.n:
            # Mostly present (a few missing buckets): step every series in place, the skipped ones on a filler value
            # and without writing the context table, then put their few rows of state back. Cheaper than gathering
            # and scattering every state array for the present ones.
            cells = hour_slot(epoch[skip], self.cfg.hour_slots) * self.n + skip
            saved = [getattr(self, name)[skip].copy() for name in self.row_state]
            saved_cells = self.season[cells]
            saved_extra = self.extra.save(skip) if self.extra is not None else []
            out = self._step(slice(None), epoch, np.where(ok, values, 0.0), ok)
            for name, rows in zip(self.row_state, saved, strict=True):
                getattr(self, name)[skip] = rows
            self.season[cells] = saved_cells
            if self.extra is not None:
                self.extra.restore(skip, saved_extra)
            out[skip] = 0.0
            return out
        out = np.zeros(self.n)
        idx = np.flatnonzero(ok)
        if len(idx):
            out[idx] = self._step(idx, epoch[idx], values[idx])
        return out

    def _step(self, idx: slice | np.ndarray, t: FloatArray, x: FloatArray, live: BoolArray | None = None) -> FloatArray:
        """Advance series ``idx``; rows where ``live`` is False compute but do not mark contexts as seen."""
        c = self.cfg
        cnt = self.count[idx]
        learning = cnt < c.learn_rows
        lo = np.where(learning, np.minimum(self.lo[idx], x), self.lo[idx])
        hi = np.where(learning, np.maximum(self.hi[idx], x), self.hi[idx])
        self.lo[idx], self.hi[idx] = lo, hi
        counts = self.counts[idx] & ~(learning & ((x < 0) | (x != np.floor(x))))
        if self.extra is not None and bool((self.counts[idx] & ~counts).any()):
            self.extra.reset_range(np.arange(self.n)[idx][self.counts[idx] & ~counts])
        self.counts[idx] = counts
        y, lo, hi = (np.where(counts, anscombe(v), v) for v in (x, lo, hi))
        if self.rebases:
            y = self._rebaseline(idx, y, hour_slot(t, c.hour_slots), cnt, counts)
        span = (hi - lo)[:, None]
        offset = (y - lo)[:, None]
        min_width = np.where(counts, 1.0, 0.0)[:, None]
        view = isinstance(idx, slice)  # state slices are views: update in place, no write-back
        hist = self.hist[idx]
        hist[:, :, 1:] = hist[:, :, :-1]
        levels = _levels(offset, span, self._all_res, min_width, c.geometric)  # every resolution at once
        nres = len(c.resolutions)
        hist[:, :, 0] = levels[:, :nres]
        if not view:
            self.hist[idx] = hist
        tq = levels[:, nres:]
        hour = hour_slot(t, c.hour_slots)
        novel = self._novelty(self._prefix[:, idx], t, hour, tq, hist, cnt, live)  # bool, (n_keys, series)
        if c.deviations:
            novel = np.concatenate([novel, np.stack(self._deviations(idx, y, hour, cnt))])
        if self.extra is not None:
            novel = np.concatenate([novel, self.extra.events(idx, y, cnt, counts).T])
        a = np.maximum(1.0 / c.memory, 1.0 / (cnt + 1.0))
        if c.surprise == "information":
            # information of the novel contexts under this series' own novelty rate of each kind of context;
            # novelties are sparse, so the logarithms are taken for them only
            rate = self.rate[idx]
            cols, rows = np.nonzero(novel)  # by kind, then series: the reference's order of summation
            n_eff = np.minimum(cnt, c.memory)[rows]
            p = (rate[rows, cols] * n_eff + c.prior) / (n_eff + 2.0 * c.prior)
            surprise = np.bincount(rows, weights=-np.log10(p), minlength=len(cnt))
            score = np.minimum(surprise / c.scale, 1.0)
            if self.confirms:
                score = self._confirm(idx, score)
            rate *= (1.0 - a)[:, None]
            rate[rows, cols] += a[rows]
            if not view:
                self.rate[idx] = rate
        else:
            # likelihood of the raw anomaly under this series' history of raw anomalies
            raw = novel.sum(axis=0) / c.n_keys
            mu, var = self.mu[idx], self.var[idx]
            z = (raw - np.maximum(mu, c.mean_floor)) / np.sqrt(np.maximum(var, c.var_floor))
            score = np.clip(-log10_normal_tail(z) / 10.0, 0.0, 1.0)
            d = raw - mu
            self.mu[idx] = mu + a * d
            self.var[idx] = (1.0 - a) * (var + a * d * d)
        score[cnt < c.quiet_rows] = 0.0
        result, self.gate[idx], self.since[idx] = report_once(score, self.gate[idx], self.since[idx], c.hold, c.sure)
        self.count[idx] = cnt + 1
        return result

    confirms = False  # whether ``_confirm`` applies (``shift.ShiftBank``: a persistence rule)
    rebases = False  # whether ``_rebaseline`` applies (``shift.ShiftBank``: the residual and the re-baseline)

    def _confirm(self, idx: slice | np.ndarray, score: FloatArray) -> FloatArray:
        """The score to report (before the once-per-episode gate): here the bucket's own."""
        return score

    def _rebaseline(self, idx: slice | np.ndarray, y: FloatArray, hour: np.ndarray, cnt: np.ndarray,
                    counts: BoolArray) -> FloatArray:
        """The (transformed) value as the detector sees it: here unchanged (``shift.ShiftBank`` moves it back to the
        baseline after a persistent change of level)."""
        return y

    def _deviations(self, idx: slice | np.ndarray, y: FloatArray, hour: np.ndarray,
                    cnt: np.ndarray) -> list[np.ndarray]:
        """Rows (2 x ``deviations``): True where the value is more than k sds from the recent mean, then from the
        mean at this hour of day; updates both (after reading)."""
        c = self.cfg
        events: list[np.ndarray] = []
        mean, var = self.rmean[idx], self.rvar[idx]
        d = y - mean
        dist, sd = np.abs(d), np.sqrt(var)
        ready = cnt >= DEVIATION_MIN_ROWS
        events += [(dist > k * sd) & ready for k in c.deviations]
        a = np.maximum(1.0 / c.recent_memory, 1.0 / (cnt + 1.0))
        self.rmean[idx] = mean + a * d
        self.rvar[idx] = (1.0 - a) * (var + a * d * d)
        cell = hour * self.n + self._rows[idx]  # slot-major: a tick's series share the hour, so this is one run
        mean, var, obs = self.season[cell].T
        d = y - mean
        dist, sd = np.abs(d), np.sqrt(var)
        ready = obs >= c.season_min
        events += [(dist > k * sd) & ready for k in c.deviations]
        a = np.maximum(1.0 / c.season_memory, 1.0 / (obs + 1.0))
        self.season[cell] = np.stack([mean + a * d, (1.0 - a) * (var + a * d * d), obs + 1.0], axis=1)
        return events

    def _novelty(self, prefix: np.ndarray, t: FloatArray, hour: np.ndarray, tq: np.ndarray, hist: np.ndarray,
                 cnt: np.ndarray, live: BoolArray | None = None) -> np.ndarray:
        """Which of this bucket's contexts (boolean rows, one per kind of context) its series never produced
        before; marks them as seen (for ``live`` series only). All keys are hashed into one array and looked up in
        one gather: read all, then write."""
        c = self.cfg
        nres, ntr = len(c.resolutions), len(c.time_resolutions)
        keys = np.empty((nres * c.max_context + 2 * ntr, prefix.shape[1]), dtype=np.uint64)
        for j in range(nres):
            h = prefix[j]
            for length in range(c.max_context):
                h = combine(h, hist[:, j, length].view(np.uint64), out=keys[length * nres + j])
        with np.errstate(invalid="ignore"):  # a non-finite time: any weekday, no warning
            weekday = np.floor((t / DAY + EPOCH_WEEKDAY_SHIFT) % 7.0).astype(np.int64)
        row = nres * c.max_context
        for kind, slot in ((0, hour), (1, weekday)):
            for j in range(ntr):
                h = combine(prefix[nres + kind * ntr + j], slot.view(np.uint64))
                combine(h, tq[:, j].view(np.uint64), out=keys[row])
                row += 1
        pos = (keys >> np.uint64(64 - self.bits)).view(np.int64)
        novel: np.ndarray = self.table[pos] == 0
        if bool((cnt < c.max_context - 1).any()):  # an n-gram needs n buckets of history
            for length in range(2, c.max_context + 1):
                novel[(length - 1) * nres: length * nres] &= cnt >= length - 1
        self.table[pos[novel if live is None else novel & live]] = 1
        return novel
