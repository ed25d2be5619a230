"""REST API for incidents under /api/v1/incidents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from ..db import unit_of_work
from ..http import ActorDep, json_response
from ..schemas import Page, Username
from . import service, work
from .schemas import (
    IncidentCreate,
    IncidentDetail,
    IncidentFilter,
    IncidentOut,
    IncidentUpdate,
    LinkRequest,
    MergeRequest,
    NoteCreate,
    NoteOut,
    NotePin,
    RoleAssign,
    SeverityOverride,
    StatusChange,
    TaskCreate,
    TaskOut,
    TaskUpdate,
    TimelineEntry,
)
from .vocab import Role

router = APIRouter(prefix="/api/v1", tags=["incidents"])



@router.get("/incidents", response_model=Page[IncidentOut])
def list_incidents(actor: ActorDep, flt: Annotated[IncidentFilter, Query()]) -> Response:
    """Incidents you may see, newest first; filter by status, severity, type, country, language, text."""
    with unit_of_work(read_only=True) as s:
        rows, total = service.list_rows(s, actor, flt)
    for row in rows:
        del row["id"]  # not part of IncidentOut
    return json_response({"items": rows, "total": total, "limit": flt.limit, "offset": flt.offset})


@router.post("/incidents", status_code=201, response_model=IncidentDetail)
def declare(actor: ActorDep, body: IncidentCreate, response: Response) -> IncidentDetail:
    """Declare an incident. Severity is computed from the matrix inputs (defaults by type)."""
    with unit_of_work() as s:
        inc = service.declare(s, actor, body)
        out = service.detail(s, actor, inc)
    response.headers["Location"] = f"/api/v1/incidents/{out.ref}"
    return out


@router.get("/incidents/{ref}", response_model=IncidentDetail)
def get_incident(actor: ActorDep, ref: str) -> IncidentDetail:
    with unit_of_work() as s:
        return service.detail(s, actor, service.get(s, actor, ref, log_view=True))


@router.patch("/incidents/{ref}", response_model=IncidentDetail)
def update_incident(actor: ActorDep, ref: str, body: IncidentUpdate) -> IncidentDetail:
    with unit_of_work() as s:
        return service.detail(s, actor, service.update(s, actor, ref, body))


@router.post("/incidents/{ref}/status", response_model=IncidentDetail)
def change_status(actor: ActorDep, ref: str, body: StatusChange) -> IncidentDetail:
    """Move through the lifecycle; an invalid transition is refused (409) with the allowed ones."""
    with unit_of_work() as s:
        return service.detail(s, actor, service.change_status(s, actor, ref, body))


@router.post("/incidents/{ref}/severity", response_model=IncidentDetail)
def override_severity(actor: ActorDep, ref: str, body: SeverityOverride) -> IncidentDetail:
    """Override the computed severity with a reason (commanders), or clear the override."""
    with unit_of_work() as s:
        return service.detail(s, actor, service.override_severity(s, actor, ref, body))


@router.post("/incidents/{ref}/roles", response_model=IncidentDetail)
def assign_role(actor: ActorDep, ref: str, body: RoleAssign) -> IncidentDetail:
    """Put someone in a role; assigning a held commander role hands over command."""
    with unit_of_work() as s:
        return service.detail(s, actor, service.assign_role(s, actor, ref, body))


@router.delete("/incidents/{ref}/roles/{role}/{username}", response_model=IncidentDetail)
def remove_member(actor: ActorDep, ref: str, role: Role, username: str,
                  handover_to: Annotated[Username | None, Query(description="The new commander, when the "
                                                                "commander leaves")] = None) -> IncidentDetail:
    """Take a person out of a role; the commander leaves only by handing over to ``handover_to``."""
    with unit_of_work() as s:
        return service.detail(s, actor, service.remove_member(s, actor, ref, username=username, role=role,
                                                              handover_to=handover_to))


@router.post("/incidents/{ref}/links", response_model=IncidentDetail)
def link(actor: ActorDep, ref: str, body: LinkRequest) -> IncidentDetail:
    with unit_of_work() as s:
        return service.detail(s, actor, service.link(s, actor, ref, body))


@router.post("/incidents/{ref}/merge", response_model=IncidentDetail)
def merge(actor: ActorDep, ref: str, body: MergeRequest) -> IncidentDetail:
    """Merge this incident, a duplicate, into another open one."""
    with unit_of_work() as s:
        return service.detail(s, actor, service.merge(s, actor, ref, body))


TimelineKind = Literal["notes", "status", "people", "tasks", "severity", "access"]


@router.get("/incidents/{ref}/timeline", response_model=list[TimelineEntry])
def timeline(actor: ActorDep, ref: str, kind: Annotated[list[TimelineKind], Query()] = [],  # noqa: B006
             pinned: bool = False) -> list[TimelineEntry]:
    with unit_of_work(read_only=True) as s:
        return work.timeline(s, actor, ref, kinds=list(kind), pinned_only=pinned)


@router.post("/incidents/{ref}/notes", status_code=201, response_model=NoteOut)
def add_note(actor: ActorDep, ref: str, body: NoteCreate) -> NoteOut:
    """Add a markdown note to the timeline; it is rendered and sanitised."""
    with unit_of_work() as s:
        return work.add_note(s, actor, ref, body)


@router.patch("/incidents/{ref}/notes/{note_id}", response_model=NoteOut)
def pin_note(actor: ActorDep, ref: str, note_id: int, body: NotePin) -> NoteOut:
    with unit_of_work() as s:
        return work.pin_note(s, actor, ref, note_id, body.pinned)


@router.get("/incidents/{ref}/tasks", response_model=list[TaskOut])
def list_tasks(actor: ActorDep, ref: str) -> list[TaskOut]:
    with unit_of_work(read_only=True) as s:
        return work.tasks(s, actor, ref)


@router.post("/incidents/{ref}/tasks", status_code=201, response_model=TaskOut)
def add_task(actor: ActorDep, ref: str, body: TaskCreate) -> TaskOut:
    with unit_of_work() as s:
        return work.add_task(s, actor, ref, body)


@router.patch("/incidents/{ref}/tasks/{task_id}", response_model=TaskOut)
def update_task(actor: ActorDep, ref: str, task_id: int, body: TaskUpdate) -> TaskOut:
    with unit_of_work() as s:
        return work.update_task(s, actor, ref, task_id, body)


@router.get("/me/tasks", response_model=list[TaskOut])
def my_tasks(actor: ActorDep) -> list[TaskOut]:
    """Your open tasks on open incidents, soonest due first."""
    with unit_of_work(read_only=True) as s:
        return [t for t, _, _ in work.my_tasks(s, actor, limit=200)]
