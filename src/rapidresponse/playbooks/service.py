"""Playbook rules: the library, saving a team's version, applying a playbook to an incident,
conditions that fire escalations, and the running checklist.

Tasks are the incident's own tasks (created through the incidents service); this domain keeps
which step each one carries, when its owner was reminded, and when it was escalated. A task keeps the
playbook's words (stored in English) until someone edits them: until then each reader is shown them in
their language (``task_texts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, incidents
from ..auth import Actor, Perm, Person
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from ..i18n import Translate, english
from ..incidents import ROLE_LABELS, IncidentSummary, TaskCreate, TaskOut, TaskUpdate
from . import files, sources
from .events import ConditionsSet, Escalated, PlaybookApplied, PlaybookSaved
from .models import PlaybookRun, PlaybookVersion, RunTask
from .schemas import Checklist, ChecklistStep, PastRun, RunOut, TaskWording, VersionOut
from .spec import CONDITIONS, Escalation, Playbook, TaskSpec

FINISHED = ("resolved", "closed", "cancelled", "merged")
"""The incident statuses in which its playbook stops."""
# What the platform does on a playbook's behalf is done as this actor (it sees every incident).
PLAYBOOK_ACTOR = Actor(user_id=None, username="playbook", role="admin")


# --- the library ----------------------------------------------------------------------------

def _ui_entries(session: Session) -> dict[str, sources.Entry]:
    """The newest UI-saved version of each playbook."""
    rows = session.execute(select(PlaybookVersion).where(PlaybookVersion.source == "ui")
                           .order_by(PlaybookVersion.id)).scalars()
    out: dict[str, sources.Entry] = {}
    for row in rows:
        out[row.playbook_id] = sources.Entry(files.parse(row.text, source=f"ui:{row.id}"), row.text, "ui",
                                             f"ui:{row.id}")
    return out


def entries(session: Session) -> tuple[dict[str, sources.Entry], list[sources.BrokenFile]]:
    found, broken = sources.from_files()
    found.update(_ui_entries(session))
    return dict(sorted(found.items())), broken


def list_playbooks(session: Session, actor: Actor) -> tuple[list[sources.Entry], list[sources.BrokenFile]]:
    actor.require(Perm.INCIDENTS_READ)
    found, broken = entries(session)
    return list(found.values()), broken


def get_playbook(session: Session, actor: Actor, playbook_id: str) -> sources.Entry:
    actor.require(Perm.INCIDENTS_READ)
    entry = entries(session)[0].get(playbook_id)
    if entry is None:
        raise NotFound(f"no playbook {playbook_id[:80]!r}")
    return entry


def playbook_text(session: Session, actor: Actor, playbook_id: str) -> str:
    """The YAML text of the playbook now in use under ``playbook_id`` (a team's, or the library's)."""
    return get_playbook(session, actor, playbook_id).text


def for_type(session: Session, incident_type: str) -> sources.Entry | None:
    """The playbook an incident of this type runs: a team's own before a built-in one; among them the
    one named for the type (``violent_extremism_livestream`` before ``school_attack_glorification``,
    which an incident runs when it is chosen)."""
    candidates = [e for e in entries(session)[0].values()
                  if incident_type in [t.value for t in e.playbook.incident_types]]
    candidates.sort(key=lambda e: (-sources.SOURCES.index(e.source), e.playbook.id != incident_type,
                                   not e.playbook.id.startswith(incident_type), e.playbook.id))
    return candidates[0] if candidates else None


def _store(session: Session, entry: sources.Entry, actor: Actor) -> PlaybookVersion:
    """The stored row for this exact text (one row per text, whoever saves or uses it first)."""
    row = session.execute(select(PlaybookVersion).where(PlaybookVersion.sha256 == entry.sha256)).scalar_one_or_none()
    if row is None:
        row = PlaybookVersion(playbook_id=entry.playbook.id, version=entry.playbook.version,
                              title=entry.playbook.title.en[:200], source=entry.source, sha256=entry.sha256,
                              text=entry.text, created_by_id=actor.user_id, created_at=now())
        session.add(row)
        session.flush()
    return row


def save(session: Session, actor: Actor, text: str) -> VersionOut:
    """Save a team's playbook from the UI or API; it replaces the library's playbook of that id."""
    actor.require(Perm.PLAYBOOKS_MANAGE)
    playbook = files.parse(text, source="playbook")
    current = entries(session)[0].get(playbook.id)
    if current is not None and current.sha256 == sources.sha256(text):
        raise Conflict(f"playbook {playbook.id!r} already has exactly this text")
    if current is not None and current.playbook.version == playbook.version:
        raise ValidationFailed(f"playbook {playbook.id!r} is already at version {playbook.version}: "
                               "raise the version when you change it", field="version")
    old = session.execute(select(PlaybookVersion).where(PlaybookVersion.sha256 == sources.sha256(text))
                          ).scalar_one_or_none()
    if old is not None:
        raise Conflict(f"this exact text is already stored as {old.playbook_id} {old.version}: "
                       "raise the version when you change it")
    row = _store(session, sources.Entry(playbook, text, "ui", "ui"), actor)
    events.record(session, actor, PlaybookSaved(subject_id=playbook.id, version=playbook.version, version_id=row.id,
                                                sha256=row.sha256))
    return VersionOut.model_validate(row)


def preview(actor: Actor, text: str, *, severity: int, conditions: list[str]) -> tuple[Playbook, list[TaskSpec]]:
    """The playbook in ``text`` (validated as saving would) and the tasks applying it would create at
    this severity with these conditions; nothing is stored."""
    actor.require(Perm.PLAYBOOKS_MANAGE)
    playbook = files.parse(text, source="playbook")
    return playbook, [spec for spec in playbook.tasks if _applies(spec, severity, conditions)]


def versions(session: Session, actor: Actor, playbook_id: str) -> list[VersionOut]:
    """Stored versions of a playbook, newest first: those saved by a team, and those run by an incident
    the actor may see (a version only a restricted incident ran would reveal that incident)."""
    actor.require(Perm.INCIDENTS_READ)
    rows = list(session.execute(select(PlaybookVersion).where(PlaybookVersion.playbook_id == playbook_id)
                                .order_by(PlaybookVersion.id.desc())).scalars())
    used = session.execute(select(PlaybookRun.version_id, PlaybookRun.incident_id)
                           .where(PlaybookRun.version_id.in_([r.id for r in rows]))).all()
    seen = incidents.visible_ids(session, actor, {incident_id for _, incident_id in used})
    shown = {version_id for version_id, incident_id in used if incident_id in seen}
    return [VersionOut.model_validate(r) for r in rows if r.source == "ui" or r.id in shown]


# --- runs -----------------------------------------------------------------------------------

def active_run(session: Session, incident_id: int) -> PlaybookRun | None:
    return session.execute(select(PlaybookRun).where(PlaybookRun.incident_id == incident_id,
                                                     PlaybookRun.status.in_(("active", "paused")))
                           ).scalar_one_or_none()


def run_playbook(session: Session, run: PlaybookRun | RunOut) -> Playbook:
    playbook = version_playbook(session, run.version_id)
    assert playbook is not None
    return playbook


def version_playbook(session: Session, version_id: int) -> Playbook | None:
    """The playbook as one of its saved versions wrote it (None for an unknown version)."""
    row = session.get(PlaybookVersion, version_id)
    return files.parse(row.text, source=f"playbook version {row.id}") if row is not None else None


def holders(session: Session, inc: IncidentSummary, role: str) -> list[Person]:
    return [p for p in incidents.holders(session, inc.id, role) if p.is_active]


def _applies(spec: TaskSpec, severity: int, conditions: list[str]) -> bool:
    if spec.severities and severity not in spec.severities:
        return False
    return all(c in conditions for c in spec.conditions)


def waits_for(spec: TaskSpec, specs: dict[str, TaskSpec], applied: set[str]) -> str:
    """The step ``spec`` waits for among those the run has (or "declared"): a step left out of the run (its
    severity or conditions do not apply) hands its own wait on, so no task waits on one the incident lacks."""
    after = spec.due.after if spec.due else "declared"
    seen: set[str] = set()
    while after != "declared" and after not in applied and after in specs and after not in seen:
        seen.add(after)
        skipped = specs[after].due
        after = skipped.after if skipped else "declared"
    return after if after == "declared" or after in applied else "declared"


def _create_step(session: Session, inc: IncidentSummary, run: PlaybookRun, spec: TaskSpec, base: datetime,
                 after: str = "declared") -> RunTask:
    owner = next(iter(holders(session, inc, spec.owner_role.value)), None)
    due = base + spec.due.within if spec.due and after == "declared" else None
    task = incidents.add_task(session, PLAYBOOK_ACTOR, inc.ref, TaskCreate(
        title=spec.title.en, description=task_description(spec, "en", english),
        owner=owner.username if owner else None, due_at=due))
    step = RunTask(run_id=run.id, step=spec.id, task_id=task.id, owner_role=spec.owner_role.value,
                   after_step=after if spec.due and after != "declared" else None,
                   within_minutes=int(spec.due.within.total_seconds() // 60) if spec.due else None)
    session.add(step)
    return step


def task_description(spec: TaskSpec, language: str, _: Translate) -> str:
    """The description of a step's task in ``language``: what the step is for, then when it is done."""
    done = _("Done when: %(text)s", text=spec.done_when.get(language))
    return f"{spec.description.get(language)}\n\n{done}" if spec.description else done


