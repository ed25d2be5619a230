"""The default detector with a persistence rule and a re-baseline after a persistent change of level.

``--detector novelty-shift`` (both rules) and ``--detector novelty-persist`` (the persistence rule alone).

A launch in a new country or a new classifier moves a report stream to a new level for good, and a burst of one or
two buckets is not an incident either; the default (``novelty``) reports both. This keeps everything of the
default and adds, per series and bucket:

1. **Residual**: the (Anscombe-transformed, for counts) value minus its expected value, the series' mean at
   this hour of day once that hour slot has ``season_min`` observations, else its recent mean (the default's
   own statistics, read before they learn from the bucket), in units of the matching standard deviation
   (at least 1 for counts: Poisson noise on the Anscombe scale).
2. **Persistence** (``confirm`` = 6 buckets): a bucket's score is held back and reported only when a later
   bucket within ``confirm`` has a residual of the same sign beyond ``significant`` = 1.96 standard deviations
   (the two-sided 5% level); it is then reported there, as the highest score held. A burst followed by ordinary
   buckets is never reported; a shift or an outbreak is, one bucket later (six buckets: the longest gap between
   the pulses of a coordinated brigade, 30 minutes at 5-minute buckets).
3. **CUSUM** (Page 1954), two-sided, on the residual made robust by Huber's psi function (clipped at
   ``huber`` = 1.345, the usual 95%-efficiency constant): ``S+ = max(0, S+ + psi(z) - k)`` and
   ``S- = max(0, S- - psi(z) - k)`` with the textbook reference value ``k`` = 0.5 (tuned to a shift of one
   standard deviation) and decision interval ``h`` = 5 (Montgomery, *Introduction to Statistical Quality
   Control*: an in-control average run length of about 465 buckets). The clipping makes it a test of
   persistence: one bucket adds at most ``huber - k`` = 0.845, so at least six buckets of the same sign are
   needed, and a one- or two-bucket burst, however large, never counts as a new level.
4. **Re-baseline**: when ``S+`` or ``S-`` passes ``h`` and the detector reported the onset (a score of at least
   ``sure`` since the CUSUM's estimate of the change point, when that sum last left 0; otherwise the sums
   restart and the default learns the change as it does), the mean residual since the change point is added
   to the series' **offset**, and every later value is seen as ``value - offset``: the quantiser's levels, the
   n-gram and time contexts, the recent and hour-of-day statistics all restart at the new level. That first
   estimate is biased (the run that crossed ``h`` is a selected one): for the next ``settle`` = 16 buckets the
   offset is instead the mean of the fresh residuals (relative to the offset before the change), whose
   standard error is then ``k / 2``.

The re-baseline starts after the ``learn_rows`` buckets in which the default learns its range (before that the
quantiser is not fixed and the residual statistics are young). Everything is a few vectorised array operations
per tick; causal (bucket i uses buckets <= i only) and deterministic. Measured in ``benchmarks/README.md``: on the
T&S benchmark the persistence rule removes about two thirds of the alerts on bursts and shifts and doubles the
precision; both rules cost points on the NAB development subset (whose labelled anomalies include one-bucket
spikes), so neither is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import BoolArray
from .novelty import DEVIATION_MIN_ROWS, ROW_STATE, NoveltyBank, NoveltyConfig
from .series_io import FloatArray

SHIFT_STATE = ("pending", "pending_age", "pending_sign", "offset", "base", "acc", "acc_n", "s_up", "s_down",
               "sum_up", "sum_down", "n_up", "n_down")


@dataclass(frozen=True)
class ShiftConfig:
    confirm: int = 6  # buckets in which a held score must be confirmed (0: no persistence rule)
    significant: float = 1.96  # |z| of a confirming bucket's residual, of the held score's sign (two-sided 5%)
    rebaseline: bool = True  # the CUSUM re-baseline (False: off)
    k: float = 0.5  # CUSUM reference value, in standard deviations (a shift of 2k = 1 sd is detected fastest)
    h: float = 5.0  # CUSUM decision interval, in standard deviations
    huber: float = 1.345  # clip of each bucket's standardised residual (Huber's psi)
    after_alert: bool = True  # re-baseline only after a change whose onset the detector reported
    settle: int = 16  # buckets of fresh residuals after a change: their mean's standard error is then k / 2 sds


class ShiftBank(NoveltyBank):
    """``NoveltyBank`` (the default configuration unless given) with the rules of ``ShiftConfig``."""

    name = "novelty-shift"
    rebases = True  # the residual is computed in any case (the persistence rule reads it)
    row_state = (*ROW_STATE, *SHIFT_STATE)

    def __init__(self, n: int, config: NoveltyConfig | None = None, shift: ShiftConfig | None = None,
                 *, table_bits: int | None = None) -> None:
        super().__init__(n, config, table_bits=table_bits)
        if not self.cfg.deviations:
            raise ValueError("novelty-shift needs the residual statistics of the deviation events")
        self.shift = shift or ShiftConfig()
        if self.shift.confirm < 0:
            raise ValueError("confirm must be >= 0 buckets")
        self.confirms = self.shift.confirm > 0
        self._z = np.zeros(n)  # the bucket's standardised residual, from ``_rebaseline`` to ``_confirm``
        z, zi = (lambda: np.zeros(n)), (lambda: np.zeros(n, dtype=np.int64))
        self.pending, self.pending_age, self.pending_sign = z(), zi(), z()  # held score, its age and sign
        self.offset, self.base, self.acc, self.acc_n = z(), z(), z(), zi()  # the offset; settling after a change
        self.s_up, self.s_down, self.sum_up, self.sum_down, self.n_up, self.n_down = z(), z(), z(), z(), zi(), zi()

    def _confirm(self, idx: slice | np.ndarray, score: FloatArray) -> FloatArray:
        """Persistence: a score is held back (0 is reported) and released, as the highest score held, by a later
        bucket within ``confirm`` whose residual has its sign and is beyond ``significant`` sds."""
        s, z = self.shift, self._z
        pending, age, sign = self.pending[idx], self.pending_age[idx] + 1, self.pending_sign[idx]
        confirmed = (pending > 0) & (z * sign >= s.significant)
        out: FloatArray = np.where(confirmed, pending, 0.0)
        pending = np.where(confirmed | (age > s.confirm), 0.0, pending)
        newer = score > pending
        self.pending[idx] = np.where(newer, score, pending)
        self.pending_age[idx] = np.where(newer, 0, age)
        self.pending_sign[idx] = np.where(newer, np.sign(z), sign)
        return out

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
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = y - offset - expected
            self._z = np.nan_to_num(np.where(sd > 0, raw / sd, np.sign(raw) * np.inf), nan=0.0)
        if not s.rebaseline:
            return y
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
        if s.after_alert:  # only a change whose onset was reported: an alert (>= sure) since the change point
            n_run = np.where(fire_up, n_up, n_down)
            alerted = (self.since[idx] < n_run) & (self.gate[idx] >= c.sure)
            ignored = fired & ~alerted  # a persistent but unsurprising change: the default learns it as it does
            up, down = np.where(ignored, 0.0, up), np.where(ignored, 0.0, down)
            n_up, n_down = np.where(ignored, 0, n_up), np.where(ignored, 0, n_down)
            sum_up, sum_down = np.where(ignored, 0.0, sum_up), np.where(ignored, 0.0, sum_down)
            fired &= alerted
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
