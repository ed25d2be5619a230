"""The work on an incident: notes, the timeline and tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from .. import auth, events, markup
from ..auth import Actor, Perm
from ..clock import now
from ..errors import NotFound, ValidationFailed
from ..i18n import Translate, locale_of
from .events import IncidentEvent, NoteAdded, NotePinned, NoteUnpinned, TaskAdded, TaskUpdated
from .models import Incident, Note, Task
from .schemas import NoteCreate, NoteOut, TaskCreate, TaskOut, TaskUpdate, TimelineEntry
from .service import _record, _require_open, load, visible
from .vocab import OPEN_STATUSES, TaskStatus

TIMELINE_KINDS = ("notes", "status", "people", "tasks", "severity", "access")
"""The timeline's filters; each incident event names the one that shows it. Reads of restricted
incidents are audit entries ("access"), shown only when asked for."""


def timeline_kind(event_type: str) -> str | None:
    """The timeline filter that shows events of this type."""
    cls = events.CATALOGUE.get(event_type)
    if cls is not None and issubclass(cls, IncidentEvent):
        return cls.timeline
    return None


# Payload fields of incident events that name another incident (links and merges).
OTHER_REF_FIELDS = ("other", "into")


def hidden_refs(session: Session, actor: Actor, evs: list[events.Event]) -> set[str]:
    """Refs named in the events' payloads that the actor may not know of (restricted incidents).

    An event about a visible incident that names a restricted one (a link, a merge) must not reveal
    it: such events are left out for that actor.
    """
    named = {str(ev.payload[k]) for ev in evs for k in OTHER_REF_FIELDS if ev.payload.get(k)}
    if not named:
        return set()
    seen = set(session.execute(select(Incident.ref).where(Incident.ref.in_(named), visible(actor))).scalars())
    return named - seen


def _names_hidden(ev: events.Event, hidden: set[str]) -> bool:
    return any(str(ev.payload.get(k)) in hidden for k in OTHER_REF_FIELDS if ev.payload.get(k))


def _usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    return auth.usernames(session, ids)


def note_out(session: Session, note: Note) -> NoteOut:
    return _note_out(note, _usernames(session, {note.author_id}))


def _note_out(note: Note, names: dict[int, str]) -> NoteOut:
    return NoteOut(id=note.id, author=names.get(note.author_id) if note.author_id else None, body=note.body,
                   body_html=note.body_html, pinned=note.pinned, created_at=note.created_at)


def get_note(session: Session, actor: Actor, note_id: int) -> tuple[str, NoteOut]:
    """One note and its incident's ref; NotFound alike for a missing note and one the actor may not see."""
    actor.require(Perm.INCIDENTS_READ)
    found = session.execute(select(Note, Incident.ref).join(Incident, Incident.id == Note.incident_id)
                            .where(Note.id == note_id, visible(actor))).first()
    if found is None:
        raise NotFound(f"no note {note_id}")
    return found[1], note_out(session, found[0])


NOTE_PAST_LIMIT = timedelta(days=30)  # a note may tell of something up to this long before the declaration


def check_note_time(at: datetime | None, declared_at: datetime) -> datetime | None:
    """A note's own time: not in the future, nor long before the incident was declared."""
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValidationFailed("give the note's time with its time zone", field="at")
    if at > now() + DUE_SLACK:
        raise ValidationFailed(f"at {at:%Y-%m-%d %H:%M} UTC is in the future; a note tells what already happened",
                               field="at")
    if at < declared_at - NOTE_PAST_LIMIT:
        raise ValidationFailed(f"at {at:%Y-%m-%d %H:%M} UTC is more than {NOTE_PAST_LIMIT.days} days before the "
                               "incident was declared", field="at")
    return at


def add_note(session: Session, actor: Actor, ref: str, data: NoteCreate) -> NoteOut:
    """A note on the timeline; with ``at``, at the earlier time it tells of (it was still written now)."""
    actor.require(Perm.INCIDENTS_NOTE)
    inc = load(session, actor, ref)
    at = check_note_time(data.at, inc.declared_at)
    note = Note(incident_id=inc.id, author_id=actor.user_id, body=data.body, body_html=markup.render(data.body),
                pinned=data.pinned, created_at=now())
    session.add(note)
    session.flush()
    events.record(session, actor, NoteAdded(subject_id=inc.id, ref=inc.ref, note_id=note.id, pinned=note.pinned),
                  at=at)
    return _note_out(note, {actor.user_id: actor.username} if actor.user_id else {})  # the author is the actor


def pin_note(session: Session, actor: Actor, ref: str, note_id: int, pinned: bool) -> NoteOut:
    actor.require(Perm.INCIDENTS_NOTE)
    inc = load(session, actor, ref)
    note = session.get(Note, note_id)
    if note is None or note.incident_id != inc.id:
        raise NotFound(f"no note {note_id} on {inc.ref}")
    if note.pinned != pinned:
        note.pinned = pinned
        kind = NotePinned if pinned else NoteUnpinned
        _record(session, actor, kind(subject_id=inc.id, ref=inc.ref, note_id=note.id))
    return note_out(session, note)


