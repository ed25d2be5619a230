"""The schedule engine: layers and overrides in, final shifts and gaps out. Pure (no database).

A layer rotates a list of people. Shift ``k`` of a layer starts at its ``k``-th handoff:

* ``days`` and ``weeks``: at the handoff time on the local calendar day ``start + k × length`` in the
  layer's time zone, so a 09:00 handoff stays at 09:00 local across DST (that shift is 23 or 25 hours);
* ``hours``: ``k × length`` elapsed hours after the first handoff (wall-clock time may drift by the DST
  hour, elapsed time never does).

Restrictions are weekday/time-of-day windows in the layer's zone (a window whose end is not after
its start runs past midnight); a restricted layer is on call only inside them. Higher layers cover
lower ones, overrides cover every layer, and among overlapping overrides the newest wins (the overlap
is reported as a conflict). Every interval is half-open ``[start, end)`` in UTC.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

UNITS = ("hours", "days", "weeks")
OVERRIDE_PRIORITY = 1_000_000


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_to_utc(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of a local wall time. A time skipped by DST resolves as the clock read before
    the change (02:30 on a spring-forward night is 03:30 DST); a repeated one resolves to its first
    occurrence."""
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC)


@dataclass(frozen=True)
class Window:
    """A restriction window: on ``days`` (0 = Monday) from ``start`` to ``end`` local time."""

    days: frozenset[int]
    start: time
    end: time

    @property
    def overnight(self) -> bool:
        return self.end <= self.start


