"""The decision log: content decisions per item, appeals, and statements of reasons built from them.

A decision affects EU users when it applies worldwide or in an EEA country; those are the ones the
DSA (Art. 17, 24(5)) wants as statements of reasons. Statements are built in the Transparency
Database format and checked by :mod:`.sor`; a decision the API would reject is reported with the
field and the rule it breaks, never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from . import dsa, links, sor_export
from .models import Appeal, ContentDecision
from .schemas import Action, AppealCreate, AppealDecide, DecisionCreate, DecisionFilter
from .sor import Issue, StatementOfReasons, dsa_fields_for_harm
from .taxonomy import load_taxonomy

VISIBILITY = {
    Action.REMOVE: dsa.DecisionVisibility.CONTENT_REMOVED, Action.GEO_RESTRICT: dsa.DecisionVisibility.CONTENT_DISABLED,
    Action.AGE_RESTRICT: dsa.DecisionVisibility.CONTENT_AGE_RESTRICTED,
    Action.REDUCE_REACH: dsa.DecisionVisibility.CONTENT_DEMOTED, Action.LABEL: dsa.DecisionVisibility.CONTENT_LABELLED,
}
ACCOUNT = {Action.ACCOUNT_SUSPEND: dsa.DecisionAccount.SUSPENDED,
           Action.ACCOUNT_TERMINATE: dsa.DecisionAccount.TERMINATED}
SOURCE = {"notice": dsa.SourceType.ARTICLE_16, "trusted_flagger": dsa.SourceType.TRUSTED_FLAGGER,
          "authority": dsa.SourceType.OTHER_NOTIFICATION, "voluntary": dsa.SourceType.VOLUNTARY}
AUTOMATION = {"fully": dsa.AutomatedDecision.FULLY, "partially": dsa.AutomatedDecision.PARTIALLY,
              "not": dsa.AutomatedDecision.NOT_AUTOMATED}


def _record(session: Session, actor: Actor, d: ContentDecision, kind: str, **payload: Any) -> None:
    events.record_legacy(session, type=kind, subject_type="decision", subject_id=d.id, actor_id=actor.user_id,
                  actor=actor.label, payload={"puid": d.puid, **payload})


def affects_eu(d: ContentDecision) -> bool:
    return not d.territorial_scope or bool(set(d.territorial_scope) & dsa.EEA_COUNTRIES)


def record_decision(session: Session, actor: Actor, data: DecisionCreate) -> ContentDecision:
    """Record a decision on one item; the harm must be in the taxonomy."""
    actor.require(Perm.POLICY_MANAGE)
    taxonomy = load_taxonomy()
    if data.harm not in taxonomy:
        raise ValidationFailed(f"harm: unknown harm {data.harm!r} (see `rapidresponse policy taxonomy`)",
                               field="harm")
    if data.ground == "law" and not data.legal_ground:
        raise ValidationFailed("legal_ground: a decision on a legal ground must name the law", field="legal_ground")
    if data.action == Action.GEO_RESTRICT and not data.territorial_scope:
        raise ValidationFailed("territorial_scope: a geo-restriction names the countries it applies in",
                               field="territorial_scope")
    if session.execute(select(ContentDecision.id).where(ContentDecision.puid == data.puid)).first():
        raise Conflict(f"a decision on item {data.puid!r} is already recorded; appeal it instead")
    incident = links.link(session, actor, data.incident) if data.incident else None
    d = ContentDecision(
        puid=data.puid, content_url=data.content_url, content_type=data.content_type,
        content_language=data.content_language, content_date=data.content_date, action=data.action.value,
        ground=data.ground, policy_clause=data.policy_clause or taxonomy.get(data.harm).policy_clause,
        legal_ground=data.legal_ground, explanation=data.explanation, harm=data.harm,
        territorial_scope=sorted(set(data.territorial_scope)), automated_detection=data.automated_detection,
        automated_decision=data.automated_decision, source_type=data.source_type,
        source_identity=data.source_identity, facts=data.facts, end_date=data.end_date,
        incident_id=incident.id if incident else None, incident_ref=incident.ref if incident else None,
        decided_by_id=actor.user_id, decided_at=now())
    session.add(d)
    session.flush()
    _record(session, actor, d, "decision.recorded", action=d.action, harm=d.harm, ground=d.ground,
            territorial_scope=d.territorial_scope, incident=d.incident_ref, affects_eu=affects_eu(d))
    return d


def get(session: Session, actor: Actor, decision_id: int) -> ContentDecision:
    actor.require(Perm.POLICY_READ)
    d = session.get(ContentDecision, decision_id)
    if d is None or not links.Visibility(session, actor).can_see(d.incident_ref):
        raise NotFound(f"no decision {decision_id}")
    return d


def list_decisions(session: Session, actor: Actor, flt: DecisionFilter) -> tuple[list[ContentDecision], int]:
    """Decisions the actor may see, newest first."""
    actor.require(Perm.POLICY_READ)
    query = select(ContentDecision)
    if flt.incident:
        query = query.where(ContentDecision.incident_ref == flt.incident.upper())
    if flt.harm:
        query = query.where(ContentDecision.harm == flt.harm)
    rows = session.execute(query.order_by(ContentDecision.decided_at.desc(), ContentDecision.id.desc())
                           ).scalars().all()
    seen = links.Visibility(session, actor)
    kept = [d for d in rows if seen.can_see(d.incident_ref) and (not flt.eu_only or affects_eu(d))]
    return kept[flt.offset:flt.offset + flt.limit], len(kept)


def appeals(session: Session, decision_ids: list[int]) -> dict[int, list[Appeal]]:
    out: dict[int, list[Appeal]] = {i: [] for i in decision_ids}
    if decision_ids:
        for a in session.execute(select(Appeal).where(Appeal.decision_id.in_(decision_ids)).order_by(Appeal.id)
                                 ).scalars():
            out[a.decision_id].append(a)
    return out


def file_appeal(session: Session, actor: Actor, decision_id: int, data: AppealCreate) -> Appeal:
    """Record a complaint against a decision (one open appeal at a time)."""
    actor.require(Perm.POLICY_MANAGE)
    d = get(session, actor, decision_id)
    open_ = session.execute(select(func.count()).select_from(Appeal).where(
        Appeal.decision_id == d.id, Appeal.status == "open")).scalar_one()
    if open_:
        raise Conflict(f"decision {d.id} already has an open appeal")
    a = Appeal(decision_id=d.id, appellant=data.appellant, reason=data.reason, status="open", filed_at=now(),
               filed_by_id=actor.user_id)
    session.add(a)
    session.flush()
    _record(session, actor, d, "decision.appealed", appeal_id=a.id, appellant=a.appellant)
    return a


def decide_appeal(session: Session, actor: Actor, decision_id: int, appeal_id: int, data: AppealDecide) -> Appeal:
    """Uphold, reverse or modify the decision; the outcome is final."""
    actor.require(Perm.POLICY_MANAGE)
    d = get(session, actor, decision_id)
    a = session.get(Appeal, appeal_id)
    if a is None or a.decision_id != d.id:
        raise NotFound(f"no appeal {appeal_id} on decision {d.id}")
    if a.status != "open":
        raise Conflict(f"appeal {a.id} was already decided ({a.status})")
    if data.status != "upheld" and not data.note:
        raise ValidationFailed("note: say what changes when a decision is reversed or modified", field="note")
    a.status, a.outcome_note, a.decided_at, a.decided_by_id = data.status, data.note, now(), actor.user_id
    _record(session, actor, d, "decision.appeal_decided", appeal_id=a.id, outcome=a.status, note=a.outcome_note)
    return a


def usernames(session: Session, ids: set[int | None]) -> dict[int, str]:
    return auth.usernames(session, ids)


# --- statements of reasons -----------------------------------------------------------------------

def statement(d: ContentDecision) -> dict[str, Any]:
    """The decision as a raw statement of reasons (Transparency Database API v2 fields)."""
    action = Action(d.action)
    out: dict[str, Any] = {"puid": d.puid, "decision_facts": d.facts, "content_date": d.content_date.isoformat(),
                           "application_date": d.decided_at.date().isoformat(),
                           "content_type": [f"CONTENT_TYPE_{d.content_type.upper()}"],
                           "automated_detection": "Yes" if d.automated_detection else "No",
                           "automated_decision": AUTOMATION[d.automated_decision].value,
                           "source_type": SOURCE[d.source_type].value, **dsa_fields_for_harm(d.harm)}
    if action in VISIBILITY:
        out["decision_visibility"] = [VISIBILITY[action].value]
        if d.end_date:
            out["end_date_visibility_restriction"] = d.end_date.isoformat()
    else:
        out["decision_account"] = ACCOUNT[action].value
        if d.end_date:
            out["end_date_account_restriction"] = d.end_date.isoformat()
    if d.ground == "law":
        out.update(decision_ground=dsa.DecisionGround.ILLEGAL_CONTENT.value,
                   illegal_content_legal_ground=d.legal_ground, illegal_content_explanation=d.explanation)
    else:
        out.update(decision_ground=dsa.DecisionGround.INCOMPATIBLE_CONTENT.value,
                   incompatible_content_ground=d.policy_clause, incompatible_content_explanation=d.explanation)
    scope = sorted(set(d.territorial_scope) & dsa.EEA_COUNTRIES) if d.territorial_scope else sorted(dsa.EEA_COUNTRIES)
    out["territorial_scope"] = scope
    if d.content_language:
        out["content_language"] = d.content_language.split("-")[0].upper()
    if d.source_identity and d.source_type != "voluntary":
        out["source_identity"] = d.source_identity
    return out


@dataclass
class SorExport:
    valid: list[tuple[ContentDecision, StatementOfReasons]] = field(default_factory=list)
    rejected: list[tuple[ContentDecision, list[Issue]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error_lines(self) -> list[str]:
        return [f"decision {d.id} (puid {d.puid}): {i}" for d, issues in self.rejected for i in issues
                if i.level == "error"]

    def batches(self) -> list[dict[str, Any]]:
        return sor_export.batches([s for _, s in self.valid]) if self.valid else []


def build_sor(session: Session, actor: Actor, *, since: datetime | None = None,
              until: datetime | None = None) -> SorExport:
    """Statements of reasons for the decisions affecting EU users, checked one by one."""
    actor.require(Perm.POLICY_MANAGE)
    query = select(ContentDecision).order_by(ContentDecision.decided_at, ContentDecision.id)
    if since:
        query = query.where(ContentDecision.decided_at >= since)
    if until:
        query = query.where(ContentDecision.decided_at < until)
    seen = links.Visibility(session, actor)
    chosen = [d for d in session.execute(query).scalars() if affects_eu(d) and seen.can_see(d.incident_ref)]
    checked = sor_export.check_all([statement(d) for d in chosen])
    out = SorExport()
    out.valid = [(chosen[i], s) for i, s in checked.valid]
    out.rejected = [(chosen[r.index], r.issues) for r in checked.rejected]
    out.warnings = [f"decision {chosen[i].id} (puid {chosen[i].puid}): {issue}" for i, issue in checked.warnings]
    return out
