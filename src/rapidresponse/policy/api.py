"""REST API: country profiles, taxonomy, the incident rules checklist, regulator requests, decisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from ..db import unit_of_work
from ..http import ActorDep
from . import decision_service as decisions
from . import reply_service as replies
from . import request_service as requests
from .countries import get_country, load_countries
from .models import ContentDecision, RegulatorRequest
from .overview import incident_rules, summary
from .schemas import (
    AppealCreate,
    AppealDecide,
    AppealOut,
    ClockOut,
    DecisionCreate,
    DecisionFilter,
    DecisionOut,
    DecisionPage,
    ItemOut,
    OutcomeIn,
    ReplyEdit,
    ReplyOut,
    RequestCreate,
    RequestFilter,
    RequestOut,
    RequestPage,
    SorExportOut,
    SorIssueOut,
    SorRejectedOut,
)
from .taxonomy import load_taxonomy

router = APIRouter(prefix="/api/v1", tags=["policy"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def decision_out(session: Session, d: ContentDecision, with_appeals: bool = True) -> DecisionOut:
    names = decisions.usernames(session, {d.decided_by_id})
    appeals = decisions.appeals(session, [d.id])[d.id] if with_appeals else []
    return DecisionOut(
        **{f: getattr(d, f) for f in ("id", "puid", "content_url", "content_type", "content_language",
                                      "content_date", "action", "ground", "policy_clause", "legal_ground",
                                      "explanation", "harm", "territorial_scope", "automated_detection",
                                      "automated_decision", "source_type", "source_identity", "facts", "end_date",
                                      "incident_ref", "decided_at")},
        decided_by=names.get(d.decided_by_id or 0), affects_eu=decisions.affects_eu(d),
        appeals=[AppealOut(id=a.id, appellant=a.appellant, reason=a.reason, status=a.status,
                           outcome_note=a.outcome_note, filed_at=a.filed_at, decided_at=a.decided_at)
                 for a in appeals])


def clock_out(req: RegulatorRequest) -> ClockOut:
    st = requests.clock_state(req)
    return ClockOut(due_at=st.due_at, due_local=st.due_local, zone=st.zone, progress=round(st.progress, 4),
                    remaining_seconds=int(st.remaining.total_seconds()), level=st.level)


def request_out(session: Session, req: RegulatorRequest, *, full: bool = True) -> RequestOut:
    names = decisions.usernames(session, {req.owner_id})
    letter = requests.reply(session, req) if full else None
    return RequestOut(
        id=req.id, country=req.country, regulator=req.regulator, regulator_name=requests.regulator_name(req),
        sender=req.sender, reference=req.reference, legal_basis=req.legal_basis, language=req.language,
        summary=req.summary, received_at=req.received_at, deadline=req.deadline_name,
        instrument=req.deadline_instrument, hours=req.deadline_hours, time=req.deadline_time,
        confidence=req.deadline_confidence, defaulted=req.deadline_defaulted, status=req.status,
        owner=names.get(req.owner_id or 0), incident_ref=req.incident_ref, breached_at=req.breached_at,
        answered_at=req.answered_at, clock=clock_out(req),
        items=[ItemOut(id=i.id, position=i.position, target=i.target, outcome=i.outcome, reason=i.reason,
                       decided_at=i.decided_at) for i in requests.items(session, req)] if full else [],
        reply=ReplyOut(status=letter.status, languages=letter.languages, body=letter.body,
                       approval_id=letter.approval_id, sent_at=letter.sent_at, sent_sha256=letter.sent_sha256,
                       updated_at=letter.updated_at) if letter else None)


def _require_read(actor: Actor) -> None:
    actor.require(Perm.POLICY_READ)


# --- reference data ------------------------------------------------------------------------------

@router.get("/policy/countries")
def countries(actor: ActorDep) -> list[dict[str, Any]]:
    """Every country profile at a glance: languages, zone, regulator, the tightest deadline."""
    _require_read(actor)
    return [summary(p) for p in load_countries().values()]


@router.get("/policy/countries/{code}")
def country(actor: ActorDep, code: Annotated[str, Path(min_length=2, max_length=2)]) -> dict[str, Any]:
    """One country profile in full (packaged data with the overrides applied)."""
    _require_read(actor)
    return get_country(code).model_dump(mode="json")


@router.get("/policy/taxonomy")
def taxonomy(actor: ActorDep) -> dict[str, Any]:
    """The harm taxonomy: areas and harms with DSA categories, weights, teams and exposure."""
    _require_read(actor)
    t = load_taxonomy()
    return {"version": t.version, "reviewed": t.reviewed.isoformat(),
            "nodes": [n.model_dump(mode="json") for n in t.harms()]}


@router.get("/incidents/{ref}/rules")
def rules(actor: ActorDep, ref: str) -> dict[str, Any]:
    """The applicable-rules checklist for the incident's countries and harms."""
    with unit_of_work(read_only=True) as s:
        return incident_rules(s, actor, ref).as_dict()


# --- regulator requests --------------------------------------------------------------------------