TaskTitles = Callable[[Session, Sequence[TaskOut], str, Translate], dict[int, str]]
_task_titles: list[TaskTitles] = []
TASK_EVENTS = frozenset({TaskAdded.type, TaskUpdated.type})
"""The events that quote a task's title."""


def task_titles(wording: TaskTitles) -> TaskTitles:
    """Register ``wording(session, tasks, language, _)``, which gives the titles of those ``tasks`` whose
    title is still its own words (not edited since), in ``language`` (task id → title). Domains above
    incidents that create tasks (playbooks) have the lines quoting those titles read in the reader's
    language this way; a title someone edited is theirs and is quoted as written."""
    _task_titles.append(wording)
    return wording


def quoted_titles(session: Session, evs: Sequence[events.Event], _: Translate) -> dict[tuple[int, str], str]:
    """The task titles that the events quote, in the language of ``_`` where a registered :func:`task_titles`
    gives them: (task id, title as quoted) → title. Only a quote of the task's current title is reworded
    (an earlier title the task no longer has is quoted as it was)."""
    ids = {ev.payload["task_id"] for ev in evs
           if ev.type in TASK_EVENTS and isinstance(ev.payload.get("task_id"), int)}
    if not ids or not _task_titles:
        return {}
    rows = list(session.execute(select(Task).where(Task.id.in_(ids))).scalars())
    names = _usernames(session, {t.owner_id for t in rows})
    tasks = [_task_out(t, names) for t in rows]
    worded: dict[int, str] = {}
    for wording in _task_titles:
        worded.update(wording(session, tasks, locale_of(_), _))
    return {(t.id, t.title): worded[t.id] for t in tasks if worded.get(t.id)}


def shown_payload(ev: events.Event, names: Mapping[str, str],
                  titles: Mapping[tuple[int, str], str]) -> dict[str, Any]:
    """:func:`events.as_shown`, with the task title it quotes as :func:`quoted_titles` gives it (empty:
    the payload as it is)."""
    shown = events.as_shown(ev, names)
    quoted = (ev.payload.get("task_id", -1), ev.payload.get("title", ""))
    title = titles.get(quoted) if ev.type in TASK_EVENTS else None
    return {**(shown or ev.payload), "title": title} if title else shown


def timeline(session: Session, actor: Actor, ref: str, *, kinds: list[str] | None = None,
             pinned_only: bool = False, _: Translate | None = None) -> list[TimelineEntry]:
    """The incident's events with their notes, oldest first (by when they happened: an entry recorded with
    an earlier time sits where it belongs), each with who did it as they are shown. With a reader's
    translations ``_`` (a page's), the task titles the entries quote are shown in the reader's language
    where they are still a registered :func:`task_titles`'s words; the payloads stay as recorded."""
    inc = load(session, actor, ref)
    wanted = set(kinds or [])
    notes = {n.id: n for n in session.execute(select(Note).where(Note.incident_id == inc.id)).scalars()}
    names = _usernames(session, {n.author_id for n in notes.values()})
    entries: list[TimelineEntry] = []
    evs = events.for_subject(session, "incident", inc.id)
    hidden = hidden_refs(session, actor, evs)
    shown = auth.display_names(session, {ev.actor_id for ev in evs})
    named = auth.names_of(session, events.people_named(evs))
    titles = quoted_titles(session, evs, _) if _ is not None else {}
    for ev in sorted(evs, key=lambda e: (e.occurred_at, e.id)):
        kind = timeline_kind(ev.type)
        if wanted and kind not in wanted:
            continue
        if _names_hidden(ev, hidden):
            continue
        if not wanted and kind == "access":
            continue
        note = notes.get(ev.payload.get("note_id", -1)) if ev.type == "incident.note_added" else None
        if pinned_only and not (note and note.pinned):
            continue
        entries.append(TimelineEntry(id=ev.id, at=ev.occurred_at, type=ev.type, actor=ev.actor,
                                     actor_name=shown.get(ev.actor_id or 0, ev.actor), payload=ev.payload,
                                     shown=shown_payload(ev, named, titles),
                                     note=_note_out(note, names) if note else None))
    return entries


def pinned_notes(session: Session, actor: Actor, ref: str) -> list[NoteOut]:
    inc = load(session, actor, ref)
    rows = session.execute(select(Note).where(Note.incident_id == inc.id, Note.pinned.is_(True))
                           .order_by(Note.id)).scalars().all()
    names = _usernames(session, {n.author_id for n in rows})
    return [_note_out(n, names) for n in rows]


# --- tasks ----------------------------------------------------------------------------------

def task_out(session: Session, task: Task) -> TaskOut:
    return _task_out(task, _usernames(session, {task.owner_id}))


def _task_out(task: Task, names: dict[int, str]) -> TaskOut:
    return TaskOut(id=task.id, title=task.title, description=task.description,
                   owner=names.get(task.owner_id) if task.owner_id else None, due_at=task.due_at,
                   status=task.status, created_at=task.created_at, completed_at=task.completed_at)


