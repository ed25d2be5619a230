"""The baseline: a rolling Gaussian z-score (NAB's ``windowedGaussian``, with an exponential window).

Score = P(|N(0,1)| < |z|) where z is the value's distance from the exponentially weighted mean of the past,
in exponentially weighted standard deviations. Simple, cheap, and a useful floor: it fires on every large
deviation, knows nothing of seasonality and keeps firing for as long as a level shift lasts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .base import BoolArray, check_state
from .mathutil import log10_normal_tail
from .series_io import FloatArray


@dataclass(frozen=True)
class GaussianConfig:
    memory: float = 1000.0  # buckets
    min_rows: int = 10


class GaussianBank:
    name = "gaussian"

    def __init__(self, n: int, config: GaussianConfig | None = None) -> None:
        self.cfg = config or GaussianConfig()
        self.n = n
        self.count = np.zeros(n)
        self.mean = np.zeros(n)
        self.var = np.zeros(n)

    state_version = 1

    def state(self) -> dict[str, np.ndarray]:
        return {"count": self.count, "mean": self.mean, "var": self.var}

    def load_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        check_state({name: (a.shape, a.dtype) for name, a in self.state().items()}, arrays)
        self.count, self.mean, self.var = (np.array(arrays[name]) for name in ("count", "mean", "var"))

    def step(self, epoch: FloatArray, values: FloatArray, active: BoolArray | None = None) -> FloatArray:
        c = self.cfg
        ok = ~np.isnan(values)
        if active is not None:
            ok &= active
        x = np.where(ok, values, 0.0)
        sd = np.sqrt(self.var)
        z = np.abs(x - self.mean) / np.where(sd > 0, sd, 1.0)
        z = np.where(sd > 0, z, np.where(x == self.mean, 0.0, 10.0))
        score = 1.0 - 2.0 * 10.0 ** log10_normal_tail(z)
        score = np.where(ok & (self.count >= c.min_rows), np.clip(score, 0.0, 1.0), 0.0)
        a = np.maximum(1.0 / c.memory, 1.0 / (self.count + 1.0))
        d = x - self.mean
        self.mean = np.where(ok, self.mean + a * d, self.mean)
        self.var = np.where(ok, (1.0 - a) * (self.var + a * d * d), self.var)
        self.count = self.count + ok
        result: FloatArray = score
        return result