@dataclass(frozen=True)
class Layer:
    id: int
    level: int
    users: tuple[int, ...]
    timezone: str
    start: date
    handoff: time
    length: int
    unit: str
    restrictions: tuple[Window, ...] = ()
    name: str = ""
    country: str | None = None

    def period_days(self) -> int:
        return self.length * (7 if self.unit == "weeks" else 1)

    def first_handoff(self) -> datetime:
        return local_to_utc(self.start, self.handoff, self.timezone)

    def handoff_at(self, k: int) -> datetime:
        if self.unit == "hours":
            return self.first_handoff() + timedelta(hours=k * self.length)
        return local_to_utc(self.start + timedelta(days=k * self.period_days()), self.handoff, self.timezone)

    def first_index(self, at: datetime) -> int:
        """A shift index whose handoff is at or before ``at`` (or 0), cheap to compute."""
        if self.unit == "hours":
            k = int((at - self.first_handoff()) // timedelta(hours=self.length))
        else:
            days = (at.astimezone(zone(self.timezone)).date() - self.start).days
            k = days // self.period_days() - 1
        return max(0, k)


@dataclass(frozen=True)
class Override:
    id: int
    user: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Shift:
    """A stretch of time one person is on call, and where it comes from."""

    user: int
    start: datetime
    end: datetime
    source: str  # "layer" | "override"
    source_id: int
    level: int = 0

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Conflict:
    start: datetime
    end: datetime
    override_ids: tuple[int, ...]
    users: tuple[int, ...]


@dataclass
class Final:
    start: datetime
    end: datetime
    shifts: list[Shift] = field(default_factory=list)
    gaps: list[tuple[datetime, datetime]] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def at(self, when: datetime) -> Shift | None:
        """The final shift covering ``when`` (binary search)."""
        lo, hi = 0, len(self.shifts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.shifts[mid].end <= when:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self.shifts) and self.shifts[lo].start <= when:
            return self.shifts[lo]
        return None


def _windows(layer: Layer, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The layer's restriction windows overlapping ``[start, end)``, merged and sorted, in UTC."""
    tz = zone(layer.timezone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        for w in layer.restrictions:
            if day.weekday() not in w.days:
                continue
            ws = local_to_utc(day, w.start, layer.timezone)
            we = local_to_utc(day + timedelta(days=1) if w.overnight else day, w.end, layer.timezone)
            if we > start and ws < end and we > ws:
                out.append((max(ws, start), min(we, end)))
        day += timedelta(days=1)
    return merge(out)


def merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted, disjoint union of intervals (touching ones joined)."""
    out: list[tuple[datetime, datetime]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def layer_shifts(layer: Layer, start: datetime, end: datetime) -> list[Shift]:
    """The layer's own shifts clipped to ``[start, end)`` and to its restrictions."""
    if not layer.users or start >= end:
        return []
    raw: list[Shift] = []
    k = layer.first_index(start)
    while True:
        s, e = layer.handoff_at(k), layer.handoff_at(k + 1)
        if s >= end:
            break
        if e > start:
            user = layer.users[k % len(layer.users)]
            raw.append(Shift(user, max(s, start), min(e, end), "layer", layer.id, layer.level))
        k += 1
    if not layer.restrictions:
        return raw
    windows = _windows(layer, start, end)
    out: list[Shift] = []
    i = 0
    for sh in raw:  # both lists are sorted: walk them together
        while i < len(windows) and windows[i][1] <= sh.start:
            i += 1
        j = i
        while j < len(windows) and windows[j][0] < sh.end:
            s, e = max(sh.start, windows[j][0]), min(sh.end, windows[j][1])
            if s < e:
                out.append(Shift(sh.user, s, e, "layer", layer.id, layer.level))
            j += 1
    return out


def _conflicts(overrides: Sequence[Override]) -> list[Conflict]:
    found: list[Conflict] = []
    ordered = sorted(overrides, key=lambda o: (o.start, o.id))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.start >= a.end:
                break
            if a.user != b.user:
                found.append(Conflict(max(a.start, b.start), min(a.end, b.end), (a.id, b.id), (a.user, b.user)))
    return found


def compute(layers: Sequence[Layer], overrides: Sequence[Override], start: datetime, end: datetime) -> Final:
    """The final schedule over ``[start, end)``: who is on call, the gaps, and conflicting overrides."""
    final = Final(start, end)
    if start >= end:
        return final
    candidates: list[tuple[Shift, int]] = []  # (shift, priority)
    for layer in layers:
        candidates.extend((sh, layer.level) for sh in layer_shifts(layer, start, end))
    clipped = [o for o in overrides if o.end > start and o.start < end]
    for o in clipped:
        sh = Shift(o.user, max(o.start, start), min(o.end, end), "override", o.id, OVERRIDE_PRIORITY)
        candidates.append((sh, OVERRIDE_PRIORITY + o.id))
    final.conflicts = _conflicts(clipped)
    points = sorted({start, end, *(s.start for s, _ in candidates), *(s.end for s, _ in candidates)})
    starts = sorted(range(len(candidates)), key=lambda i: candidates[i][0].start)
    heap: list[tuple[int, int]] = []  # (-priority, index)
    nxt = 0
    pieces: list[Shift] = []
    for a, b in itertools.pairwise(points):
        while nxt < len(starts) and candidates[starts[nxt]][0].start <= a:
            i = starts[nxt]
            heapq.heappush(heap, (-candidates[i][1], i))
            nxt += 1
        while heap and candidates[heap[0][1]][0].end <= a:
            heapq.heappop(heap)
        if not heap:
            if final.gaps and final.gaps[-1][1] == a:
                final.gaps[-1] = (final.gaps[-1][0], b)
            else:
                final.gaps.append((a, b))
            continue
        owner = candidates[heap[0][1]][0]
        last = pieces[-1] if pieces else None
        if (last is not None and last.end == a and last.user == owner.user and last.source == owner.source
                and last.source_id == owner.source_id):
            pieces[-1] = Shift(last.user, last.start, b, last.source, last.source_id, last.level)
        else:
            pieces.append(Shift(owner.user, a, b, owner.source, owner.source_id, owner.level))
    final.shifts = pieces
    return final


def now_and_next(layers: Sequence[Layer], overrides: Sequence[Override], at: datetime,
                 horizon: timedelta = timedelta(days=35)) -> tuple[Shift | None, Shift | None]:
    """The shift covering ``at`` and the next one with someone else, looking at most ``horizon`` ahead
    (two days first, then four times further while nobody else comes on)."""
    span = timedelta(days=2)
    while True:
        final = compute(layers, overrides, at, at + min(span, horizon))
        current = final.at(at)
        who = current.user if current else None
        following = next((s for s in final.shifts if s.start >= at and s.user != who), None)
        if following is not None or span >= horizon:
            return current, following
        span *= 4


# --- the naive reference: one instant at a time -------------------------------------------------

def layer_owner(layer: Layer, at: datetime) -> int | None:
    """Who the layer puts on call at the instant ``at``, computed on its own (no shift list)."""
    if not layer.users:
        return None
    first = layer.first_handoff()
    if at < first:
        return None
    if layer.unit == "hours":
        k = int((at - first) // timedelta(hours=layer.length))
    else:
        tz = zone(layer.timezone)
        day = at.astimezone(tz).date()
        days = (day - layer.start).days
        if at < local_to_utc(day, layer.handoff, layer.timezone):
            days -= 1
        k = days // layer.period_days()
        while layer.handoff_at(k) > at:  # a handoff moved by a skipped local hour
            k -= 1
        while layer.handoff_at(k + 1) <= at:
            k += 1
    if layer.restrictions and not _in_window(layer, at):
        return None
    return layer.users[k % len(layer.users)]


def _in_window(layer: Layer, at: datetime) -> bool:
    day = at.astimezone(zone(layer.timezone)).date()
    for d in (day - timedelta(days=1), day):
        for w in layer.restrictions:
            if d.weekday() not in w.days:
                continue
            ws = local_to_utc(d, w.start, layer.timezone)
            we = local_to_utc(d + timedelta(days=1) if w.overnight else d, w.end, layer.timezone)
            if ws <= at < we:
                return True
    return False


def owner_at(layers: Sequence[Layer], overrides: Sequence[Override], at: datetime) -> int | None:
    """Who is on call at ``at``: the newest override covering it, else the highest layer that has
    someone then, else nobody."""
    covering = [o for o in overrides if o.start <= at < o.end]
    if covering:
        return max(covering, key=lambda o: o.id).user
    for layer in sorted(layers, key=lambda la: -la.level):
        user = layer_owner(layer, at)
        if user is not None:
            return user
    return None


def naive(layers: Sequence[Layer], overrides: Sequence[Override], start: datetime, end: datetime,
          step: timedelta = timedelta(minutes=1)) -> list[tuple[datetime, int | None]]:
    """The owner at every ``step`` from ``start``: the baseline the benchmark and tests compare with."""
    out = []
    at = start
    while at < end:
        out.append((at, owner_at(layers, overrides, at)))
        at += step
    return out