def task_texts(session: Session, tasks: Sequence[TaskOut], language: str, _: Translate) -> dict[int, TaskWording]:
    """The playbook's words of those ``tasks`` that carry a playbook step, in ``language``: a title or a
    description still as the playbook wrote it (in English) is given in ``language``; one that someone
    edited is theirs (None: shown as it is)."""
    by_id = {t.id: t for t in tasks}
    if not by_id:
        return {}
    rows = session.execute(select(RunTask.task_id, RunTask.step, PlaybookRun.version_id)
                           .join(PlaybookRun, PlaybookRun.id == RunTask.run_id)
                           .where(RunTask.task_id.in_(list(by_id)))).all()
    specs: dict[int, dict[str, TaskSpec]] = {}
    out: dict[int, TaskWording] = {}
    for task_id, step, version_id in rows:
        if task_id is None:
            continue
        if version_id not in specs:
            playbook = version_playbook(session, version_id)
            specs[version_id] = {t.id: t for t in playbook.tasks} if playbook else {}
        spec, task = specs[version_id].get(step), by_id[task_id]
        if spec is None:
            continue
        out[task_id] = TaskWording(
            title=spec.title.get(language) if task.title == spec.title.en.strip() else None,
            description=(task_description(spec, language, _)
                         if task.description == task_description(spec, "en", english) else None))
    left = set(by_id) - set(out)
    if left:
        out.update(_escalation_texts(session, [by_id[i] for i in left], language, _))
    return out


