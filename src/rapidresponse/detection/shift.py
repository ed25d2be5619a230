"""The default detector that re-baselines after a persistent change of level (``--detector novelty-shift``).

A launch in a new country or a new classifier moves a report stream to a new level for good. The default
(``novelty``) reports the onset, but then every new level, (level, hour) and (level, weekday) context and every
recent-mean residual of the new level is a fresh surprise until it has been seen enough: on the T&S benchmark
half of its false alerts come within an hour of such a shift or of a one-off burst. This variant keeps
everything of the default and adds one step before it, per series and bucket:

1. **Residual**: the (Anscombe-transformed, for counts) value minus its expected value, the series' mean at
   this hour of day once that hour slot has ``season_min`` observations, else its recent mean (the default's
   own statistics, read before they learn from the bucket), in units of the matching standard deviation
   (at least 1 for counts: Poisson noise on the Anscombe scale).
2. **CUSUM** (Page 1954), two-sided, on that residual made robust by Huber's psi function (clipped at
   ``huber`` = 1.345, the usual 95%-efficiency constant): ``S+ = max(0, S+ + psi(z) - k)`` and
   ``S- = max(0, S- - psi(z) - k)`` with the textbook reference value ``k`` = 0.5 (tuned to a shift of one
   standard deviation) and decision interval ``h`` = 5 (Montgomery, *Introduction to Statistical Quality
   Control*: an in-control average run length of about 465 buckets). The clipping makes it a test of
   persistence: one bucket adds at most ``huber - k`` = 0.845, so at least six buckets of the same sign are
   needed, and a one- or two-bucket burst, however large, never counts as a new level.
3. **Re-baseline**: when ``S+`` or ``S-`` passes ``h``, the change started when that sum last left 0 (the
   CUSUM estimate of the change point); the mean residual since then (in the value's units) is the size of
   the shift. It is added to the series' **offset**, and every later value is seen as ``value - offset``: the
   quantiser's levels, the n-gram and time contexts, the recent and hour-of-day statistics all restart at the
   new level, so a sustained new level stops producing surprises. The onset itself is reported as the
   default reports it (the first buckets at the new level are novel before the CUSUM has decided), once.

The CUSUM starts after the ``learn_rows`` buckets in which the default learns its range (before that the
quantiser is not fixed and the residual statistics are young). All of this is a few vectorised array
operations per tick; causal (bucket i uses buckets <= i only) and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import BoolArray
from .novelty import DEVIATION_MIN_ROWS, ROW_STATE, NoveltyBank, NoveltyConfig
from .series_io import FloatArray

SHIFT_STATE = ("offset", "base", "acc", "acc_n", "s_up", "s_down", "sum_up", "sum_down", "n_up", "n_down")


@dataclass(frozen=True)
class ShiftConfig:
    k: float = 0.5  # CUSUM reference value, in standard deviations (a shift of 2k = 1 sd is detected fastest)
    h: float = 5.0  # CUSUM decision interval, in standard deviations
    huber: float = 1.345  # clip of each bucket's standardised residual (Huber's psi)
    settle: int = 16  # buckets of the mean residual since the change point: its standard error is then k / 2 sds


class ShiftBank(NoveltyBank):
    """``NoveltyBank`` (the default configuration unless given) that re-baselines after a persistent shift."""

    name = "novelty-shift"
    row_state = (*ROW_STATE, *SHIFT_STATE)

    def __init__(self, n: int, config: NoveltyConfig | None = None, shift: ShiftConfig | None = None,
                 *, table_bits: int | None = None) -> None:
        super().__init__(n, config, table_bits=table_bits)
        if not self.cfg.deviations:
            raise ValueError("novelty-shift needs the residual statistics of the deviation events")
        self.shift = shift or ShiftConfig()
        for name in SHIFT_STATE:
            setattr(self, name, np.zeros(n, dtype=np.int64 if name in ("acc_n", "n_up", "n_down") else float))

    def _rebaseline(self, idx: slice | np.ndarray, y: FloatArray, hour: np.ndarray, cnt: np.ndarray,
                    counts: BoolArray) -> FloatArray:
        c, s = self.cfg, self.shift
        offset = self.offset[idx]
        # the expected value: this hour slot's mean once it has enough observations, else the recent mean
        smean, svar, sobs = self.season[hour * self.n + self._rows[idx]].T
        seasonal = sobs >= c.season_min
        expected = np.where(seasonal, smean, self.rmean[idx])
        sd = np.sqrt(np.where(seasonal, svar, self.rvar[idx]))
        sd = np.where(counts, np.maximum(sd, 1.0), sd)
        on = (cnt >= max(c.learn_rows, DEVIATION_MIN_ROWS)) & np.isfinite(y - expected)
        # settling after a change: for ``settle`` buckets the offset is the mean of the fresh residuals (relative to
        # the offset before the change); acc_n counts them plus one
        settling = on & (self.acc_n[idx] > 0)
        acc_n = np.where(settling, self.acc_n[idx] + 1, 0)
        acc = np.where(settling, self.acc[idx] + (y - self.base[idx] - expected), 0.0)
        offset = np.where(settling, self.base[idx] + acc / np.maximum(acc_n - 1, 1), offset)
        acc_n = np.where(settling & (acc_n > s.settle), 0, acc_n)
        resid = np.where(on & ~settling, y - offset - expected, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, resid / sd, np.sign(resid) * np.inf)  # no spread yet: any change is far
        psi = np.clip(np.nan_to_num(z, nan=0.0), -s.huber, s.huber)
        # each side: its sum, and the residuals (count and sum) since it last left 0
        up = np.maximum(0.0, self.s_up[idx] + psi - s.k)
        down = np.maximum(0.0, self.s_down[idx] - psi - s.k)
        n_up = np.where(up > 0, self.n_up[idx] + 1, 0)
        n_down = np.where(down > 0, self.n_down[idx] + 1, 0)
        sum_up = np.where(up > 0, self.sum_up[idx] + resid, 0.0)
        sum_down = np.where(down > 0, self.sum_down[idx] + resid, 0.0)
        fire_up, fire_down = up > s.h, down > s.h
        fired = fire_up | fire_down
        base = self.base[idx]
        if bool(fired.any()):
            both = fire_up & fire_down  # cannot happen with h > 0 (one residual moves the sums apart); for safety
            total = np.where(fire_up & ~both, sum_up, sum_down)
            n_since = np.where(fire_up & ~both, n_up, n_down)
            base = np.where(fired, offset, base)
            acc = np.where(fired, 0.0, acc)
            acc_n = np.where(fired, 1, acc_n)
            offset = np.where(fired, offset + total / np.maximum(n_since, 1), offset)
            up, down = np.where(fired, 0.0, up), np.where(fired, 0.0, down)
            n_up, n_down = np.where(fired, 0, n_up), np.where(fired, 0, n_down)
            sum_up, sum_down = np.where(fired, 0.0, sum_up), np.where(fired, 0.0, sum_down)
        self.offset[idx], self.base[idx], self.acc[idx], self.acc_n[idx] = offset, base, acc, acc_n
        self.s_up[idx], self.s_down[idx] = up, down
        self.n_up[idx], self.n_down[idx], self.sum_up[idx], self.sum_down[idx] = n_up, n_down, sum_up, sum_down
        out: FloatArray = y - offset
        return out
