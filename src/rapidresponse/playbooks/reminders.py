"""The timers of running playbooks: remind a step's owner before its deadline, tell the commander
about an overdue step, remind the comms lead when a stakeholder update is due and tell the
commander when it is overdue (the worker runs :func:`remind`, see :mod:`.jobs`).

Every reminder is an incident event (so the timeline shows who was told what, and when) and a
notification queued under a key derived from that event, so a job run twice never tells twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, notify
from ..auth import Person
from ..clock import now
from ..incidents import IncidentSummary
from . import service
from .events import TaskDueSoon, TaskOverdue, UpdateDue, UpdateOverdue
from .models import PlaybookRun, RunTask

OPEN_TASK = ("open", "in_progress")
UPDATE_REMINDER_LEAD = timedelta(minutes=15)


def reminder_lead(within_minutes: int | None) -> timedelta:
    """How long before a deadline its owner hears of it: a quarter of the time given, 5 to 30 minutes."""
    if not within_minutes:
        return timedelta(minutes=30)
    return timedelta(minutes=max(5, min(30, within_minutes // 4)))


def _incident(session: Session, incident_id: int) -> IncidentSummary:
    return incidents.get_by_id(session, service.PLAYBOOK_ACTOR, incident_id)


def _when(at: datetime | None, user: Person) -> str:
    if at is None:
        return "—"
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).strftime("%d.%m %H:%M %Z")


def _tell(session: Session, users: list[Person], *, kind: str, ev: events.Event, inc: IncidentSummary,
          due: datetime | None, **facts: Any) -> list[str]:
    told = []
    for user in {u.id: u for u in users}.values():
        base = {"ref": inc.ref, "title": inc.title, "severity": inc.severity, "type": inc.type,
                "due": _when(due, user), **facts}
        notify.notify_user(session, user, kind=kind, ev=ev, facts=base, restricted=inc.restricted)
        told.append(user.username)
    return told


def _record(session: Session, event: incidents.IncidentEvent) -> events.Event:
    return events.record(session, service.PLAYBOOK_ACTOR, event)


def _task_id(step: RunTask) -> int:
    assert step.task_id is not None
    return step.task_id


def _step_timers(session: Session, run: PlaybookRun, inc: IncidentSummary, at: datetime) -> int:
    steps = [s for s in service.run_steps(session, run) if s.task_id and s.escalated_at is None]
    states = incidents.task_states(session, {_task_id(s) for s in steps})
    sent = 0
    for step in steps:
        state = states.get(_task_id(step))
        if state is None or state.status not in OPEN_TASK or state.due_at is None:
            continue
        owner = auth.person(session, state.owner_id) if state.owner_id else None
        commanders = service.holders(session, inc, "commander")
        if at >= state.due_at:
            ev = _record(session, TaskOverdue(subject_id=inc.id, ref=inc.ref, task_id=_task_id(step),
                                              title=state.title, step=step.step, due_at=state.due_at))
            told = _tell(session, commanders + ([owner] if owner else []), kind="task.overdue", ev=ev, inc=inc,
                         due=state.due_at, task=state.title, owner=owner.username if owner else "—")
            step.escalated_at, step.reminded_at = at, step.reminded_at or at
            sent += len(told)
        elif step.reminded_at is None and at >= state.due_at - reminder_lead(step.within_minutes):
            ev = _record(session, TaskDueSoon(subject_id=inc.id, ref=inc.ref, task_id=_task_id(step),
                                              title=state.title, step=step.step, due_at=state.due_at))
            spec = next((t for t in service.run_playbook(session, run).tasks if t.id == step.step), None)
            sent += len(_tell(session, [owner] if owner and owner.is_active else commanders, kind="task.due_soon",
                              ev=ev, inc=inc, due=state.due_at, task=state.title,
                              done_when=spec.done_when.en if spec else ""))
            step.reminded_at = at
    return sent


def _update_timers(session: Session, run: PlaybookRun, inc: IncidentSummary, at: datetime) -> int:
    due = run.next_update_due_at
    if due is None:
        return 0
    comms = service.holders(session, inc, "comms_lead") or service.holders(session, inc, "commander")
    if at >= due and run.update_escalated_for != due:
        ev = _record(session, UpdateOverdue(subject_id=inc.id, ref=inc.ref, due_at=due))
        run.update_escalated_for = run.update_reminded_for = due
        return len(_tell(session, service.holders(session, inc, "commander") + comms, kind="update.overdue", ev=ev,
                         inc=inc, due=due))
    if at < due and at >= due - UPDATE_REMINDER_LEAD and run.update_reminded_for != due:
        ev = _record(session, UpdateDue(subject_id=inc.id, ref=inc.ref, due_at=due))
        run.update_reminded_for = due
        return len(_tell(session, comms, kind="update.due", ev=ev, inc=inc, due=due))
    return 0


def remind(session: Session) -> int:
    """One pass over the running playbooks; returns how many notifications it queued."""
    at = now()
    runs = session.execute(select(PlaybookRun).where(PlaybookRun.status == "active").order_by(PlaybookRun.id)
                           .with_for_update(skip_locked=True)).scalars().all()
    sent = 0
    for run in runs:
        inc = _incident(session, run.incident_id)
        if inc.status in service.FINISHED:  # merged, cancelled or closed without a status change stopping it
            run.status = "finished"
            continue
        sent += _step_timers(session, run, inc, at)
        sent += _update_timers(session, run, inc, at)
    return sent
