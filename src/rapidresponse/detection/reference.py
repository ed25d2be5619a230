"""Plain-Python, one-series-at-a-time twin of ``NoveltyBank``.

It is the readable statement of the algorithm, the oracle the vectorised bank is tested against (same hash,
same table layout, same arithmetic: identical scores), and the "naive per-series loop" that the benchmark
measures the bank against.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .mathutil import MASK64, combine_scalar, log10_normal_tail_scalar, mix64_scalar
from .novelty import (
    DAY,
    DEVIATION_MIN_ROWS,
    EPOCH_WEEKDAY_SHIFT,
    NoveltyConfig,
    anscombe_scalar,
    level_scalar,
    table_bits_for,
)


class NoveltyReference:
    """``update(timestamp, value) -> score`` for series ``series_index`` of a table shared by ``n_series``."""

    def __init__(self, config: NoveltyConfig | None = None, *, series_index: int = 0, n_series: int = 1,
                 table: bytearray | None = None, table_bits: int | None = None) -> None:
        self.cfg = config or NoveltyConfig()
        self.bits = table_bits or table_bits_for(n_series)
        self.table = table if table is not None else bytearray(1 << self.bits)
        self.sid = mix64_scalar(series_index + 0x5EED)
        self.count = 0
        self.lo, self.hi = math.inf, -math.inf
        self.hist: list[list[int]] = [[0] * self.cfg.max_context for _ in self.cfg.resolutions]
        self.mu = self.var = self.gate = 0.0
        self.rate = [0.0] * self.cfg.n_keys
        self.since = 1 << 40
        self.counts = True
        self.rmean = self.rvar = 0.0
        slots = self.cfg.hour_slots
        self.smean, self.svar, self.sobs = [0.0] * slots, [0.0] * slots, [0.0] * slots

    def update(self, timestamp: float, value: float) -> float:
        if math.isnan(value):
            return 0.0
        c, x, cnt = self.cfg, value, self.count
        if cnt < c.learn_rows:
            self.lo, self.hi = min(self.lo, x), max(self.hi, x)
            self.counts = self.counts and x >= 0 and x == math.floor(x)
        if self.counts:
            y, lo, hi, min_width = anscombe_scalar(x), anscombe_scalar(self.lo), anscombe_scalar(self.hi), 1.0
        else:
            y, lo, hi, min_width = x, self.lo, self.hi, 0.0
        span = hi - lo
        keys: list[tuple[int, bool]] = []
        for j, res in enumerate(c.resolutions):
            self.hist[j] = [level_scalar(y - lo, span, res, min_width, c.geometric), *self.hist[j][:-1]]
            h = combine_scalar(self.sid, j + 1)
            for length in range(1, c.max_context + 1):
                h = combine_scalar(h, self.hist[j][length - 1])
                keys.append((h, cnt >= length - 1))
        hour = math.floor((timestamp % DAY) / DAY * c.hour_slots)
        weekday = math.floor((timestamp / DAY + EPOCH_WEEKDAY_SHIFT) % 7.0)
        for kind, slot in ((101, hour), (102, weekday)):
            for j, res in enumerate(c.time_resolutions):
                level = level_scalar(y - lo, span, res, min_width, c.geometric)
                keys.append((combine_scalar(combine_scalar(combine_scalar(self.sid, kind * 100 + j), slot), level),
                             True))
        novel = self._novelty(keys)
        if c.deviations:
            novel += self._deviations(y, hour, cnt)
        a = max(1.0 / c.memory, 1.0 / (cnt + 1.0))
        if c.surprise == "information":
            n_eff = min(cnt, c.memory)
            surprise = 0.0
            for k, new in enumerate(novel):
                if new:
                    surprise += -math.log10((self.rate[k] * n_eff + c.prior) / (n_eff + 2.0 * c.prior))
                self.rate[k] = self.rate[k] * (1.0 - a) + (a if new else 0.0)
            score = min(surprise / c.scale, 1.0)
        else:
            raw = sum(novel) / c.n_keys
            z = (raw - max(self.mu, c.mean_floor)) / math.sqrt(max(self.var, c.var_floor))
            score = min(max(-log10_normal_tail_scalar(z) / 10.0, 0.0), 1.0)
            d = raw - self.mu
            self.mu += a * d
            self.var = (1.0 - a) * (self.var + a * d * d)
        if cnt < c.quiet_rows:
            score = 0.0
        if self.since >= c.hold:
            self.gate = 0.0
        elif self.gate >= c.sure:
            self.gate = math.inf
        self.count = cnt + 1
        if score > self.gate:
            self.gate, self.since = score, 0
            return score
        self.since += 1
        return 0.0

    def _deviations(self, y: float, hour: int, cnt: int) -> list[float]:
        """1.0 per multiple k where the value is more than k sds from the recent mean, then likewise from the
        mean at this hour of day; updates both."""
        c = self.cfg
        d = y - self.rmean
        sd = math.sqrt(self.rvar)
        out = [1.0 if abs(d) > k * sd and cnt >= DEVIATION_MIN_ROWS else 0.0 for k in c.deviations]
        a = max(1.0 / c.recent_memory, 1.0 / (cnt + 1.0))
        self.rmean += a * d
        self.rvar = (1.0 - a) * (self.rvar + a * d * d)
        mean, var, obs = self.smean[hour], self.svar[hour], self.sobs[hour]
        d = y - mean
        sd = math.sqrt(var)
        out += [1.0 if abs(d) > k * sd and obs >= c.season_min else 0.0 for k in c.deviations]
        a = max(1.0 / c.season_memory, 1.0 / (obs + 1.0))
        self.smean[hour] = mean + a * d
        self.svar[hour] = (1.0 - a) * (var + a * d * d)
        self.sobs[hour] = obs + 1.0
        return out

    def _novelty(self, keys: Sequence[tuple[int, bool]]) -> list[float]:
        """1.0 for each context never seen before in this series (0.0 otherwise); marks them as seen."""
        positions = [(key & MASK64) >> (64 - self.bits) for key, _ in keys]
        novel = [1.0 if valid and not self.table[pos] else 0.0 for pos, (_, valid) in zip(positions, keys, strict=True)]
        for pos, new in zip(positions, novel, strict=True):  # read all, then write: as the vectorised bank does
            if new:
                self.table[pos] = 1
        return novel
