"""Generated series with known change points (timestamps: 5-minute buckets from 2024-01-01 UTC)."""

from __future__ import annotations

import numpy as np

T0 = 1704067200.0  # 2024-01-01 00:00 UTC
STEP = 300.0
PER_DAY = 288


def timestamps(n: int, step: float = STEP) -> np.ndarray:
    return T0 + step * np.arange(n)


def noisy(n: int, seed: int = 1, level: float = 50.0, sd: float = 2.0) -> np.ndarray:
    return level + np.random.default_rng(seed).normal(0.0, sd, n)


def seasonal(n: int, seed: int = 2, sd: float = 1.0) -> np.ndarray:
    """Daily cycle (peak mid-day) with a quieter weekend, plus noise."""
    t = timestamps(n)
    hour = (t % 86400) / 3600
    weekday = ((t / 86400 + 3) % 7).astype(int)
    daily = 40 + 25 * np.sin((hour - 6) / 24 * 2 * np.pi)
    weekly = np.where(weekday >= 5, 0.7, 1.0)
    return daily * weekly + np.random.default_rng(seed).normal(0.0, sd, n)


def poisson_counts(n: int, rate: float, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, n).astype(float)