DUE_SLACK = timedelta(minutes=2)  # a deadline typed a moment ago, to the minute, is not in the past


def check_due(due_at: datetime | None) -> None:
    """A task's deadline must lie ahead: one in the past is overdue the moment it is set."""
    if due_at is None:
        return
    at = now()
    if due_at < at - DUE_SLACK:
        raise ValidationFailed(f"due_at {due_at:%Y-%m-%d %H:%M} UTC is in the past; give a time from now on",
                               field="due_at")


def add_task(session: Session, actor: Actor, ref: str, data: TaskCreate) -> TaskOut:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    _require_open(inc)
    check_due(data.due_at)
    owner = auth.find_person(session, data.owner) if data.owner else None
    task = Task(incident_id=inc.id, title=data.title, description=data.description,
                owner_id=owner.id if owner else None, due_at=data.due_at, status=TaskStatus.OPEN.value,
                created_by_id=actor.user_id, created_at=now())
    session.add(task)
    session.flush()
    _record(session, actor, TaskAdded(subject_id=inc.id, ref=inc.ref, task_id=task.id, title=task.title,
                                      owner=owner.username if owner else None, due_at=task.due_at))
    return task_out(session, task)


def update_task(session: Session, actor: Actor, ref: str, task_id: int, data: TaskUpdate) -> TaskOut:
    actor.require(Perm.INCIDENTS_UPDATE)
    inc = load(session, actor, ref)
    task = session.get(Task, task_id)
    if task is None or task.incident_id != inc.id:
        raise NotFound(f"no task {task_id} on {inc.ref}")
    changes: dict[str, Any] = {}
    if data.owner is not None:
        owner = auth.find_person(session, data.owner)
        if owner.id != task.owner_id:
            task.owner_id, changes["owner"] = owner.id, owner.username
    if data.due_at is not None and data.due_at != task.due_at:
        check_due(data.due_at)
    for name in ("title", "description", "due_at"):
        value = getattr(data, name)
        if value is not None and value != getattr(task, name):
            setattr(task, name, value)
            changes[name] = value
    if data.status is not None and data.status.value != task.status:
        task.status = changes["status"] = data.status.value
        task.completed_at = now() if data.status == TaskStatus.DONE else None
    if changes:
        changes["title"] = task.title
        _record(session, actor, TaskUpdated(subject_id=inc.id, ref=inc.ref, task_id=task.id, **changes))
    return task_out(session, task)


@dataclass(frozen=True)
class TaskState:
    incident_id: int
    status: str
    owner_id: int | None
    due_at: datetime | None
    title: str


def task_states(session: Session, task_ids: set[int]) -> dict[int, TaskState]:
    """The state of these tasks, for the platform's own timers (no permission: callers are jobs)."""
    if not task_ids:
        return {}
    rows = session.execute(select(Task).where(Task.id.in_(task_ids))).scalars()
    return {t.id: TaskState(t.incident_id, t.status, t.owner_id, t.due_at, t.title) for t in rows}


def tasks(session: Session, actor: Actor, ref: str) -> list[TaskOut]:
    inc = load(session, actor, ref)
    rows = session.execute(select(Task).where(Task.incident_id == inc.id).order_by(Task.id)).scalars().all()
    names = _usernames(session, {t.owner_id for t in rows})
    return [_task_out(t, names) for t in rows]


def my_tasks(session: Session, actor: Actor, limit: int = 20) -> list[tuple[TaskOut, str, str]]:
    """Open tasks owned by the actor on incidents they can see: (task, incident ref, incident title)."""
    actor.require(Perm.INCIDENTS_READ)
    rows = session.execute(
        select(Task, Incident.ref, Incident.title).join(Incident, Incident.id == Task.incident_id)
        .where(Task.owner_id == actor.user_id, visible(actor),
               Task.status.in_([TaskStatus.OPEN.value, TaskStatus.IN_PROGRESS.value]),
               Incident.status.in_([s.value for s in OPEN_STATUSES]))
        .order_by(Task.due_at.is_(None), Task.due_at, Task.id).limit(limit)
    ).all()
    names = {actor.user_id: actor.username} if actor.user_id else {}
    return [(_task_out(t, names), r, title) for t, r, title in rows]


def recent_activity(session: Session, actor: Actor, limit: int = 20) -> list[events.Event]:
    """Latest incident events the actor may see (restricted incidents only for their members)."""
    actor.require(Perm.INCIDENTS_READ)
    ids = select(cast(Incident.id, String)).where(visible(actor))
    found: list[events.Event] = []
    before: int | None = None
    while len(found) < limit:
        query = select(events.Event).where(events.Event.subject_type == "incident",
                                           events.Event.subject_id.in_(ids), events.Event.type != "incident.viewed")
        if before is not None:
            query = query.where(events.Event.id < before)
        batch = list(session.execute(query.order_by(events.Event.id.desc()).limit(limit)).scalars())
        hidden = hidden_refs(session, actor, batch)
        found.extend(ev for ev in batch if not _names_hidden(ev, hidden))
        if len(batch) < limit:
            break
        before = batch[-1].id
    return found[:limit]
