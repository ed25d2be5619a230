"""How playbooks react to what happens to an incident: a declared incident gets its type's playbook,
a finished step starts the clocks of the steps waiting for it, a filled role takes its steps, a new
severity changes the update cadence, a closed incident's playbook stops; and an approver's decision
moves a stakeholder update on.

Each reaction runs in its own savepoint of the recording transaction (see
:func:`rapidresponse.events.subscribe`): one that fails is rolled back alone, and the incident's
change stands.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.orm import Session

from .. import approvals, events, incidents
from ..errors import DomainError
from ..i18n import Translate
from ..incidents import TaskOut, TaskUpdate
from . import service, updates
from .events import PlaybookFailed

log = structlog.get_logger("rapidresponse.playbooks")
OPEN_TASK = ("open", "in_progress")


@events.subscribe(incidents.Declared)
def on_declared(session: Session, event: incidents.Declared, row: events.Event) -> None:
    """Apply the playbook of the incident's type. A playbook problem never blocks a declaration: a
    refusal (which :func:`.service.apply` makes before it changes anything) is kept on the timeline
    as ``incident.playbook_failed``, so the team sees why no checklist appeared."""
    if service.for_type(session, event.incident_type) is None:
        return
    try:
        service.apply(session, service.PLAYBOOK_ACTOR, event.ref)
    except DomainError as exc:
        log.warning("playbook not applied", ref=event.ref, error=exc.detail)
        events.record(session, service.PLAYBOOK_ACTOR,
                      PlaybookFailed(subject_id=event.subject_id, ref=event.ref, error=exc.detail[:500]))


@incidents.task_titles
def playbook_titles(session: Session, tasks: Sequence[TaskOut], language: str, _: Translate) -> dict[int, str]:
    """The titles of the tasks a playbook (a step or an escalation) created, in ``language``, while they are
    still the playbook's words: the timeline and the activity lines quote them in the reader's language."""
    return {task_id: wording.title for task_id, wording in service.task_texts(session, tasks, language, _).items()
            if wording.title}


@events.subscribe(incidents.TaskUpdated)
def on_task_updated(session: Session, event: incidents.TaskUpdated, row: events.Event) -> None:
    """A finished (or cancelled) step starts the clocks of the steps that wait for it."""
    if event.status not in ("done", "cancelled"):
        return
    found = service.step_for_task(session, event.task_id)
    if found is not None:
        run, step = found
        service.start_waiting_steps(session, event.ref, run, step.step)


@events.subscribe(incidents.MemberAdded)
def on_member_added(session: Session, event: incidents.MemberAdded, row: events.Event) -> None:
    """A role is filled: its holder takes the playbook steps that role owns and nobody holds yet."""
    run = service.active_run(session, int(event.subject_id))
    if run is None:
        return
    steps = [s for s in service.run_steps(session, run) if s.owner_role == event.role and s.task_id]
    states = incidents.task_states(session, {s.task_id for s in steps if s.task_id})
    for step in steps:
        state = states.get(step.task_id or 0)
        if step.task_id and state is not None and state.owner_id is None and state.status in OPEN_TASK:
            incidents.update_task(session, service.PLAYBOOK_ACTOR, event.ref, step.task_id,
                                  TaskUpdate(owner=event.username))


@events.subscribe(incidents.SeverityOverridden, incidents.SeverityOverrideCleared, incidents.Updated)
def on_severity(session: Session, event: incidents.IncidentEvent, row: events.Event) -> None:
    """The severity may have changed: the next update is due one new cadence after the last."""
    inc = incidents.get_by_id(session, service.PLAYBOOK_ACTOR, int(event.subject_id))
    service.reschedule_cadence(session, inc.id, inc.severity)


@events.subscribe(incidents.StatusChanged)
def on_status(session: Session, event: incidents.StatusChanged, row: events.Event) -> None:
    """A resolved incident's playbook stops reminding; a reopened one starts again."""
    service.follow_status(session, int(event.subject_id), event.to)


@events.subscribe(incidents.Merged)
def on_merged(session: Session, event: incidents.Merged, row: events.Event) -> None:
    """A merged incident's playbook stops reminding (its work goes on in the incident it joined)."""
    service.follow_status(session, int(event.subject_id), "merged")


@events.subscribe(approvals.Decided)
def on_decided(session: Session, event: approvals.Decided, row: events.Event) -> None:
    """An approval of a stakeholder update's text was decided."""
    if event.about_type == updates.SUBJECT_TYPE:
        updates.decided(session, update_id=int(event.about_id), approval_id=event.approval_id,
                        approved=event.decision == "approved")
