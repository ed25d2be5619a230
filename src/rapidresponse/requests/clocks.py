"""A request's legal clock: how far it has run, in the clock's own kind of time, and its warning level.

The deadline (hours, calendar or business time) was copied onto the request when it arrived; the
country profile gives only the zone the clock is shown in and the business calendar it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import policy
from ..clock import now
from .models import RegulatorRequest
from .schemas import ClockOut, Level

MARKS = (50, 75, 90)
"""The percentages of the clock at which the owner is warned."""


@dataclass(frozen=True)
class ClockState:
    due_at: datetime
    due_local: datetime
    zone: str
    progress: float
    remaining: timedelta
    level: Level


def _elapsed(req: RegulatorRequest, profile: policy.CountryProfile | None, at: datetime) -> timedelta:
    if at >= req.due_at:
        return timedelta(hours=req.deadline_hours)
    if at <= req.received_at:
        return timedelta(0)
    if req.deadline_time == policy.TimeKind.BUSINESS.value and profile is not None:
        return policy.BusinessCalendar.for_country(profile).between(req.received_at, at)
    return at - req.received_at


def clock_state(req: RegulatorRequest, profile: policy.CountryProfile | None,
                at: datetime | None = None) -> ClockState:
    """How far the request's clock has run at ``at`` (now by default); ``profile`` is its country's."""
    at = at or now()
    zone = profile.time_zones[0] if profile else "UTC"
    due_local = req.due_at.astimezone(profile.zone) if profile else req.due_at
    duration = timedelta(hours=req.deadline_hours)
    elapsed = _elapsed(req, profile, at)
    progress = min(1.0, max(0.0, elapsed / duration))
    level: Level
    if req.status == "answered":
        level = "answered"
    elif at > req.due_at:
        level = "breached"
    else:
        crossed = [m for m in MARKS if progress * 100 >= m]
        level = str(crossed[-1]) if crossed else "ok"  # type: ignore[assignment]
    return ClockState(req.due_at, due_local, zone, progress, max(timedelta(0), duration - elapsed), level)


def clock_out(state: ClockState) -> ClockOut:
    return ClockOut(due_at=state.due_at, due_local=state.due_local, zone=state.zone, progress=state.progress,
                    remaining_seconds=int(state.remaining.total_seconds()), level=state.level)
