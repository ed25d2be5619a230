"""A labelled benchmark of our own domain: report streams with injected outbreaks, in NAB's layout.

Each file is one harm × country × language series of report counts per 5-minute bucket, in one of three volume
classes (the category): ``sparse`` (about 0.4 to 5 reports an hour), ``medium`` (6 to 60) and ``dense`` (60 to
700). The expected count of a bucket is

    base × daily(local hour) × weekly(local weekday) × holiday(local date) × drift × shift + bursts + outbreaks

and the count is negative binomial around it (a gamma-mixed Poisson; some series are plain Poisson):

- **daily and weekly seasonality** in the country's local time (quiet at night, a peak in the evening, its
  own weekend factor), and a slow drift of the level (an AR(1) process on its logarithm, about 10%);
- **holidays** of the country's calendar (New Year, 8 March, Nauryz/Navruz …): the whole local day's level
  changes (up or down, per series). Not incidents;
- **level shifts that are not incidents**: a *launch* (the country opens: almost nothing before, the full
  level after) or a *classifier* release (user reports up or down by a factor, for good). Not labelled;
- **bursts that are not incidents**: one bucket (sometimes two) of several times the level, or a handful of
  reports in a sparse series (a viral post that is not harmful, a few people reporting one account). Not
  labelled;
- **outbreaks** (the labelled anomalies) of three shapes: a slow-building *challenge* (exponential growth
  from a trickle, doubling every one to three hours, then a plateau and a decay), a sudden *wave* (the full
  height within a bucket or two, for hours, then a decay) and a coordinated *brigade* (pulses of mass
  reports every 15 to 30 minutes for a few hours, at any time of day).

Windows are NAB's: a window of 10% of the file's rows divided by its number of outbreaks, centred on the
outbreak's first bucket. Shapes are sized to the window (a challenge reaches half its peak inside the window's
second half); non-incident shifts and bursts start outside every window and after the probationary period
(the first 15% of the rows, at most 750), where they count.

Every file is drawn from its own generator, seeded by (seed, file number): a corpus with fewer files is the
first files of a larger one, and the same arguments give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from .scoring import probation_rows
from .simulate import COUNTRIES, HARMS

BUCKET = timedelta(minutes=5)
PER_HOUR = 12
PER_DAY = 288
CLASSES: dict[str, tuple[float, float]] = {  # mean reports per bucket (log-uniform between)
    "sparse": (0.035, 0.4),
    "medium": (0.5, 5.0),
    "dense": (5.0, 60.0),
}
SHAPES = ("challenge", "wave", "brigade")
BURSTS_PER_DAY = 0.2  # per series: a viral post or a handful of reports every five days
WINDOW_FRACTION = 0.10  # NAB: windows cover 10% of a file's rows, shared among its anomalies
# Public holidays by (month, day), local dates.
HOLIDAYS: dict[str, tuple[tuple[int, int], ...]] = {
    "RU": ((1, 1), (1, 2), (1, 3), (1, 4), (1, 5), (1, 6), (1, 7), (1, 8), (2, 23), (3, 8), (3, 9), (5, 1),
           (5, 9), (6, 12), (11, 4)),
    "KZ": ((1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9), (7, 6), (8, 30),
           (10, 25), (12, 16)),
    "UZ": ((1, 1), (1, 14), (3, 8), (3, 21), (5, 9), (9, 1), (10, 1), (12, 8)),
    "UA": ((1, 1), (3, 8), (6, 28), (8, 24), (12, 25)),
    "BY": ((1, 1), (1, 2), (1, 7), (3, 8), (5, 1), (5, 9), (7, 3), (11, 7), (12, 25)),
}
DEFAULT_START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: 8 March and Nauryz/Navruz fall inside three weeks
DEFAULT_DAYS = 21.0
DEFAULT_FILES = 60
PROFILES = {"standard": (1.0, 0.11, 1.0), "reward_low_FP_rate": (1.0, 0.22, 1.0),
            "reward_low_FN_rate": (1.0, 0.11, 2.0)}  # NAB's cost profiles: (tp, fp, fn)


@dataclass(frozen=True)
class CorpusSpec:
    start: datetime = DEFAULT_START
    days: float = DEFAULT_DAYS
    files: int = DEFAULT_FILES
    seed: int = 7

    @property
    def rows(self) -> int:
        return round(self.days * PER_DAY)


@dataclass
class Event:
    """One injected event of a file: an outbreak (``incident``) or a shift or burst that is not one."""

    kind: str  # challenge, wave, brigade | launch, classifier, burst
    incident: bool
    start: int  # first row
    end: int  # last row of its elevated part (a shift: the last row of the file)
    start_at: str = ""
    end_at: str = ""
    detail: dict[str, float] = field(default_factory=dict)


@dataclass
class SeriesFile:
    key: str  # <category>/<name>.csv
    harm: str
    country: str
    language: str
    volume: str
    timestamps: list[str]
    values: np.ndarray
    events: list[Event]
    windows: list[tuple[int, int]]  # inclusive rows


def _keys() -> list[tuple[str, str, str]]:
    return [(h, c, lang) for h in HARMS for c, (langs, _, _) in COUNTRIES.items() for lang in langs]


def nab_windows(n: int, anomalies: list[int]) -> list[tuple[int, int]]:
    """NAB's labeller: a window of ``int(0.10 * n / len(anomalies))`` rows centred on each anomaly, clipped to
    the file; overlapping windows merged."""
    if not anomalies:
        return []
    length = int(WINDOW_FRACTION * n / len(anomalies))
    out: list[tuple[int, int]] = []
    for a in sorted(anomalies):
        lo, hi = max(a - length // 2, 0), min(a + length // 2, n - 1)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _local(epoch: np.ndarray, offset_hours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local hour (float), weekday (0 = Monday) and day number (days since the epoch) of each bucket."""
    local = epoch + offset_hours * 3600.0
    day = np.floor(local / 86400.0)
    return (local % 86400.0) / 3600.0, ((day + 3) % 7).astype(int), day.astype(int)


