"""The life of an incident as timed steps that call the real services.

A :class:`Script` collects steps (declare, assign a role, change status, add a note or a task…)
at given times; :func:`play` runs the steps of every script in time order with the injectable clock
set to each step's time, so that the event log reads as the year really went.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy.orm import Session

from .. import clock, incidents, playbooks, reviews
from ..auth import Actor
from ..incidents import (
    IncidentCreate,
    MergeRequest,
    NoteCreate,
    Role,
    RoleAssign,
    Status,
    StatusChange,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
)
from .translation import approved


@dataclass
class Context:
    session: Session
    actors: dict[str, Actor]


Action = Callable[[Context], object]


@dataclass
class Step:
    at: datetime
    order: tuple[int, int]
    action: Action


@dataclass
class Script:
    """One incident's steps. ``ref`` is known once its declare step has run."""

    number: int
    steps: list[Step] = field(default_factory=list)
    ref: str = ""
    tasks: dict[str, int] = field(default_factory=dict)

    def _add(self, at: datetime, action: Action) -> None:
        self.steps.append(Step(at, (self.number, len(self.steps)), action))

    def declare(self, at: datetime, who: str, data: IncidentCreate) -> None:
        def run(ctx: Context) -> None:
            self.ref = incidents.declare(ctx.session, ctx.actors[who], data).ref

        self._add(at, run)

    def role(self, at: datetime, by: str, role: Role, username: str) -> None:
        self._add(at, lambda ctx: incidents.assign_role(ctx.session, ctx.actors[by], self.ref,
                                                      RoleAssign(role=role, username=username)))

    def status(self, at: datetime, by: str, status: Status, reason: str = "") -> None:
        self._add(at, lambda ctx: incidents.change_status(ctx.session, ctx.actors[by], self.ref,
                                                        StatusChange(status=status, reason=reason)))

    def note(self, at: datetime, by: str, body: str, *, pinned: bool = False) -> None:
        self._add(at, lambda ctx: incidents.add_note(ctx.session, ctx.actors[by], self.ref,
                                                NoteCreate(body=body, pinned=pinned)))

    def task(self, at: datetime, by: str, key: str, title: str, *, owner: str | None = None,
             due_at: datetime | None = None) -> None:
        def run(ctx: Context) -> None:
            task = incidents.add_task(ctx.session, ctx.actors[by], self.ref,
                                 TaskCreate(title=title, owner=owner, due_at=due_at))
            self.tasks[key] = task.id

        self._add(at, run)

    def task_status(self, at: datetime, by: str, key: str, status: TaskStatus) -> None:
        self._add(at, lambda ctx: incidents.update_task(ctx.session, ctx.actors[by], self.ref, self.tasks[key],
                                                   TaskUpdate(status=status)))

    def playbook_step(self, at: datetime, by: str, step: str, status: TaskStatus) -> None:
        """Move the task that carries a step of the incident's running playbook."""

        def run(ctx: Context) -> None:
            checklist = playbooks.checklist(ctx.session, ctx.actors[by], self.ref)
            task = next(st.task for st in (checklist.steps if checklist else []) if st.step == step)
            if task is not None:
                incidents.update_task(ctx.session, ctx.actors[by], self.ref, task.id, TaskUpdate(status=status))

        self._add(at, run)

    def conditions(self, at: datetime, by: str, conditions: list[str]) -> None:
        self._add(at, lambda ctx: playbooks.set_conditions(ctx.session, ctx.actors[by], self.ref, conditions))

    def update(self, at: datetime, by: str, template: str, language: str, *, ask_approval: bool) -> None:
        """Compose an update from a template of the running playbook; ask for its approval."""

        def run(ctx: Context) -> None:
            p = playbooks.preview_update(ctx.session, ctx.actors[by], self.ref, template_id=template,
                                         language=language)
            upd = playbooks.create_update(ctx.session, ctx.actors[by], self.ref, audience=p.audience,
                                          language=language, subject=p.subject, body=p.body, template_id=template)
            if ask_approval and language != "en":  # legal reads it through an approved translation
                en = playbooks.preview_update(ctx.session, ctx.actors[by], self.ref, template_id=template,
                                              language="en")
                approved(ctx.session, ctx.actors, kind="stakeholder_update", source_id=str(upd.id),
                         text=f"{upd.subject}\n\n{upd.body}", result=f"{en.subject}\n\n{en.body}",
                         source_lang=language, ref=self.ref, translator="ekaterina.orlova",
                         reviewer="tomasz.kowalski")
            if ask_approval:
                playbooks.request_update_approval(ctx.session, ctx.actors[by], self.ref, upd.id)

        self._add(at, run)
    def review(self, at: datetime, by: str, texts: dict[str, Any], items: list[dict[str, Any]]) -> None:
        """Draft the review, write it, meet, sign it off (each reviewing role's holder), publish it,
        and add ``items`` (an item with ``playbook_change`` proposes a new playbook version, accepted)."""

        def run(ctx: Context) -> None:
            s, actor = ctx.session, ctx.actors[by]
            review = reviews.draft(s, actor, self.ref, language=texts["language"])
            sections = {k: v for k, v in texts.items() if k in reviews.ReviewEdit.model_fields and k != "language"}
            reviews.edit(s, actor, self.ref, reviews.ReviewEdit.model_validate(sections))
            for c in review.criteria:
                reviews.decide_criterion(s, actor, self.ref, c.position, reviews.CriterionIn(state="met"))
            reviews.submit(s, actor, self.ref)
            inc = incidents.get(s, actor, self.ref)
            signers = {role: incidents.holders(s, inc.id, role)[0].username for role in review.required_signoffs}
            reviews.record_meeting(s, actor, self.ref, reviews.MeetingIn(
                held_at=clock.now(), attendees=sorted(set(signers.values())), notes=texts["lessons"]))
            for role, username in signers.items():
                reviews.sign_off(s, ctx.actors[username], self.ref, reviews.SignoffIn(role=role))
            reviews.publish(s, actor, self.ref)
            for item in items:
                added = reviews.add_action_item(s, actor, self.ref, reviews.ActionItemIn(
                    title=item["title"], kind=item["kind"], priority=item["priority"], owner=by,
                    due_at=clock.now() + timedelta(days=item["due_days"]),
                    proposed_playbook=_proposal(s, actor, self.ref) if item.get("playbook_change") else ""))
                if item.get("playbook_change"):
                    reviews.accept_playbook(s, actor, added.id)

        self._add(at, run)

    def call(self, at: datetime, action: Action) -> None:
        """Any other step (another domain's service calls), run at ``at``."""
        self._add(at, action)

    def merge_into(self, at: datetime, by: str, target: Script, reason: str) -> None:
        self._add(at, lambda ctx: incidents.merge(ctx.session, ctx.actors[by], self.ref,
                                                MergeRequest(into=target.ref, reason=reason)))


