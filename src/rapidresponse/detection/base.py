"""The detector interface: streaming, causal, many series at once.

A detector *bank* holds the state of ``n`` series in numpy arrays and advances all of them by one bucket in
one vectorised ``step``: this is what a detection tick over 100,000 live series calls. ``Streaming`` wraps a
bank of one series in the simple ``update(timestamp, value) -> score`` protocol, and ``run_batch`` replays
whole series (a backtest) through one bank, row by row, so the batch path is exactly the streaming path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .series_io import FloatArray

BoolArray = npt.NDArray[np.bool_]


class Detector(Protocol):
    """One series, streaming: the score of a bucket uses only that bucket and earlier ones."""

    def update(self, timestamp: float | datetime, value: float) -> float:
        """Feed the next bucket (epoch seconds or aware datetime; NaN value = missing) and get a score in [0, 1]."""
        ...


class DetectorBank(Protocol):
    """``n`` independent series advanced together; per-series state lives in arrays of length ``n``."""

    n: int

    def step(self, epoch: FloatArray, values: FloatArray, active: BoolArray | None = None) -> FloatArray:
        """Advance every active series by one bucket; NaN values are missing buckets. Returns scores in [0, 1]
        (0 for inactive series, whose state is left untouched)."""
        ...


BankFactory = Callable[[int], DetectorBank]
StateSpec = dict[str, tuple[tuple[int, ...], np.dtype]]


@runtime_checkable
class Persistent(Protocol):
    """A bank whose state can be saved and loaded again (the detection tick's snapshots).

    ``state_version`` changes whenever what the arrays mean changes: a snapshot of another version is not loaded.
    """

    state_version: int

    def state(self) -> dict[str, np.ndarray]:
        """Every array of the state (not copies: save them before the next ``step``)."""
        ...

    def load_state(self, arrays: Mapping[str, np.ndarray]) -> None:
        """Take ``arrays`` (as ``state`` gave them) as the state; ``ValueError`` (nothing changed) unless every
        array is there with the shape and type this bank's would have."""
        ...


def check_state(spec: StateSpec, arrays: Mapping[str, np.ndarray]) -> None:
    """``ValueError`` unless ``arrays`` has exactly the arrays of ``spec`` (name -> shape, dtype)."""
    if set(arrays) != set(spec):
        raise ValueError(f"state arrays {sorted(arrays)} are not {sorted(spec)}")
    for name, (shape, dtype) in spec.items():
        a = arrays[name]
        if a.shape != shape or a.dtype != dtype:
            raise ValueError(f"state array {name}: {a.dtype}{a.shape}, not {dtype}{shape}")


class Streaming:
    """A ``Detector`` for one series, backed by a bank of one."""

    def __init__(self, factory: BankFactory) -> None:
        self._bank = factory(1)
        self._t = np.zeros(1)
        self._x = np.zeros(1)

    def update(self, timestamp: float | datetime, value: float) -> float:
        self._t[0] = timestamp.timestamp() if isinstance(timestamp, datetime) else float(timestamp)
        self._x[0] = value
        return float(self._bank.step(self._t, self._x)[0])


def run_batch(factory: BankFactory, series: Sequence[tuple[FloatArray, FloatArray]],
              progress: Callable[[int, int], None] | None = None) -> list[FloatArray]:
    """Replay several series (epoch seconds, values) through one bank, row i of every series in one step.

    Series of different lengths are fine: a series that has ended is inactive for the remaining steps.
    ``progress(done_rows, total_rows)`` is called every 1,000 steps.
    """
    n = len(series)
    if n == 0:
        return []
    lengths = np.array([len(v) for _, v in series])
    longest = int(lengths.max())
    t = np.zeros((longest, n))
    x = np.full((longest, n), np.nan)
    for j, (ej, vj) in enumerate(series):
        t[: len(ej), j] = ej
        x[: len(vj), j] = vj
    bank = factory(n)
    out = np.zeros((longest, n))
    uniform = bool((lengths == longest).all())
    total = int(lengths.sum())
    for i in range(longest):
        active = None if uniform else lengths > i
        out[i] = bank.step(t[i], x[i], active)
        if progress is not None and (i % 1000 == 999 or i == longest - 1):
            progress(int(np.minimum(lengths, i + 1).sum()), total)
    return [out[: lengths[j], j].copy() for j in range(n)]
