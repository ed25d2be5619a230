"""The decision log: content decisions per item and the appeals against them.

A decision on an item linked to a restricted incident exists only for those who may see that
incident. The functions other domains use take and return schemas (:class:`~.schemas.DecisionOut`);
the rows stay inside this domain.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, policy
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from . import drafts, sor_mapping
from .events import AppealDecided, Appealed, Recorded
from .models import Appeal, ContentDecision
from .schemas import (
    Action,
    AppealCreate,
    AppealDecide,
    AppealOut,
    DecisionCreate,
    DecisionFilter,
    DecisionOut,
    DecisionPage,
)

_FIELDS = ("id", "puid", "content_url", "content_type", "content_type_other", "content_language", "content_date",
           "action", "ground", "policy_clause", "legal_ground", "explanation", "harm", "territorial_scope",
           "automated_detection", "automated_decision", "source_type", "source_identity", "facts", "end_date",
           "incident_ref", "decided_at")


def affects_eu(d: ContentDecision | DecisionOut) -> bool:
    """Whether the decision applies to EU users: worldwide, or in an EEA country."""
    return not d.territorial_scope or bool(set(d.territorial_scope) & policy.dsa.EEA_COUNTRIES)


def visible(session: Session, actor: Actor, rows: list[ContentDecision]) -> list[ContentDecision]:
    """The decisions the actor may know of (those linked to an incident they may not see are left out)."""
    seen = incidents.visible_ids(session, actor, {d.incident_id for d in rows if d.incident_id is not None})
    return [d for d in rows if d.incident_id is None or d.incident_id in seen]


def record_decision(session: Session, actor: Actor, data: DecisionCreate) -> DecisionOut:
    """Record a decision on one item; the harm must be in the taxonomy, and a decision affecting EU
    users must make a valid statement of reasons (the export's rules, checked now)."""
    actor.require(Perm.POLICY_MANAGE)
    taxonomy = policy.load_taxonomy()
    if data.harm not in taxonomy:
        raise ValidationFailed(f"harm: unknown harm {data.harm!r} (see `rapidresponse policy taxonomy`)",
                               field="harm")
    if data.ground == "law" and not data.legal_ground:
        raise ValidationFailed("legal_ground: a decision on a legal ground must name the law", field="legal_ground")
    if data.action == Action.GEO_RESTRICT and not data.territorial_scope:
        raise ValidationFailed("territorial_scope: a geo-restriction names the countries it applies in",
                               field="territorial_scope")
    d = ContentDecision(
        puid=data.puid, content_url=data.content_url, content_type=data.content_type,
        content_type_other=data.content_type_other, content_language=data.content_language,
        content_date=data.content_date, action=data.action.value, ground=data.ground,
        policy_clause=data.policy_clause or taxonomy.get(data.harm).policy_clause, legal_ground=data.legal_ground,
        explanation=data.explanation, harm=data.harm, territorial_scope=sorted(set(data.territorial_scope)),
        automated_detection=data.automated_detection, automated_decision=data.automated_decision,
        source_type=data.source_type, source_identity=data.source_identity, facts=data.facts,
        end_date=data.end_date, decided_by_id=actor.user_id, decided_at=now())
    if affects_eu(d):
        _require_valid_statement(d)
    if session.execute(select(ContentDecision.id).where(ContentDecision.puid == data.puid)).first():
        raise Conflict(f"a decision on item {data.puid!r} is already recorded; appeal it instead")
    incident = incidents.get(session, actor, data.incident) if data.incident else None
    d.incident_id, d.incident_ref = (incident.id, incident.ref) if incident else (None, None)
    draft = drafts.load(session, actor, data.draft) if data.draft else None
    session.add(d)
    session.flush()
    if draft is not None:
        draft.decision_id, draft.updated_at = d.id, now()
    events.record(session, actor, Recorded(subject_id=d.id, puid=d.puid, action=d.action, harm=d.harm,
                                           ground=d.ground, territorial_scope=d.territorial_scope,
                                           incident=d.incident_ref, affects_eu=affects_eu(d)))
    return decision_out(session, d)


def _require_valid_statement(d: ContentDecision) -> None:
    """Refuse a decision whose statement of reasons the Transparency Database would reject: the
    problem names the decision's field (the first) and lists every broken rule."""
    issues = sor_mapping.statement_errors(d)
    if issues:
        raise ValidationFailed("; ".join(sor_mapping.describe(i) for i in issues),
                               field=sor_mapping.source_field(issues[0]),
                               errors=[{"loc": ["body", sor_mapping.source_field(i)], "msg": sor_mapping.describe(i),
                                        "type": f"statement_of_reasons.{i.rule}"} for i in issues])


def load(session: Session, actor: Actor, decision_id: int) -> ContentDecision:
    """The decision's row, or NotFound alike for a missing one and one the actor may not know of."""
    actor.require(Perm.POLICY_READ)
    d = session.get(ContentDecision, decision_id)
    if d is None or not visible(session, actor, [d]):
        raise NotFound(f"no decision {decision_id}")
    return d


def get(session: Session, actor: Actor, decision_id: int) -> DecisionOut:
    return decision_out(session, load(session, actor, decision_id))


def list_decisions(session: Session, actor: Actor, flt: DecisionFilter) -> DecisionPage:
    """Decisions the actor may see, newest first, with their appeals."""
    actor.require(Perm.POLICY_READ)
    query = select(ContentDecision)
    if flt.incident:
        query = query.where(ContentDecision.incident_ref == flt.incident.upper())
    if flt.harm:
        query = query.where(ContentDecision.harm == flt.harm)
    rows = session.execute(query.order_by(ContentDecision.decided_at.desc(), ContentDecision.id.desc())
                           ).scalars().all()
    kept = [d for d in visible(session, actor, list(rows)) if not flt.eu_only or affects_eu(d)]
    page = kept[flt.offset:flt.offset + flt.limit]
    return DecisionPage(items=outs(session, page), total=len(kept), limit=flt.limit, offset=flt.offset)


def appeals(session: Session, decision_ids: list[int]) -> dict[int, list[Appeal]]:
    out: dict[int, list[Appeal]] = {i: [] for i in decision_ids}
    if decision_ids:
        for a in session.execute(select(Appeal).where(Appeal.decision_id.in_(decision_ids)).order_by(Appeal.id)
                                 ).scalars():
            out[a.decision_id].append(a)
    return out


def file_appeal(session: Session, actor: Actor, decision_id: int, data: AppealCreate) -> DecisionOut:
    """Record a complaint against a decision (one open appeal at a time); returns the decision."""
    actor.require(Perm.POLICY_MANAGE)
    d = load(session, actor, decision_id)
    open_ = session.execute(select(func.count()).select_from(Appeal).where(
        Appeal.decision_id == d.id, Appeal.status == "open")).scalar_one()
    if open_:
        raise Conflict(f"decision {d.id} already has an open appeal")
    a = Appeal(decision_id=d.id, appellant=data.appellant, reason=data.reason, status="open", filed_at=now(),
               filed_by_id=actor.user_id)
    session.add(a)
    session.flush()
    events.record(session, actor, Appealed(subject_id=d.id, puid=d.puid, appeal_id=a.id, appellant=a.appellant))
    return decision_out(session, d)


def decide_appeal(session: Session, actor: Actor, decision_id: int, appeal_id: int,
                  data: AppealDecide) -> DecisionOut:
    """Uphold, reverse or modify the decision; the outcome is final. Returns the decision."""
    actor.require(Perm.POLICY_MANAGE)
    d = load(session, actor, decision_id)
    a = session.get(Appeal, appeal_id)
    if a is None or a.decision_id != d.id:
        raise NotFound(f"no appeal {appeal_id} on decision {d.id}")
    if a.status != "open":
        raise Conflict(f"appeal {a.id} was already decided ({a.status})")
    if data.status != "upheld" and not data.note:
        raise ValidationFailed("note: say what changes when a decision is reversed or modified", field="note")
    a.status, a.outcome_note, a.decided_at, a.decided_by_id = data.status, data.note, now(), actor.user_id
    events.record(session, actor, AppealDecided(subject_id=d.id, puid=d.puid, appeal_id=a.id, outcome=a.status,
                                                note=a.outcome_note))
    return decision_out(session, d)


def decision_out(session: Session, d: ContentDecision) -> DecisionOut:
    return outs(session, [d])[0]


def outs(session: Session, rows: list[ContentDecision]) -> list[DecisionOut]:
    """The decisions as schemas, with who decided them and their appeals."""
    names = auth.usernames(session, {d.decided_by_id for d in rows})
    filed = appeals(session, [d.id for d in rows])
    return [DecisionOut(
        **{f: getattr(d, f) for f in _FIELDS}, decided_by=names.get(d.decided_by_id or 0), affects_eu=affects_eu(d),
        appeals=[AppealOut(id=a.id, appellant=a.appellant, reason=a.reason, status=a.status,
                           outcome_note=a.outcome_note, filed_at=a.filed_at, decided_at=a.decided_at)
                 for a in filed[d.id]]) for d in rows]
