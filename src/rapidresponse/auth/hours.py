"""A person's working hours: the weekdays and the span of the day they work, in their own time zone.

Translation routing reads them through :func:`working_hours` and :func:`at_work` (someone at work now
before someone off); the on-call rota does not (being on call is the rota's, whatever the hours). Each
person sets their own on the settings page. A span that ends before it starts crosses midnight (a
night shift, ``22:00``–``06:00``): it counts from the start on a working day into the next morning.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .. import events
from ..errors import NotFound
from .events import UserUpdated
from .models import User
from .permissions import Actor
from .schemas import WorkingHours, WorkingHoursIn


def _hours(user: User) -> WorkingHours:
    return WorkingHours(days=sorted(user.work_days), start=user.work_start, end=user.work_end,
                        timezone=user.timezone)


def working_hours(session: Session, user_id: int) -> WorkingHours:
    """The person's working hours (no permission: they say when to reach someone, not what they did)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return _hours(user)


def set_working_hours(session: Session, actor: Actor, data: WorkingHoursIn) -> WorkingHours:
    """The acting person's own working hours; a change is recorded (``user.updated``)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("only a signed-in person has working hours")
    new = {"work_days": sorted(set(data.days)), "work_start": data.start, "work_end": data.end}
    changes = {name: value for name, value in new.items() if getattr(user, name) != value}
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        events.record(session, actor, UserUpdated(subject_id=user.id, changes={"working_hours": new}))
    return _hours(user)


def at_work(hours: WorkingHours, at: datetime) -> bool:
    """Whether ``at`` (aware) falls in these working hours."""
    local = at.astimezone(ZoneInfo(hours.timezone))
    start, end = time.fromisoformat(hours.start), time.fromisoformat(hours.end)
    if start <= end:
        return local.weekday() in hours.days and start <= local.time() < end
    if local.weekday() in hours.days and local.time() >= start:
        return True
    yesterday = (local - timedelta(days=1)).weekday()
    return yesterday in hours.days and local.time() < end
