"""Small numeric helpers shared by the detectors (vectorised and scalar twins give identical results)."""

from __future__ import annotations

import math

import numpy as np

from .series_io import FloatArray

_LN10 = math.log(10.0)
MASK64 = (1 << 64) - 1
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_GOLDEN = 0x9E3779B97F4A7C15


def _ln_upper_tail_poly(x: FloatArray) -> FloatArray:
    """ln(erfc(x)/2) for x >= 0 (Numerical Recipes ``erfcc``: fractional error < 1.2e-7, no underflow)."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    out: FloatArray = np.log(0.5 * t) + poly
    return out


def log10_normal_tail(z: FloatArray) -> FloatArray:
    """log10 P(N(0,1) > z), elementwise, finite even far in the tail."""
    ln_tail = _ln_upper_tail_poly(np.abs(z) / math.sqrt(2.0))
    lower = np.log10(np.maximum(-np.expm1(ln_tail), 1e-300))
    out: FloatArray = np.where(z >= 0, ln_tail / _LN10, lower)
    return out


def log10_normal_tail_scalar(z: float) -> float:
    return float(log10_normal_tail(np.array([z]))[0])


def mix64(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(_M1)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(_M2)
    return h ^ (h >> np.uint64(31))


def mix64_scalar(h: int) -> int:
    h &= MASK64
    h ^= h >> 30
    h = (h * _M1) & MASK64
    h ^= h >> 27
    h = (h * _M2) & MASK64
    return h ^ (h >> 31)


_U_GOLDEN = np.uint64(_GOLDEN)
_U_M1 = np.uint64(_M1)


def combine(h: np.ndarray | np.uint64, v: np.ndarray | np.uint64, out: np.ndarray | None = None) -> np.ndarray:
    """Hash of (h, v) on uint64 arrays, order-sensitive, for context keys: multiplicative hashing, so the
    *top* bits are the well-mixed ones (the context table is indexed by them). Three array operations, in place
    in ``out`` if given."""
    r: np.ndarray = np.bitwise_xor(h, v, out=out)
    np.multiply(r, _U_GOLDEN, out=r)
    np.add(r, _U_M1, out=r)
    return r


def combine_scalar(h: int, v: int) -> int:
    return (((h ^ (v & MASK64)) * _GOLDEN) + _M1) & MASK64
