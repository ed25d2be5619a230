"""Shapes for playbooks, running checklists and stakeholder updates: the API's input and output, and
what the services return (a run, a version, the checklist with its specs, an incident's updates)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..auth import Person
from ..incidents import IncidentSummary, TaskOut
from ..notify import AudienceView
from ..schemas import Strict
from .spec import CONDITIONS, Playbook, TaskSpec, Text

Lang = Literal["en", "ru", "kk", "uk"]
PlaybookText = Annotated[str, StringConstraints(min_length=1, max_length=512 * 1024)]


class PlaybookSummary(BaseModel):
    id: str
    version: str
    title: dict[str, str]
    incident_types: list[str]
    source: str
    origin: str
    sha256: str


class BrokenFileOut(BaseModel):
    path: str
    error: str


class Library(BaseModel):
    playbooks: list[PlaybookSummary]
    broken: list[BrokenFileOut]


class PlaybookDetail(PlaybookSummary):
    playbook: dict[str, Any]
    text: str


class PlaybookSave(Strict):
    text: PlaybookText = Field(description="the playbook's YAML")


class Validated(BaseModel):
    valid: bool
    id: str
    version: str
    tasks: int
    templates: int


class VersionOut(BaseModel):
    """One stored text of a playbook (saved by a team, or run by an incident)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    playbook_id: str
    version: str
    title: str
    source: str
    sha256: str
    created_at: datetime


class RunOut(BaseModel):
    """A playbook applied to an incident: ``active``, ``paused``, ``finished`` or ``replaced``."""

    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    incident_id: int
    version_id: int
    status: str
    conditions: list[str]
    fired: dict[str, Any] = Field(description="escalation id → when it fired")
    applied_at: datetime
    last_update_at: datetime | None
    next_update_due_at: datetime | None


class PastRun(BaseModel):
    """An earlier run of the incident (replaced, or finished with an incident that was reopened)."""

    model_config = ConfigDict(frozen=True)
    title: Text
    version: str
    status: str
    applied_at: datetime


class TaskWording(BaseModel):
    """A playbook's words in a task, in a reader's language; None where someone edited them (theirs)."""

    title: str | None
    description: str | None


class ChecklistStep(BaseModel):
    """A step of the running playbook, the incident task that carries it, and what it waits for."""

    model_config = ConfigDict(frozen=True)
    step: str
    spec: TaskSpec | None
    task: TaskOut | None
    owner_role: str
    waiting_for: str | None = None
    overdue: bool = False


class Checklist(BaseModel):
    """An incident's running (or last) playbook as a checklist, with the specs it was written from."""

    model_config = ConfigDict(frozen=True)
    run: RunOut
    playbook: Playbook
    version: VersionOut
    steps: list[ChecklistStep]
    roles: list[dict[str, Any]]
    conditions: list[str]
    escalations: list[dict[str, Any]]
    history: list[PastRun] = []

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.task and s.task.status == "done")


class Apply(Strict):
    playbook_id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,60}$")] | None = None


class Conditions(Strict):
    conditions: list[Literal[CONDITIONS]] = Field(max_length=len(CONDITIONS))  # type: ignore[valid-type]


class StepOut(BaseModel):
    step: str
    title: str
    owner_role: str
    task_id: int | None
    status: str | None
    owner: str | None
    due_at: datetime | None
    overdue: bool
    waiting_for: str | None
    done_when: str


class ChecklistOut(BaseModel):
    run_id: int
    status: str
    playbook_id: str
    version: str
    version_id: int
    applied_at: datetime
    conditions: list[str]
    steps: list[StepOut]
    done: int
    roles: list[dict[str, Any]]
    escalations: list[dict[str, Any]]
    next_update_due_at: datetime | None
    last_update_at: datetime | None


class PreviewIn(Strict):
    template_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    language: Lang = "en"


class PreviewOut(BaseModel):
    template_id: str
    audience: str
    language: str
    subject: str
    body: str
    gate: str | None
    required_role: str | None
    missing: list[str]


class UpdateCreate(Strict):
    audience: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    language: Lang = "en"
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    template_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class UpdateEdit(Strict):
    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class ApprovalRouting(Strict):
    approver: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = Field(
        default=None, description="The username of the one person to ask (in the role the update needs, or an admin)")


class UpdateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)
    id: int
    template_id: str | None
    audience: str
    language: str
    subject: str
    body: str
    gate: str | None
    status: str
    approval_id: int | None
    recipients: int
    created_at: datetime
    sent_at: datetime | None


class IncidentUpdates(BaseModel):
    """An incident's stakeholder updates, the approval each needs before it goes out ((kind, role) or
    None), the running playbook whose templates they may start from, and the audiences to choose."""

    model_config = ConfigDict(frozen=True)
    incident: IncidentSummary
    updates: list[UpdateOut]
    gates: dict[int, tuple[str, str] | None]
    playbook: Playbook | None
    audiences: list[AudienceView]
    approvers: dict[int, list[Person]] = {}  # for each draft: who could approve it if the viewer asked now