def _holiday_days(country: str, days: np.ndarray) -> np.ndarray:
    wanted = set(HOLIDAYS.get(country, ()))
    uniq = np.unique(days)
    hol = {int(d) for d in uniq if ((t := datetime.fromtimestamp(int(d) * 86400, UTC)).month, t.day) in wanted}
    return np.isin(days, list(hol))


def _outbreak(shape: str, rng: np.random.Generator, n: int, at: int, height: float, half: int
              ) -> tuple[np.ndarray, int, dict[str, float]]:
    """Extra expected reports per bucket (length n) of an outbreak starting at row ``at``; its last elevated row."""
    extra = np.zeros(n)
    t = np.arange(n - at, dtype=float)
    if shape == "challenge":
        doublings = 6.0
        to_peak = rng.uniform(0.35, 0.85) * half  # reaches half its peak within the window
        doubling = to_peak / doublings
        plateau = rng.uniform(2, 8) * PER_HOUR
        half_life = rng.uniform(1, 4) * PER_HOUR
        rise = height * 2.0 ** (t / doubling - doublings)
        fall = height * 0.5 ** (np.maximum(t - to_peak - plateau, 0.0) / half_life)
        curve = np.where(t < to_peak, rise, fall)
        detail = {"doubling_minutes": doubling * 5, "plateau_hours": plateau / PER_HOUR}
    elif shape == "wave":
        ramp = int(rng.integers(1, 3))
        duration = rng.uniform(1, 6) * PER_HOUR
        half_life = rng.uniform(0.5, 2) * PER_HOUR
        curve = height * np.minimum((t + 1) / ramp, 1.0) * 0.5 ** (np.maximum(t - duration, 0.0) / half_life)
        detail = {"duration_hours": duration / PER_HOUR}
    else:  # brigade
        period = int(rng.integers(3, 7))
        width = int(rng.integers(1, 3))
        duration = rng.uniform(1.5, 6) * PER_HOUR
        pulse = (t.astype(int) % period) < width
        curve = np.where(t < duration, np.where(pulse, height * period / width * 0.8, height * 0.2), 0.0)
        detail = {"period_minutes": period * 5.0, "duration_hours": duration / PER_HOUR}
    curve = np.where(curve >= 0.01 * height, curve, 0.0)
    curve[0] = max(curve[0], 0.01 * height)
    extra[at:] = curve
    last = at + int(np.flatnonzero(curve)[-1])
    return extra, last, {"height": height, **detail}