@router.get("/requests", response_model=RequestPage)
def list_requests(actor: ActorDep, flt: Annotated[RequestFilter, Query()]) -> RequestPage:
    """Regulator and law-enforcement requests: open ones soonest due first."""
    with unit_of_work(read_only=True) as s:
        items, total = requests.list_requests(s, actor, flt)
        return RequestPage(items=[request_out(s, r, full=False) for r in items], total=total, limit=flt.limit,
                           offset=flt.offset)


@router.post("/requests", status_code=201, response_model=RequestOut)
def register_request(actor: ActorDep, body: RequestCreate, response: Response) -> RequestOut:
    """Register a request; its deadline is computed from the country profile."""
    with unit_of_work() as s:
        out = request_out(s, requests.register(s, actor, body))
    response.headers["Location"] = f"/api/v1/requests/{out.id}"
    return out


@router.get("/requests/{request_id}", response_model=RequestOut)
def get_request(actor: ActorDep, request_id: Id) -> RequestOut:
    with unit_of_work(read_only=True) as s:
        return request_out(s, requests.get(s, actor, request_id))


@router.post("/requests/{request_id}/items/{item_id}/outcome", response_model=RequestOut)
def set_outcome(actor: ActorDep, request_id: Id, item_id: Id, body: OutcomeIn) -> RequestOut:
    """Record what was done about one item (no_action needs a reason)."""
    with unit_of_work() as s:
        requests.set_outcome(s, actor, request_id, item_id, body)
        return request_out(s, requests.get(s, actor, request_id))


@router.post("/requests/{request_id}/reply/draft", response_model=RequestOut)
def draft_reply(actor: ActorDep, request_id: Id) -> RequestOut:
    """Draft the reply from the templates (the request's language and English)."""
    with unit_of_work() as s:
        replies.draft(s, actor, request_id)
        return request_out(s, requests.get(s, actor, request_id))


@router.put("/requests/{request_id}/reply", response_model=RequestOut)
def edit_reply(actor: ActorDep, request_id: Id, body: ReplyEdit) -> RequestOut:
    """Save an edited reply (back to draft if it was submitted)."""
    with unit_of_work() as s:
        replies.edit(s, actor, request_id, body.body)
        return request_out(s, requests.get(s, actor, request_id))


@router.post("/requests/{request_id}/reply/submit", response_model=RequestOut)
def submit_reply(actor: ActorDep, request_id: Id) -> RequestOut:
    """Ask legal to approve the reply's exact text (decide it under /api/v1/approvals); once approved it is
    logged as sent and the clock stops."""
    with unit_of_work() as s:
        replies.submit(s, actor, request_id)
        return request_out(s, requests.get(s, actor, request_id))


# --- decisions -----------------------------------------------------------------------------------

@router.get("/decisions", response_model=DecisionPage)
def list_decisions(actor: ActorDep, flt: Annotated[DecisionFilter, Query()]) -> DecisionPage:
    """The decision log, newest first."""
    with unit_of_work(read_only=True) as s:
        items, total = decisions.list_decisions(s, actor, flt)
        return DecisionPage(items=[decision_out(s, d) for d in items], total=total, limit=flt.limit,
                            offset=flt.offset)


@router.post("/decisions", status_code=201, response_model=DecisionOut)
def record_decision(actor: ActorDep, body: DecisionCreate, response: Response) -> DecisionOut:
    """Record a content decision on one item."""
    with unit_of_work() as s:
        out = decision_out(s, decisions.record_decision(s, actor, body))
    response.headers["Location"] = f"/api/v1/decisions/{out.id}"
    return out


@router.get("/decisions/sor", response_model=SorExportOut)
def export_sor(actor: ActorDep) -> SorExportOut:
    """Statements of reasons for decisions affecting EU users, as API batches of at most 100; decisions the
    Transparency Database would reject are listed with the field and rule they break."""
    with unit_of_work(read_only=True) as s:
        result = decisions.build_sor(s, actor)
        return SorExportOut(
            exported=len(result.valid), batches=result.batches(), warnings=result.warnings,
            rejected=[SorRejectedOut(decision_id=d.id, puid=d.puid, issues=[
                SorIssueOut(field=i.field, rule=i.rule, message=i.message) for i in issues if i.level == "error"])
                for d, issues in result.rejected])


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(actor: ActorDep, decision_id: Id) -> DecisionOut:
    with unit_of_work(read_only=True) as s:
        return decision_out(s, decisions.get(s, actor, decision_id))


@router.post("/decisions/{decision_id}/appeals", status_code=201, response_model=DecisionOut)
def file_appeal(actor: ActorDep, decision_id: Id, body: AppealCreate) -> DecisionOut:
    with unit_of_work() as s:
        decisions.file_appeal(s, actor, decision_id, body)
        return decision_out(s, decisions.get(s, actor, decision_id))


@router.post("/decisions/{decision_id}/appeals/{appeal_id}", response_model=DecisionOut)
def decide_appeal(actor: ActorDep, decision_id: Id, appeal_id: Id, body: AppealDecide) -> DecisionOut:
    """Uphold, reverse or modify the decision."""
    with unit_of_work() as s:
        decisions.decide_appeal(s, actor, decision_id, appeal_id, body)
        return decision_out(s, decisions.get(s, actor, decision_id))