def escalation_title(rule: Escalation, language: str, _: Translate) -> str:
    """The title of the task an escalation creates, in ``language``: whom to pull in, and why."""
    target = events.label(_, ROLE_LABELS, rule.pull_in_role.value) if rule.pull_in_role else rule.pull_in_team or ""
    return _("Pull in %(target)s: %(note)s", target=target, note=rule.note.get(language))[:300]


def _escalation_texts(session: Session, tasks: Sequence[TaskOut], language: str,
                      _: Translate) -> dict[int, TaskWording]:
    """:func:`task_texts` for the tasks that escalations created (their events name them)."""
    by_id = {t.id: t for t in tasks}
    fired = session.execute(select(events.Event.subject_id, events.Event.payload).where(
        events.Event.type == Escalated.type,
        events.Event.payload["task_id"].as_integer().in_(list(by_id)))).all()
    out: dict[int, TaskWording] = {}
    for incident_id, payload in fired:
        task = by_id[int(payload["task_id"])]
        versions = session.execute(select(PlaybookRun.version_id).where(PlaybookRun.incident_id == int(incident_id))
                                   .order_by(PlaybookRun.id.desc())).scalars()
        for version_id in versions:
            playbook = version_playbook(session, version_id)
            rule = next((r for r in playbook.escalations if r.id == payload["escalation"]), None) if playbook else None
            if rule is not None:
                out[task.id] = TaskWording(
                    title=escalation_title(rule, language, _) if task.title == escalation_title(rule, "en", english)
                    else None,
                    description=rule.note.get(language) if task.description == rule.note.en else None)
                break
    return out


