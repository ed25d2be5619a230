"""REST API: the playbook library, an incident's running playbook, stakeholder updates."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..db import unit_of_work
from ..errors import NotFound
from ..http import ActorDep, Id
from . import files, service, sources, updates
from .schemas import (
    Apply,
    ApprovalRouting,
    BrokenFileOut,
    ChecklistOut,
    Conditions,
    Library,
    PlaybookDetail,
    PlaybookSave,
    PlaybookSummary,
    PreviewIn,
    PreviewOut,
    StepOut,
    UpdateCreate,
    UpdateEdit,
    UpdateOut,
    Validated,
    VersionOut,
)

router = APIRouter(prefix="/api/v1", tags=["playbooks"])


def _summary(e: sources.Entry) -> PlaybookSummary:
    p = e.playbook
    return PlaybookSummary(id=p.id, version=p.version, title=p.title.model_dump(exclude_none=True),
                           incident_types=[t.value for t in p.incident_types], source=e.source, origin=e.origin,
                           sha256=e.sha256)


@router.get("/playbooks", response_model=Library)
def list_playbooks(actor: ActorDep) -> Library:
    """The library: built-in playbooks, the team directory's and those saved here; broken team files."""
    with unit_of_work(read_only=True) as s:
        found, broken = service.list_playbooks(s, actor)
        return Library(playbooks=[_summary(e) for e in found],
                       broken=[BrokenFileOut(path=b.path, error=b.error) for b in broken])


@router.post("/playbooks/validate", response_model=Validated)
def validate(actor: ActorDep, body: PlaybookSave) -> Validated:
    """Check a playbook's YAML without saving it; a problem is a 422 naming its line."""
    pb = files.parse(body.text, source="playbook")
    return Validated(valid=True, id=pb.id, version=pb.version, tasks=len(pb.tasks), templates=len(pb.templates))


@router.post("/playbooks", status_code=201, response_model=VersionOut)
def save(actor: ActorDep, body: PlaybookSave, response: Response) -> VersionOut:
    """Save a team's playbook (new id, or a new version of an existing one)."""
    with unit_of_work() as s:
        out = service.save(s, actor, body.text)
    response.headers["Location"] = f"/api/v1/playbooks/{out.playbook_id}"
    return out


@router.get("/playbooks/{playbook_id}", response_model=PlaybookDetail)
def get_playbook(actor: ActorDep, playbook_id: str) -> PlaybookDetail:
    with unit_of_work(read_only=True) as s:
        e = service.get_playbook(s, actor, playbook_id)
        return PlaybookDetail(**_summary(e).model_dump(), playbook=files.as_dict(e.playbook), text=e.text)


@router.get("/playbooks/{playbook_id}/versions", response_model=list[VersionOut])
def versions(actor: ActorDep, playbook_id: str) -> list[VersionOut]:
    """Every stored version: saved here, or run by an incident."""
    with unit_of_work(read_only=True) as s:
        return service.versions(s, actor, playbook_id)


def _checklist(actor: ActorDep, ref: str) -> ChecklistOut:
    with unit_of_work() as s:
        c = service.checklist(s, actor, ref)
        if c is None:
            raise NotFound(f"{ref} runs no playbook")
        steps = [StepOut(step=st.step, title=st.spec.title.get(actor.locale) if st.spec else st.step,
                         owner_role=st.owner_role, task_id=st.task.id if st.task else None,
                         status=st.task.status if st.task else None, owner=st.task.owner if st.task else None,
                         due_at=st.task.due_at if st.task else None, overdue=st.overdue, waiting_for=st.waiting_for,
                         done_when=st.spec.done_when.get(actor.locale) if st.spec else "") for st in c.steps]
        roles = [{**r, "why": r["why"].get(actor.locale)} for r in c.roles]
        escalations = [{**e, "note": e["note"].get(actor.locale), "within": int(e["within"].total_seconds() // 60)}
                       for e in c.escalations]
        return ChecklistOut(run_id=c.run.id, status=c.run.status, playbook_id=c.playbook.id, version=c.playbook.version,
                            version_id=c.version.id, applied_at=c.run.applied_at, conditions=c.conditions, steps=steps,
                            done=c.done, roles=roles, escalations=escalations,
                            next_update_due_at=c.run.next_update_due_at, last_update_at=c.run.last_update_at)


@router.get("/incidents/{ref}/playbook", response_model=ChecklistOut)
def get_checklist(actor: ActorDep, ref: str) -> ChecklistOut:
    """The incident's running playbook as a checklist (404 when it runs none)."""
    return _checklist(actor, ref)


@router.post("/incidents/{ref}/playbook", status_code=201, response_model=ChecklistOut)
def apply(actor: ActorDep, ref: str, body: Apply) -> ChecklistOut:
    """Apply a playbook (the type's own when none is named); a running one is replaced."""
    with unit_of_work() as s:
        service.apply(s, actor, ref, body.playbook_id)
    return _checklist(actor, ref)


@router.put("/incidents/{ref}/playbook/conditions", response_model=ChecklistOut)
def set_conditions(actor: ActorDep, ref: str, body: Conditions) -> ChecklistOut:
    """Say which conditions hold; new ones add their tasks and fire their escalations."""
    with unit_of_work() as s:
        service.set_conditions(s, actor, ref, list(body.conditions))
    return _checklist(actor, ref)


@router.get("/incidents/{ref}/updates", response_model=list[UpdateOut])
def list_updates(actor: ActorDep, ref: str) -> list[UpdateOut]:
    with unit_of_work(read_only=True) as s:
        return updates.list_updates(s, actor, ref)


@router.post("/incidents/{ref}/updates/preview", response_model=PreviewOut)
def preview(actor: ActorDep, ref: str, body: PreviewIn) -> PreviewOut:
    """A template of the running playbook rendered with the incident's live facts."""
    with unit_of_work(read_only=True) as s:
        return updates.preview(s, actor, ref, template_id=body.template_id, language=body.language)


@router.post("/incidents/{ref}/updates", status_code=201, response_model=UpdateOut)
def create_update(actor: ActorDep, ref: str, body: UpdateCreate) -> UpdateOut:
    with unit_of_work() as s:
        return updates.create(s, actor, ref, **body.model_dump())


@router.patch("/incidents/{ref}/updates/{update_id}", response_model=UpdateOut)
def edit_update(actor: ActorDep, ref: str, update_id: Id, body: UpdateEdit) -> UpdateOut:
    """Edit the text; an approval of the old text is void."""
    with unit_of_work() as s:
        return updates.edit(s, actor, ref, update_id, subject=body.subject, body=body.body)


@router.post("/incidents/{ref}/updates/{update_id}/request-approval", response_model=UpdateOut)
def request_approval(actor: ActorDep, ref: str, update_id: Id, body: ApprovalRouting | None = None) -> UpdateOut:
    """Ask for the approval the update needs: from anyone who may give it, or from ``approver`` alone
    (a person in the needed role, or an admin, other than you). 409 when nobody but you could approve it."""
    with unit_of_work() as s:
        return updates.request_approval(s, actor, ref, update_id, approver=body.approver if body else None)


@router.post("/incidents/{ref}/updates/{update_id}/send", response_model=UpdateOut)
def send_update(actor: ActorDep, ref: str, update_id: Id) -> UpdateOut:
    """Queue the update to its audience (409 until its gate's approval of this exact text)."""
    with unit_of_work() as s:
        return updates.send(s, actor, ref, update_id)
