"""Detection: one tick over many live series, and backtest throughput, against a naive per-series loop.

The default detector (``novelty``) keeps the state of every series in numpy arrays and advances all of them
in one vectorised ``step`` per bucket. The baseline is its plain-Python twin (``NoveltyReference``, the same
algorithm and identical scores), called once per series: what a straightforward per-series loop costs.

1. **Tick**: ``--series`` live series (100,000) of mixed shapes (sparse and dense counts, seasonal values),
   warmed up with ``--warmup`` ticks, then ``--ticks`` measured ticks (the median is reported). The naive loop
   is timed on a ``--sample`` of series for a few ticks and extrapolated to all series (running it on 100,000
   series would take a minute per tick).
2. **Backtest**: ``--bt-series`` series of ``--bt-rows`` rows through ``run_batch`` (one bank, row i of
   every series per step), against the naive loop over a subset of those series; rows/s for both.

    .venv/bin/python benchmarks/detection.py [--series 100000] [--ticks 20]

Prints a table, then one JSON line. Bounded: stops by itself in well under a minute.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from rapidresponse.detection.base import run_batch
from rapidresponse.detection.gaussian import GaussianBank
from rapidresponse.detection.novelty import NoveltyBank
from rapidresponse.detection.reference import NoveltyReference

T0 = 1704067200.0
STEP = 300.0


def make_values(n: int, tick: int, rng: np.random.Generator) -> np.ndarray:
    """A third sparse counts, a third dense counts, a third seasonal values; 1% missing."""
    hour = ((T0 + tick * STEP) % 86400) / 3600
    season = 1.0 + 0.5 * np.sin((hour - 6) / 24 * 2 * np.pi)
    k = n // 3
    x = np.empty(n)
    x[:k] = rng.poisson(0.3 * season, k)
    x[k: 2 * k] = rng.poisson(30 * season, k)
    x[2 * k:] = 50 * season + rng.normal(0, 2, n - 2 * k)
    x[rng.random(n) < 0.01] = np.nan
    return x


def bench_tick(n: int, warmup: int, ticks: int, sample: int, naive_ticks: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    bank = NoveltyBank(n)
    gauss = GaussianBank(n)
    t = np.full(n, T0)
    for i in range(warmup):
        x = make_values(n, i, rng)
        bank.step(t + i * STEP, x)
        gauss.step(t + i * STEP, x)
    inputs = [make_values(n, warmup + i, rng) for i in range(ticks)]
    per_tick, cpu_tick = [], []
    for i, x in enumerate(inputs):
        started, cpu = time.perf_counter(), time.process_time()
        bank.step(t + (warmup + i) * STEP, x)
        per_tick.append(time.perf_counter() - started)
        cpu_tick.append(time.process_time() - cpu)
    # the median tick, and its CPU time: robust to other work on a shared machine
    vec = float(np.median(per_tick))
    started = time.perf_counter()
    for i, x in enumerate(inputs):
        gauss.step(t + (warmup + i) * STEP, x)
    gauss_tick = (time.perf_counter() - started) / ticks
    # naive loop: one reference detector per series, warmed up like the bank
    refs = [NoveltyReference(series_index=j, n_series=n, table_bits=bank.bits - 4) for j in range(sample)]
    rng = np.random.default_rng(1)
    for i in range(warmup):
        x = make_values(n, i, rng)[:sample].tolist()
        for ref, v in zip(refs, x, strict=True):
            ref.update(T0 + i * STEP, v)
    started = time.perf_counter()
    for i in range(naive_ticks):
        x = inputs[i % ticks][:sample].tolist()
        ts = T0 + (warmup + i) * STEP
        for ref, v in zip(refs, x, strict=True):
            ref.update(ts, v)
    naive = (time.perf_counter() - started) / naive_ticks * (n / sample)
    return {"series": n, "tick_ms": vec * 1e3, "tick_ms_mean": float(np.mean(per_tick)) * 1e3,
            "tick_cpu_ms": float(np.median(cpu_tick)) * 1e3,
            "naive_tick_ms": naive * 1e3, "ratio": naive / vec,
            "gaussian_tick_ms": gauss_tick * 1e3}


def bench_backtest(series: int, rows: int, naive_series: int) -> dict[str, float]:
    rng = np.random.default_rng(2)
    t: np.ndarray = T0 + STEP * np.arange(rows, dtype=np.float64)
    season = 1.0 + 0.5 * np.sin(((t % 86400) / 3600 - 6) / 24 * 2 * np.pi)
    data: list[tuple[np.ndarray, np.ndarray]] = []
    for j in range(series):
        kind = j % 3
        x = (rng.poisson(0.3 * season) if kind == 0 else rng.poisson(30 * season) if kind == 1
             else 50 * season + rng.normal(0, 2, rows)).astype(float)
        x[rng.random(rows) < 0.01] = np.nan
        data.append((t, x))
    started = time.perf_counter()
    run_batch(NoveltyBank, data)
    vec = series * rows / (time.perf_counter() - started)
    started = time.perf_counter()
    for j, (t, x) in enumerate(data[:naive_series]):
        ref = NoveltyReference(series_index=j, n_series=series)
        for ti, xi in zip(t.tolist(), x.tolist(), strict=True):
            ref.update(ti, xi)
    naive = naive_series * rows / (time.perf_counter() - started)
    return {"series": series, "rows": rows, "rows_per_s": vec, "naive_rows_per_s": naive, "ratio": vec / naive}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--series", type=int, default=100_000)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--ticks", type=int, default=20)
    ap.add_argument("--sample", type=int, default=1_000, help="series in the naive tick loop (extrapolated)")
    ap.add_argument("--naive-ticks", type=int, default=3)
    ap.add_argument("--bt-series", type=int, default=500)
    ap.add_argument("--bt-rows", type=int, default=2_000)
    ap.add_argument("--bt-naive-series", type=int, default=10)
    args = ap.parse_args()
    tick = bench_tick(args.series, args.warmup, args.ticks, min(args.sample, args.series), args.naive_ticks)
    bt = bench_backtest(args.bt_series, args.bt_rows, min(args.bt_naive_series, args.bt_series))
    print(f"{'measure':44s} {'vectorised':>14s} {'naive loop':>14s} {'ratio':>8s}")
    label_tick = f"detection tick, {tick['series']:,.0f} series (ms)"
    label_bt = f"backtest, {bt['series']:.0f} series x {bt['rows']:.0f} rows (rows/s)"
    print(f"{label_tick:44s} {tick['tick_ms']:14.1f} {tick['naive_tick_ms']:14.1f} {tick['ratio']:7.1f}x")
    print(f"{label_bt:44s} {bt['rows_per_s']:14,.0f} {bt['naive_rows_per_s']:14,.0f} {bt['ratio']:7.1f}x")
    print(f"{'  the same tick, CPU time of this process (ms)':44s} {tick['tick_cpu_ms']:14.1f}")
    print(f"{'gaussian baseline detector tick (ms)':44s} {tick['gaussian_tick_ms']:14.1f}")
    print(json.dumps({"tick": tick, "backtest": bt}))


if __name__ == "__main__":
    main()