def apply(session: Session, actor: Actor, ref: str, playbook_id: str | None = None) -> RunOut:
    """Apply a playbook (the one for the incident's type when none is named). A running one is
    replaced: its tasks stay on the incident, its reminders stop. A refusal comes before any change."""
    actor.require(Perm.INCIDENTS_COMMAND)
    inc = incidents.get(session, actor, ref)
    if inc.status not in ("triage", "active", "mitigated", "monitoring"):
        raise Conflict(f"{inc.ref} is {inc.status}: a playbook runs only on an open incident")
    entry = entries(session)[0].get(playbook_id) if playbook_id else for_type(session, inc.type)
    if entry is None:
        raise NotFound(f"no playbook {playbook_id[:80]!r}" if playbook_id else f"no playbook for type {inc.type}")
    previous = active_run(session, inc.id)
    if previous is not None:
        previous.status = "replaced"
    version = _store(session, entry, actor)
    at = now()
    playbook = entry.playbook
    cadence = playbook.cadence(inc.severity)
    run = PlaybookRun(incident_id=inc.id, version_id=version.id, status="active",
                      conditions=list(previous.conditions) if previous else [], fired={},
                      applied_by_id=actor.user_id, applied_at=at,
                      next_update_due_at=at + cadence if cadence else None)
    session.add(run)
    session.flush()
    chosen = [spec for spec in playbook.tasks if _applies(spec, inc.severity, run.conditions)]
    specs, applied = {spec.id: spec for spec in playbook.tasks}, {spec.id for spec in chosen}
    for spec in chosen:
        _create_step(session, inc, run, spec, at, waits_for(spec, specs, applied))
    session.flush()
    filled = {m.role for m in incidents.members(session, inc.id)}
    wanted = [r.role.value for r in playbook.roles if r.min_severity is None or inc.severity <= r.min_severity]
    events.record(session, actor, PlaybookApplied(
        subject_id=inc.id, ref=inc.ref, playbook=playbook.id, version=playbook.version, version_id=version.id,
        replaced=previous.id if previous else None, tasks=len(run_steps(session, run)),
        roles_requested=[r for r in wanted if r not in filled], next_update_due_at=run.next_update_due_at))
    for condition in run.conditions:
        _fire(session, actor, inc, run, playbook, condition)
    return RunOut.model_validate(run)


def run_steps(session: Session, run: PlaybookRun | RunOut) -> list[RunTask]:
    return list(session.execute(select(RunTask).where(RunTask.run_id == run.id).order_by(RunTask.id)).scalars())