def play(ctx: Context, scripts: Iterable[Script], progress: Callable[[int, int], None] | None = None) -> None:
    """Run every step in time order, the clock set to each step's time; restores the clock it replaced."""
    steps = sorted((s for script in scripts for s in script.steps), key=lambda s: (s.at, s.order))
    current: list[datetime] = [clock.now()]
    previous = clock.set_clock(lambda: current[0])
    try:
        for done, step in enumerate(steps, 1):
            current[0] = step.at
            step.action(ctx)
            if progress and (done % 50 == 0 or done == len(steps)):
                progress(done, len(steps))
    finally:
        clock.set_clock(previous)


def _proposal(session: Session, actor: Actor, ref: str) -> str:
    """The incident's playbook with one more exit criterion and the next version: a review's change."""
    checklist = playbooks.checklist(session, actor, ref)
    assert checklist is not None, f"{ref} runs no playbook"
    doc = yaml.safe_load(playbooks.playbook_text(session, actor, checklist.playbook.id))
    major, _, minor = str(doc["version"]).partition(".")
    doc["version"] = f"{major}.{int(minor or 0) + 1}"
    doc["exit_criteria"].append({"en": "The stakeholder update clock was handed over at every shift change.",
                                 "ru": "Часы обновлений для заинтересованных сторон передавались при каждой смене."})
    return str(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110))
