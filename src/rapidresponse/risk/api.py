"""REST API for the risk register: risks, their assessments and review workflow, mitigations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from .. import documents
from ..db import unit_of_work
from ..http import ActorDep, Id, document
from ..web.templating import Translator
from . import digest, report, service
from .schemas import (
    AssessmentIn,
    DigestOut,
    DigestSettings,
    DigestSettingsIn,
    MitigationIn,
    Register,
    ReturnIn,
    RiskCreate,
    RiskDetail,
    RiskEdit,
    RiskFilter,
)

router = APIRouter(prefix="/api/v1/risks", tags=["risk"])
Number = Annotated[int, Path(ge=1, le=1_000_000)]
Language = Annotated[Literal["en", "ru"], Query()]
Format = Annotated[Literal["json", "markdown", "pdf"], Query(alias="format")]
PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}, "text/markdown": {}}}}


@router.get("", response_model=Register)
def register(actor: ActorDep, flt: Annotated[RiskFilter, Query()]) -> Register:
    """The register (highest rated first), with its likelihood × impact heatmap and harm × country matrix."""
    with unit_of_work(read_only=True) as s:
        return service.register(s, actor, flt)


@router.post("", status_code=201, response_model=RiskDetail)
def create(actor: ActorDep, data: RiskCreate, response: Response) -> RiskDetail:
    """Add a risk (a harm of the taxonomy in a country) with its first assessment as a draft."""
    with unit_of_work() as s:
        out = service.create(s, actor, data)
    response.headers["Location"] = f"/api/v1/risks/{out.id}"
    return out


@router.get("/report", responses=PDF, response_class=Response)
def annual_report(actor: ActorDep, language: Language = "en",
                  fmt: Annotated[Literal["markdown", "pdf"], Query(alias="format")] = "markdown") -> Response:
    """The annual systemic-risk assessment (DSA art. 34 structure), as Markdown or PDF."""
    with unit_of_work(read_only=True) as s:
        text = report.annual_markdown(s, actor, Translator(language))
    return document(text, fmt, title="Systemic risk assessment", language=language, name=f"systemic-risks-{language}")


@router.get("/digest", response_model=DigestOut, responses=PDF)
def preview_digest(actor: ActorDep, language: Language = "en", fmt: Format = "json") -> Any:
    """This week's leadership digest as you would receive it (``format=markdown`` or ``pdf`` to download)."""
    with unit_of_work(read_only=True) as s:
        out = digest.compose(s, actor, Translator(language), language=language)
    if fmt != "json":
        return document(out.markdown, fmt, title=out.subject, language=language, name=f"digest-{language}")
    return DigestOut(subject=out.subject, markdown=out.markdown,
                     html=documents.page(out.markdown, title=out.subject, language=language))


@router.get("/digest/schedule", response_model=DigestSettings)
def digest_schedule(actor: ActorDep) -> DigestSettings:
    """When the weekly digest goes out and to whom."""
    with unit_of_work(read_only=True) as s:
        return digest.settings(s, actor)


@router.put("/digest/schedule", response_model=DigestSettings)
def set_digest_schedule(actor: ActorDep, data: DigestSettingsIn) -> DigestSettings:
    """Set the weekday, hour, time zone and recipients of the weekly digest (commander or admin)."""
    with unit_of_work() as s:
        return digest.set_schedule(s, actor, data)


@router.post("/digest/send", response_model=dict[str, int])
def send_digest(actor: ActorDep) -> dict[str, int]:
    """Send this week's digest to its recipients now (once per week and person: a repeat queues nothing)."""
    with unit_of_work() as s:
        return {"queued": digest.send(s, actor, Translator)}


@router.get("/{risk_id}", response_model=RiskDetail)
def get(actor: ActorDep, risk_id: Id) -> RiskDetail:
    """A risk with its indicators (now, the period before, when last assessed), assessments, mitigations."""
    with unit_of_work(read_only=True) as s:
        return service.get(s, actor, risk_id)


@router.patch("/{risk_id}", response_model=RiskDetail)
def edit(actor: ActorDep, risk_id: Id, data: RiskEdit) -> RiskDetail:
    """Change the title, description, systemic-risk area or owner (ratings change by assessment)."""
    with unit_of_work() as s:
        return service.edit(s, actor, risk_id, data)


@router.post("/{risk_id}/assessments", status_code=201, response_model=RiskDetail)
def assess(actor: ActorDep, risk_id: Id, data: AssessmentIn) -> RiskDetail:
    """Draft the next version of the assessment, with the reasons for its ratings and what changed."""
    with unit_of_work() as s:
        return service.assess(s, actor, risk_id, data)


@router.post("/{risk_id}/assessments/{number}/submit", response_model=RiskDetail)
def submit(actor: ActorDep, risk_id: Id, number: Number) -> RiskDetail:
    """Send a draft for review by policy and legal."""
    with unit_of_work() as s:
        return service.submit(s, actor, risk_id, number)


@router.post("/{risk_id}/assessments/{number}/review", response_model=RiskDetail)
def review(actor: ActorDep, risk_id: Id, number: Number) -> RiskDetail:
    """Record your review (as policy or legal) of an assessment in review."""
    with unit_of_work() as s:
        return service.review(s, actor, risk_id, number)


@router.post("/{risk_id}/assessments/{number}/return", response_model=RiskDetail)
def return_assessment(actor: ActorDep, risk_id: Id, number: Number, data: ReturnIn) -> RiskDetail:
    """Send an assessment in review back to its author with a comment."""
    with unit_of_work() as s:
        return service.return_assessment(s, actor, risk_id, number, data)


@router.post("/{risk_id}/assessments/{number}/approve", response_model=RiskDetail)
def approve(actor: ActorDep, risk_id: Id, number: Number) -> RiskDetail:
    """Approve an assessment policy and legal reviewed: its ratings become the risk's."""
    with unit_of_work() as s:
        return service.approve(s, actor, risk_id, number)


@router.post("/{risk_id}/mitigations", status_code=201, response_model=RiskDetail)
def add_mitigation(actor: ActorDep, risk_id: Id, data: MitigationIn) -> RiskDetail:
    """Link what is done about the risk: a playbook, lexicon, hash list, threshold or action item."""
    with unit_of_work() as s:
        return service.add_mitigation(s, actor, risk_id, data)


@router.delete("/{risk_id}/mitigations/{mitigation_id}", response_model=RiskDetail)
def remove_mitigation(actor: ActorDep, risk_id: Id, mitigation_id: Id) -> RiskDetail:
    with unit_of_work() as s:
        return service.remove_mitigation(s, actor, risk_id, mitigation_id)
