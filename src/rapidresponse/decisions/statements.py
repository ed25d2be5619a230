"""Statements of reasons built from the decision log, for the DSA Transparency Database.

A decision affects EU users when it applies worldwide or in an EEA country; those are the ones the
DSA (Art. 17, 24(5)) wants as statements of reasons. Statements are built in the Transparency
Database format by :mod:`.sor_mapping` and checked by :mod:`.sor`, as the decision log checks them when
a decision is recorded; a decision the API would still reject (recorded before that check, or
under rules that changed since) is reported with the field and the rule it breaks, never exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from . import sor_export
from .models import ContentDecision
from .schemas import SorExportOut, SorIssueOut, SorRejectedOut
from .service import affects_eu, visible
from .sor import Issue, StatementOfReasons
from .sor_mapping import statement


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