def set_conditions(session: Session, actor: Actor, ref: str, conditions: list[str]) -> RunOut:
    """Say which conditions hold (minors involved, regulator involved…). A condition that becomes true
    adds the tasks that wait for it and fires its escalations, once per run."""
    actor.require(Perm.INCIDENTS_UPDATE)
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise ValidationFailed(f"unknown condition {unknown[0][:60]!r}; one of {', '.join(CONDITIONS)}",
                               field="conditions")
    inc = incidents.get(session, actor, ref)
    run = active_run(session, inc.id)
    if run is None:
        raise Conflict(f"{inc.ref} runs no playbook: apply one first")
    wanted = sorted(set(conditions))
    added = [c for c in wanted if c not in run.conditions]
    removed = [c for c in run.conditions if c not in wanted]
    if not added and not removed:
        return RunOut.model_validate(run)
    run.conditions = wanted
    events.record(session, actor, ConditionsSet(subject_id=inc.id, ref=inc.ref, added=added, removed=removed,
                                                conditions=wanted))
    playbook = run_playbook(session, run)
    steps = run_steps(session, run)
    existing = {s.step for s in steps}
    states = incidents.task_states(session, {s.task_id for s in steps if s.task_id})
    finished = {s.step for s in steps if s.task_id and s.task_id in states
                and states[s.task_id].status in ("done", "cancelled")}
    new = [spec for spec in playbook.tasks
           if spec.id not in existing and spec.conditions and _applies(spec, inc.severity, wanted)]
    specs, have = {spec.id: spec for spec in playbook.tasks}, existing | {spec.id for spec in new}
    for spec in new:
        after = waits_for(spec, specs, have)
        _create_step(session, inc, run, spec, now(), "declared" if after in finished else after)
    for condition in added:
        _fire(session, actor, inc, run, playbook, condition)
    return RunOut.model_validate(run)


