"""Legal deadline clocks: when a request received at a moment is due, and how far along it is.

Calendar clocks count real elapsed hours (so a 24 h clock across a DST change still lasts 24
real hours). Business clocks count only hours inside the country's business hours (Mon–Fri
09:00–18:00 local by default, configurable per profile) on days that are not public holidays
(from the ``holidays`` package, which also knows weekend days moved to working days), in the
country's legal zone. All inputs and outputs are timezone-aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from ..errors import ValidationFailed
from .countries import BusinessHours, CountryProfile, Deadline, TimeKind

MAX_DAYS = 3660  # a business clock never scans more than ten years ahead


@lru_cache(maxsize=256)
def _holidays(key: str, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, weekend days that are working days) for one country and year."""
    h = holidays_lib.country_holidays(key, years=year)
    workdays = frozenset(d for d in getattr(h, "weekend_workdays", ()) if d.year == year)
    return frozenset(h.keys()), workdays


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    hours: BusinessHours
    holidays_key: str

    @classmethod
    def for_country(cls, profile: CountryProfile) -> BusinessCalendar:
        return cls(zone=profile.zone, hours=profile.business_hours, holidays_key=profile.holidays)

    def is_business_day(self, day: date) -> bool:
        public, moved_workdays = _holidays(self.holidays_key, day.year)
        if day in moved_workdays:
            return True
        return day.weekday() in self.hours.weekdays and day not in public

    def windows(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Business windows (aware UTC start, end) that end after ``start``, in order."""
        day = start.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            if self.is_business_day(day):
                opens = datetime.combine(day, self.hours.start, self.zone).astimezone(UTC)
                closes = datetime.combine(day, self.hours.end, self.zone).astimezone(UTC)
                if closes > start:
                    yield max(opens, start), closes
            day += timedelta(days=1)
        raise ValidationFailed(f"no business day within {MAX_DAYS} days for {self.holidays_key}")

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of business time after ``start``."""
        remaining = duration
        for opens, closes in self.windows(start):
            span = closes - opens
            if remaining <= span:
                # A clock that has fully run lands at a business moment, never at the window's
                # edge of a later day: zero remaining at an opening stays where it is.
                return opens + remaining
            remaining -= span
        raise AssertionError("unreachable")  # pragma: no cover

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed between two moments (zero if ``end`` is not after ``start``)."""
        total = timedelta(0)
        if end <= start:
            return total
        for opens, closes in self.windows(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed(f"{what} must carry a time zone (e.g. 2026-11-27T18:30:00+05:00)")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """A running legal clock: received → due, with progress for the 50/75/90 % warnings."""

    received: datetime
    due: datetime
    deadline: Deadline
    country: CountryProfile

    @property
    def duration(self) -> timedelta:
        return timedelta(hours=self.deadline.clock_hours)

    def _elapsed(self, now: datetime) -> timedelta:
        now = _aware(now, "now")
        if self.deadline.time == TimeKind.BUSINESS:
            return BusinessCalendar.for_country(self.country).between(self.received, now)
        return now - self.received

    def progress(self, now: datetime) -> float:
        """Fraction of the clock used at ``now``, in the clock's own kind of time, in [0, 1]."""
        if now <= self.received:
            return 0.0
        if now >= self.due:
            return 1.0
        return min(1.0, max(0.0, self._elapsed(now) / self.duration))

    def remaining(self, now: datetime) -> timedelta:
        return self.duration - min(self.duration, self._elapsed(now)) if now < self.due else timedelta(0)

    def thresholds_crossed(self, now: datetime, marks: tuple[float, ...] = (0.5, 0.75, 0.9)) -> list[float]:
        p = self.progress(now)
        return [m for m in marks if p >= m]

    def breached(self, now: datetime) -> bool:
        return _aware(now, "now") > self.due

    @property
    def due_local(self) -> datetime:
        return self.due.astimezone(self.country.zone)

    @property
    def warnings(self) -> list[str]:
        w = self.deadline.warning
        return [w] if w else []


def due_at(received: datetime, country: CountryProfile, deadline: Deadline) -> datetime:
    """When a request received at ``received`` (aware) is due, in UTC."""
    start = _aware(received, "received")
    duration = timedelta(hours=deadline.clock_hours)
    if deadline.time == TimeKind.BUSINESS:
        return BusinessCalendar.for_country(country).add(start, duration)
    return start + duration  # aware UTC arithmetic: real elapsed hours, DST-proof


def start_clock(received: datetime, country: CountryProfile, deadline: Deadline) -> Clock:
    start = _aware(received, "received")
    return Clock(received=start, due=due_at(start, country, deadline), deadline=deadline, country=country)
