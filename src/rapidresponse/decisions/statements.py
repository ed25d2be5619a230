"""Statements of reasons built from the decision log, for the DSA Transparency Database.

A decision affects EU users when it applies worldwide or in an EEA country; those are the ones the
DSA (Art. 17, 24(5)) wants as statements of reasons. Statements are built in the Transparency
Database format and checked by :mod:`.sor`; a decision the API would reject is reported with the
field and the rule it breaks, never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import policy
from ..auth import Actor, Perm
from . import sor_export
from .models import ContentDecision
from .schemas import Action, DecisionOut, SorExportOut, SorIssueOut, SorRejectedOut
from .service import affects_eu, visible
from .sor import Issue, StatementOfReasons

dsa = policy.dsa
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


def statement(d: ContentDecision | DecisionOut) -> dict[str, Any]:
    """The decision as a raw statement of reasons (Transparency Database API v2 fields)."""
    action = Action(d.action)
    out: dict[str, Any] = {"puid": d.puid, "decision_facts": d.facts, "content_date": d.content_date.isoformat(),
                           "application_date": d.decided_at.date().isoformat(),
                           "content_type": [f"CONTENT_TYPE_{d.content_type.upper()}"],
                           "automated_detection": "Yes" if d.automated_detection else "No",
                           "automated_decision": AUTOMATION[d.automated_decision].value,
                           "source_type": SOURCE[d.source_type].value, **policy.dsa_fields_for_harm(d.harm)}
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


@dataclass(frozen=True)
class DecisionRef:
    """Which decision a statement was built from."""

    id: int
    puid: str


@dataclass
class SorExport:
    """The statements of a set of decisions: the valid ones, the rejected ones with every broken
    rule, and the warnings (what the API would accept but discard or ignore)."""

    valid: list[tuple[DecisionRef, StatementOfReasons]] = field(default_factory=list)
    rejected: list[tuple[DecisionRef, list[Issue]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error_lines(self) -> list[str]:
        return [f"decision {d.id} (puid {d.puid}): {i}" for d, issues in self.rejected for i in issues
                if i.level == "error"]

    def batches(self) -> list[dict[str, Any]]:
        return sor_export.batches([s for _, s in self.valid]) if self.valid else []

    def out(self) -> SorExportOut:
        """As the API shows it: batches of at most 100, and the errors of each rejected decision."""
        return SorExportOut(
            exported=len(self.valid), batches=self.batches(), warnings=self.warnings,
            rejected=[SorRejectedOut(decision_id=d.id, puid=d.puid, issues=[
                SorIssueOut(field=i.field, rule=i.rule, message=i.message) for i in issues if i.level == "error"])
                for d, issues in self.rejected])

    def csv(self) -> str:
        """The valid statements as CSV (one column per Transparency Database field)."""
        return sor_export.csv_text([s for _, s in self.valid])

    def write(self, out_dir: Path, *, fmt: str) -> list[Path]:
        """Write the valid statements as JSON batches or one CSV file in ``out_dir``; returns the files."""
        valid = [s for _, s in self.valid]
        if not valid:
            return []
        if fmt == "json":
            return sor_export.write_json(valid, out_dir, stem="decisions")
        return [sor_export.write_csv(valid, out_dir / "decisions.csv")]


def build_sor(session: Session, actor: Actor, *, since: datetime | None = None,
              until: datetime | None = None) -> SorExport:
    """Statements of reasons for the decisions affecting EU users, checked one by one."""
    actor.require(Perm.POLICY_MANAGE)
    query = select(ContentDecision).order_by(ContentDecision.decided_at, ContentDecision.id)
    if since:
        query = query.where(ContentDecision.decided_at >= since)
    if until:
        query = query.where(ContentDecision.decided_at < until)
    chosen = [d for d in visible(session, actor, list(session.execute(query).scalars())) if affects_eu(d)]
    refs = [DecisionRef(d.id, d.puid) for d in chosen]
    checked = sor_export.check_all([statement(d) for d in chosen])
    out = SorExport()
    out.valid = [(refs[i], s) for i, s in checked.valid]
    out.rejected = [(refs[r.index], r.issues) for r in checked.rejected]
    out.warnings = [f"decision {refs[i].id} (puid {refs[i].puid}): {issue}" for i, issue in checked.warnings]
    return out