def _fire(session: Session, actor: Actor, inc: IncidentSummary, run: PlaybookRun, playbook: Playbook,
          condition: str) -> None:
    for rule in playbook.escalations:
        if rule.when != condition or rule.id in run.fired:
            continue
        already = bool(rule.pull_in_role and holders(session, inc, rule.pull_in_role.value))
        commander = next(iter(holders(session, inc, "commander")), None)
        title = escalation_title(rule, "en", english)
        task = None
        if not already:
            task = incidents.add_task(session, PLAYBOOK_ACTOR, inc.ref, TaskCreate(
                title=title, description=rule.note.en, owner=commander.username if commander else None,
                due_at=now() + rule.within))
        run.fired = {**run.fired, rule.id: now().isoformat()}
        events.record(session, actor, Escalated(
            subject_id=inc.id, ref=inc.ref, escalation=rule.id, condition=condition,
            role=rule.pull_in_role.value if rule.pull_in_role else None, team=rule.pull_in_team,
            within_minutes=int(rule.within.total_seconds() // 60), task_id=task.id if task else None,
            already_present=already))


# --- the checklist --------------------------------------------------------------------------

def checklist(session: Session, actor: Actor, ref: str) -> Checklist | None:
    """The running playbook of an incident as a checklist, or None when it runs none."""
    inc = incidents.get(session, actor, ref)
    runs = list(session.execute(select(PlaybookRun).where(PlaybookRun.incident_id == inc.id)
                                .order_by(PlaybookRun.id.desc())).scalars())
    run = next((r for r in runs if r.status in ("active", "paused")), runs[0] if runs else None)
    if run is None:
        return None
    playbook = run_playbook(session, run)
    version = session.get(PlaybookVersion, run.version_id)
    assert version is not None
    specs = {t.id: t for t in playbook.tasks}
    tasks = {t.id: t for t in incidents.tasks(session, actor, inc.ref)}
    at = now()
    steps = []
    for rs in run_steps(session, run):
        task = tasks.get(rs.task_id) if rs.task_id else None
        overdue = bool(task and task.due_at and task.status in ("open", "in_progress") and task.due_at < at)
        steps.append(ChecklistStep(step=rs.step, spec=specs.get(rs.step), task=task, owner_role=rs.owner_role,
                                   waiting_for=rs.after_step if task and task.due_at is None else None,
                                   overdue=overdue))
    members = incidents.members(session, inc.id)
    roles = [{"role": r.role.value, "required": r.required, "why": r.why,
              "holders": [m.username for m in members if m.role == r.role.value],
              "wanted": r.min_severity is None or inc.severity <= r.min_severity} for r in playbook.roles]
    escalations = [{"id": e.id, "when": e.when, "role": e.pull_in_role.value if e.pull_in_role else None,
                    "team": e.pull_in_team, "within": e.within, "note": e.note, "fired_at": run.fired.get(e.id)}
                   for e in playbook.escalations]
    return Checklist(run=RunOut.model_validate(run), playbook=playbook, version=VersionOut.model_validate(version),
                     steps=steps, roles=roles, conditions=list(run.conditions), escalations=escalations,
                     history=[_past(session, r) for r in runs if r.id != run.id])


def _past(session: Session, run: PlaybookRun) -> PastRun:
    playbook = run_playbook(session, run)
    return PastRun(title=playbook.title, version=playbook.version, status=run.status, applied_at=run.applied_at)


def next_updates(session: Session, incident_ids: set[int]) -> dict[int, datetime]:
    """When each of these incidents' next stakeholder update is due (those with an active playbook and a
    cadence; no permission: callers hold incidents they may see)."""
    if not incident_ids:
        return {}
    rows = session.execute(select(PlaybookRun.incident_id, PlaybookRun.next_update_due_at).where(
        PlaybookRun.incident_id.in_(incident_ids), PlaybookRun.status == "active",
        PlaybookRun.next_update_due_at.is_not(None))).all()
    return {i: due for i, due in rows if due is not None}


def next_update(session: Session, incident_id: int) -> datetime | None:
    run = active_run(session, incident_id)
    return run.next_update_due_at if run else None


def record_update_sent(session: Session, incident_id: int, severity: int) -> None:
    """A stakeholder update went out: the next one is due one cadence from now."""
    run = active_run(session, incident_id)
    if run is None:
        return
    at = now()
    cadence = run_playbook(session, run).cadence(severity)
    run.last_update_at = at
    run.next_update_due_at = at + cadence if cadence else None


def reschedule_cadence(session: Session, incident_id: int, severity: int) -> None:
    """Severity changed: the next update is due one new cadence after the last one (or the start),
    which may be now overdue when the severity rose."""
    run = active_run(session, incident_id)
    if run is None:
        return
    cadence = run_playbook(session, run).cadence(severity)
    run.next_update_due_at = (run.last_update_at or run.applied_at) + cadence if cadence else None


def follow_status(session: Session, incident_id: int, status: str) -> None:
    """A resolved incident's playbook stops reminding; a reopened one starts again."""
    runs = session.execute(select(PlaybookRun).where(PlaybookRun.incident_id == incident_id,
                                                     PlaybookRun.status.in_(("active", "finished")))
                           .order_by(PlaybookRun.id.desc()).limit(1)).scalars().all()
    for run in runs:
        run.status = "finished" if status in FINISHED else "active"


def start_waiting_steps(session: Session, inc_ref: str, run: PlaybookRun, finished_step: str) -> None:
    """The step others wait for is done: their clocks start now."""
    for rs in run_steps(session, run):
        if rs.after_step == finished_step and rs.task_id and rs.within_minutes:
            incidents.update_task(session, PLAYBOOK_ACTOR, inc_ref, rs.task_id,
                             TaskUpdate(due_at=now() + timedelta(minutes=rs.within_minutes)))


def step_for_task(session: Session, task_id: int) -> tuple[PlaybookRun, RunTask] | None:
    row = session.execute(select(PlaybookRun, RunTask).join(RunTask, RunTask.run_id == PlaybookRun.id)
                          .where(RunTask.task_id == task_id, PlaybookRun.status == "active")).first()
    return (row[0], row[1]) if row else None