def _free(rng: np.random.Generator, lo: int, hi: int, taken: list[tuple[int, int]], width: int = 1,
          tries: int = 200) -> int | None:
    """A row in [lo, hi) whose span [row, row + width) avoids every ``taken`` span."""
    if hi <= lo:
        return None
    for _ in range(tries):
        at = int(rng.integers(lo, hi))
        if all(at + width <= a or at > b for a, b in taken):
            return at
    return None


def make_file(spec: CorpusSpec, index: int) -> SeriesFile:
    """File number ``index`` of the corpus (its own generator: the same for any corpus size)."""
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, index]))
    n = spec.rows
    volume = tuple(CLASSES)[index % len(CLASSES)]
    keys = _keys()
    harm, country, language = keys[int(rng.integers(len(keys)))]
    offset = COUNTRIES[country][2]
    epoch = spec.start.timestamp() + np.arange(n) * BUCKET.total_seconds()
    hour, weekday, day = _local(epoch, offset)
    lo, hi = CLASSES[volume]
    base = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    amplitude, peak = rng.uniform(0.35, 0.85), rng.uniform(18.0, 23.0)
    daily = 1.0 + amplitude * np.cos((hour - peak) / 24.0 * 2.0 * math.pi)
    weekly = np.where(weekday >= 5, rng.uniform(0.8, 1.3), 1.0)
    holiday = np.where(_holiday_days(country, day), rng.choice([rng.uniform(0.55, 0.8), rng.uniform(1.25, 1.7)]),
                       1.0)
    # slow drift of the level: AR(1) on its logarithm, correlated over about a day, sd about 0.1
    phi = math.exp(-1.0 / PER_DAY)
    shocks = rng.normal(0.0, 0.1 * math.sqrt(1.0 - phi * phi), n)
    drift = np.empty(n)
    drift[0] = rng.normal(0.0, 0.1)
    for i in range(1, n):
        drift[i] = phi * drift[i - 1] + shocks[i]
    lam = base * daily * weekly * holiday * np.exp(drift)
    mean_level = float(lam.mean())

    probation = probation_rows(n)
    events: list[Event] = []
    k = int(rng.choice([0, 1, 1, 1, 1, 2], p=None))
    length = int(WINDOW_FRACTION * n / max(k, 1))
    half = length // 2
    onsets: list[int] = []
    for _ in range(k):  # outbreaks: windows inside the scored part, never overlapping (with a tail's room)
        taken = [(a - length - 2 * PER_DAY // 3, a + length + 2 * PER_DAY // 3) for a in onsets]
        at = _free(rng, probation + half + PER_HOUR, n - half - 1, taken)
        if at is not None:
            onsets.append(at)
    onsets.sort()
    windows = nab_windows(n, onsets)
    outbreak_rate = np.zeros(n)
    for at in onsets:
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        height = max(math.exp(rng.uniform(math.log(0.6), math.log(6.0))) * mean_level, rng.uniform(0.3, 1.0))
        extra, last, detail = _outbreak(shape, rng, n, at, height, half)
        outbreak_rate += extra
        events.append(Event(shape, True, at, last, detail=detail))
    # not incidents: their start is outside every window (and any outbreak's elevated tail) and scored
    busy = [(lo_, hi_) for lo_, hi_ in windows] + [(e.start, e.end + PER_HOUR) for e in events]
    shift = np.ones(n)
    if rng.random() < 0.35:
        kind = "launch" if rng.random() < 0.4 else "classifier"
        at = _free(rng, probation + PER_HOUR, n - PER_DAY, busy)
        if at is not None:
            if kind == "launch":
                before = rng.uniform(0.02, 0.1)
                shift[:at] = before
                detail = {"factor": 1.0 / before}
            else:
                factor = rng.uniform(1.8, 3.0) if rng.random() < 0.5 else rng.uniform(0.3, 0.6)
                shift[at:] = factor
                detail = {"factor": factor}
            events.append(Event(kind, False, at, n - 1, detail=detail))
            busy.append((at, at))
    lam = lam * shift
    burst_rate = np.zeros(n)
    for _ in range(int(rng.poisson(BURSTS_PER_DAY * spec.days))):
        width = 1 if rng.random() < 0.75 else 2
        at = _free(rng, probation, n - width, busy, width)
        if at is None:
            continue
        size = max(rng.uniform(2.0, 6.0) * float(lam[at]), rng.uniform(3.0, 10.0))
        burst_rate[at:at + width] += size
        events.append(Event("burst", False, at, at + width - 1, detail={"extra": size}))
        busy.append((at - 1, at + width))
    mu = lam + burst_rate + outbreak_rate
    dispersion = math.inf if rng.random() < 0.3 else rng.uniform(3.0, 30.0)  # negative binomial size
    mixed = mu if math.isinf(dispersion) else rng.gamma(dispersion, mu / dispersion)
    values = rng.poisson(mixed).astype(float)

    stamps = [datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S") for t in epoch]
    events.sort(key=lambda e: e.start)
    for e in events:
        e.start_at, e.end_at = stamps[e.start], stamps[e.end]
    name = f"{harm}_{country}_{language}_{index:03d}.csv".lower()
    return SeriesFile(f"{volume}/{name}", harm, country, language, volume, stamps, values, events, windows)


def write_corpus(spec: CorpusSpec, root: Path,
                 progress: Callable[[int, int], None] | None = None) -> list[SeriesFile]:
    """Write ``data/<category>/<name>.csv``, ``labels/combined_windows.json`` (NAB's windows),
    ``labels/combined_labels.json`` (each outbreak's first bucket), ``labels/events.json`` (every injected
    event, incidents or not) and ``config/profiles.json`` (NAB's cost profiles) under ``root``."""
    files = []
    windows: dict[str, list[list[str]]] = {}
    labels: dict[str, list[str]] = {}
    events: dict[str, list[dict[str, object]]] = {}
    for i in range(spec.files):
        f = make_file(spec, i)
        path = root / "data" / f.key
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["timestamp", "value"])
            w.writerows(zip(f.timestamps, (str(int(v)) for v in f.values), strict=True))
        windows[f.key] = [[f.timestamps[lo], f.timestamps[hi]] for lo, hi in f.windows]
        labels[f.key] = [e.start_at for e in f.events if e.incident]
        events[f.key] = [{**asdict(e), "detail": {k: round(v, 4) for k, v in e.detail.items()}} for e in f.events]
        files.append(f)
        if progress:
            progress(i + 1, spec.files)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    for name, body in (("combined_windows.json", windows), ("combined_labels.json", labels),
                       ("events.json", events)):
        (root / "labels" / name).write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (root / "config").mkdir(parents=True, exist_ok=True)
    profiles = {name: {"CostMatrix": {"tpWeight": tp, "fpWeight": fp, "fnWeight": fn, "tnWeight": 1.0}}
                for name, (tp, fp, fn) in PROFILES.items()}
    (root / "config" / "profiles.json").write_text(json.dumps(profiles, indent=2) + "\n", encoding="utf-8")
    return files
