"""The "now" board: what one viewer needs to see at once, drawn from the domains' public surfaces.

Each section is there only for a viewer whose role may read it (pages for on-call readers, alerts for
alert readers, legal clocks for policy readers); restricted incidents appear only for those allowed
to see them, because every list comes from a service that checks the viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import auth, detection, events, incidents, oncall, playbooks, requests
from ..auth import Actor, Perm
from ..clock import now
from ..incidents import IncidentFilter, IncidentSummary, Role, Status
from ..web.activity import describe_html as describe
from ..web.templating import Translator, zone

ACTIVE_LIMIT = 200
REMINDERS = frozenset({"incident.task_due_soon", "incident.task_overdue", "incident.update_due",
                       "incident.update_overdue", "incident.action_item_overdue"})


@dataclass(frozen=True)
class ActiveIncident:
    incident: IncidentSummary
    commander: str | None
    next_update_due: datetime | None
    clock: requests.RequestOut | None  # the nearest open legal clock on it


@dataclass(frozen=True)
class OnCallNow:
    team: str
    schedule_id: int
    schedule: str
    name: str | None
    until: datetime | None
    zone: str
    local_time: str  # "14:30" in the person's zone


@dataclass(frozen=True)
class ActivityLine:
    at: datetime
    actor: str
    ref: str
    text: str
    count: int  # a reminder repeated this many times


@dataclass(frozen=True)
class Board:
    active: list[ActiveIncident]
    pages: list[oncall.PageOut]
    alerts: list[detection.AlertOut]
    alerts_total: int
    clocks: list[requests.RequestOut]
    on_call: list[OnCallNow]
    tasks: list[tuple[incidents.TaskOut, str, str]]
    task_wording: dict[int, playbooks.TaskWording]  # the playbook's words of the tasks, in the reader's language
    activity: list[ActivityLine]
    counts: dict[int, int]
    unreached: frozenset[int] = frozenset()  # ids of waiting pages that reached nobody


def reached_nobody(page: oncall.PageOut) -> bool:
    """Whether no one the page was sent to had a working contact method (or it was sent to no one)."""
    return set(page.notified) <= set(page.unreachable)


def _active(s: Session, actor: Actor, clocks: list[requests.RequestOut]) -> list[ActiveIncident]:
    found, _total = incidents.list_incidents(s, actor, IncidentFilter(open=True, sort="severity",
                                                                      limit=ACTIVE_LIMIT))
    due = playbooks.next_updates(s, {i.id for i in found})
    nearest: dict[str, requests.RequestOut] = {}
    for r in clocks:  # soonest due first
        if r.incident_ref:
            nearest.setdefault(r.incident_ref, r)
    out = []
    for inc in found:
        commanders = incidents.holders(s, inc.id, Role.COMMANDER.value)
        out.append(ActiveIncident(incident=inc, commander=commanders[0].display_name if commanders else None,
                                  next_update_due=due.get(inc.id), clock=nearest.get(inc.ref)))
    return out


def _on_call(s: Session, actor: Actor) -> list[OnCallNow]:
    if not actor.can(Perm.ONCALL_READ):
        return []
    at = now()
    out = []
    for row in oncall.on_call(s, actor):
        person = auth.person_named(s, row.now.username) if row.now else None
        tz = person.timezone if person else "UTC"
        out.append(OnCallNow(team=row.team, schedule_id=row.schedule_id, schedule=row.schedule,
                             name=row.now.display_name if row.now else None, until=row.now.end if row.now else None,
                             zone=tz, local_time=at.astimezone(zone(tz)).strftime("%H:%M")))
    return out


def activity(s: Session, actor: Actor, locale: str, open_refs: set[str], limit: int = 25) -> list[ActivityLine]:
    """Recent incident activity, newest first by when it happened, each with who did it as they are shown:
    reminders about incidents no longer open are left out, and a reminder repeated about one incident reads
    as one line with a count (at its latest time)."""
    lines: list[ActivityLine] = []
    seen: dict[tuple[str, str], int] = {}
    recent = sorted(incidents.recent_activity(s, actor, limit=limit * 4), key=lambda e: (e.occurred_at, e.id),
                    reverse=True)
    names = auth.display_names(s, {ev.actor_id for ev in recent})
    people = auth.names_of(s, events.people_named(recent))
    titles = incidents.quoted_titles(s, recent, Translator(locale))
    for ev in recent:
        ref = str(ev.payload.get("ref", ""))
        if ev.type in REMINDERS:
            if ref not in open_refs:
                continue
            key = (ev.type, ref)
            if key in seen:
                line = lines[seen[key]]
                lines[seen[key]] = ActivityLine(line.at, line.actor, line.ref, line.text, line.count + 1)
                continue
            seen[key] = len(lines)
        shown = incidents.shown_payload(ev, people, titles) or ev.payload
        lines.append(ActivityLine(at=ev.occurred_at, actor=names.get(ev.actor_id or 0, ev.actor), ref=ref,
                                  text=describe(locale, ev.type, shown), count=1))
    return lines[:limit]


def build(s: Session, actor: Actor, locale: str) -> Board:
    clocks = requests.open_clocks(s, actor, limit=50)
    active = _active(s, actor, clocks)
    alerts, alerts_total = (detection.list_alerts(s, actor, state="open", limit=8)
                            if actor.can(Perm.ALERTS_READ) else ([], 0))
    counts = {level: 0 for level in (1, 2, 3, 4)}
    for a in active:
        counts[a.incident.severity] = counts.get(a.incident.severity, 0) + 1
    waiting = oncall.waiting_pages(s, actor)
    unreached = frozenset(p.id for p in waiting if reached_nobody(p))
    waiting.sort(key=lambda p: p.id not in unreached)  # those that reached nobody first, then oldest first
    tasks = incidents.my_tasks(s, actor, limit=15)
    wording = playbooks.task_texts(s, [t for t, _ref, _title in tasks], locale, Translator(locale))
    return Board(active=active, pages=waiting, alerts=alerts, alerts_total=alerts_total,
                 clocks=clocks[:8], on_call=_on_call(s, actor), tasks=tasks, task_wording=wording,
                 activity=activity(s, actor, locale, {a.incident.ref for a in active}), counts=counts,
                 unreached=unreached)


def context(board: Board) -> dict[str, Any]:
    return {"board": board, "at": now(), "TRIAGE": Status.TRIAGE.value}
