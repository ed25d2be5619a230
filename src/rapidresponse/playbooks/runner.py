"""What makes a playbook run by itself: reactions to incident events, and the timer job that
reminds owners before a deadline, tells the commander about overdue tasks, and reminds the comms
lead when a stakeholder update is due.

Every reminder is an incident event (so the timeline shows who was told what, and when) and a
notification queued under a key derived from that event, so a job run twice never tells twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, notify, worker
from ..auth import Person
from ..clock import now
from ..errors import DomainError
from ..incidents import IncidentSummary, TaskUpdate
from . import service
from .models import PlaybookRun, RunTask

log = structlog.get_logger("rapidresponse.playbooks")
OPEN_TASK = ("open", "in_progress")
FINISHED = ("resolved", "closed", "cancelled", "merged")
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


# --- incident events ----------------------------------------------------------------------------

@events.subscribe_legacy("incident.declared")
def on_declared(session: Session, ev: events.Event) -> None:
    """Apply the playbook of the incident's type. A playbook problem never blocks a declaration."""
    ref = str(ev.payload.get("ref", ""))
    if service.for_type(session, str(ev.payload.get("type", ""))) is None:
        return
    try:
        with session.begin_nested():
            service.apply(session, service.PLAYBOOK_ACTOR, ref)
    except DomainError as exc:
        log.warning("playbook not applied", ref=ref, error=exc.detail)
        events.record_legacy(session, type="incident.playbook_failed", subject_type="incident",
            subject_id=ev.subject_id,
                      actor="playbook", payload={"ref": ref, "error": exc.detail[:500]})


@events.subscribe_legacy("incident.task_updated")
def on_task_updated(session: Session, ev: events.Event) -> None:
    """A finished step starts the clocks of the steps that wait for it."""
    if ev.payload.get("status") != "done":
        return
    found = service.step_for_task(session, int(ev.payload["task_id"]))
    if found is not None:
        run, step = found
        service.start_waiting_steps(session, str(ev.payload["ref"]), run, step.step)


@events.subscribe_legacy("incident.member_added")
def on_member_added(session: Session, ev: events.Event) -> None:
    """A role is filled: its holder takes the playbook steps that role owns and nobody holds yet."""
    run = service.active_run(session, int(ev.subject_id))
    role, username = ev.payload.get("role"), ev.payload.get("username")
    if run is None or not role or not username:
        return
    steps = [s for s in service.run_steps(session, run) if s.owner_role == role and s.task_id]
    states = incidents.task_states(session, {s.task_id for s in steps if s.task_id})
    for step in steps:
        state = states.get(step.task_id or 0)
        if state is not None and state.owner_id is None and state.status in OPEN_TASK:
            incidents.update_task(session, service.PLAYBOOK_ACTOR, str(ev.payload["ref"]), _task_id(step),
                             TaskUpdate(owner=str(username)))


def _task_id(step: RunTask) -> int:
    assert step.task_id is not None
    return step.task_id


@events.subscribe_legacy("incident.severity_overridden")
@events.subscribe_legacy("incident.severity_override_cleared")
@events.subscribe_legacy("incident.updated")
def on_severity(session: Session, ev: events.Event) -> None:
    inc = _incident(session, int(ev.subject_id))
    service.reschedule_cadence(session, inc.id, inc.severity)


@events.subscribe_legacy("incident.status_changed")
def on_status(session: Session, ev: events.Event) -> None:
    """A resolved incident's playbook stops reminding; a reopened one starts again."""
    runs = session.execute(select(PlaybookRun).where(PlaybookRun.incident_id == int(ev.subject_id),
                                                     PlaybookRun.status.in_(("active", "finished")))
                           .order_by(PlaybookRun.id.desc()).limit(1)).scalars().all()
    for run in runs:
        run.status = "finished" if ev.payload.get("to") in FINISHED else "active"


# --- timers -------------------------------------------------------------------------------------

def _record(session: Session, inc: IncidentSummary, kind: str, **payload: Any) -> events.Event:
    return incidents.record_event(session, service.PLAYBOOK_ACTOR, inc, kind, **payload)


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
            ev = _record(session, inc, "incident.task_overdue", task_id=step.task_id, title=state.title,
                         step=step.step, due_at=state.due_at)
            told = _tell(session, commanders + ([owner] if owner else []), kind="task.overdue", ev=ev, inc=inc,
                         due=state.due_at, task=state.title, owner=owner.username if owner else "—")
            step.escalated_at, step.reminded_at = at, step.reminded_at or at
            sent += len(told)
        elif step.reminded_at is None and at >= state.due_at - reminder_lead(step.within_minutes):
            ev = _record(session, inc, "incident.task_due_soon", task_id=step.task_id, title=state.title,
                         step=step.step, due_at=state.due_at)
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
        ev = _record(session, inc, "incident.update_overdue", due_at=due)
        run.update_escalated_for = run.update_reminded_for = due
        return len(_tell(session, service.holders(session, inc, "commander") + comms, kind="update.overdue", ev=ev,
                         inc=inc, due=due))
    if at < due and at >= due - UPDATE_REMINDER_LEAD and run.update_reminded_for != due:
        ev = _record(session, inc, "incident.update_due", due_at=due)
        run.update_reminded_for = due
        return len(_tell(session, comms, kind="update.due", ev=ev, inc=inc, due=due))
    return 0


@worker.job("playbooks.timers", every=30)
def tick(session: Session) -> int:
    """One pass over the running playbooks; returns how many notifications it queued."""
    at = now()
    runs = session.execute(select(PlaybookRun).where(PlaybookRun.status == "active").order_by(PlaybookRun.id)
                           .with_for_update(skip_locked=True)).scalars().all()
    sent = 0
    for run in runs:
        inc = _incident(session, run.incident_id)
        sent += _step_timers(session, run, inc, at)
        sent += _update_timers(session, run, inc, at)
    return sent
