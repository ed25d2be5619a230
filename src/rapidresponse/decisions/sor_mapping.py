"""A decision as a DSA statement of reasons: the one mapping both the decision log's entry check
(:func:`.service.record_decision`) and the export (:mod:`.statements`) use, so a decision recorded
today is checked by the same rules (:func:`.sor.check`) its statement will be.

``SOURCE_FIELD`` says which decision field each statement field comes from, so a broken statement
rule is reported on the field the user typed.
"""

from __future__ import annotations

from typing import Any

from .. import policy
from .models import ContentDecision
from .schemas import Action, DecisionOut
from .sor import Issue, check

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
SOURCE_FIELD: dict[str, str] = {
    "puid": "puid", "decision_facts": "facts", "content_date": "content_date", "application_date": "decided_at",
    "content_type": "content_type", "content_type_other": "content_type_other",
    "automated_detection": "automated_detection", "automated_decision": "automated_decision",
    "source_type": "source_type", "source_identity": "source_identity", "category": "harm",
    "category_addition": "harm", "category_specification": "harm", "decision_visibility": "action",
    "decision_account": "action", "end_date_visibility_restriction": "end_date",
    "end_date_account_restriction": "end_date", "decision_ground": "ground",
    "illegal_content_legal_ground": "legal_ground", "illegal_content_explanation": "explanation",
    "incompatible_content_ground": "policy_clause", "incompatible_content_explanation": "explanation",
    "territorial_scope": "territorial_scope", "content_language": "content_language",
}
"""Statement field → the decision field it is built from."""


def statement(d: ContentDecision | DecisionOut) -> dict[str, Any]:
    """The decision as a raw statement of reasons (Transparency Database API v2 fields)."""
    action = Action(d.action)
    out: dict[str, Any] = {"puid": d.puid, "decision_facts": d.facts, "content_date": d.content_date.isoformat(),
                           "application_date": d.decided_at.date().isoformat(),
                           "content_type": [f"CONTENT_TYPE_{d.content_type.upper()}"],
                           "automated_detection": "Yes" if d.automated_detection else "No",
                           "automated_decision": AUTOMATION[d.automated_decision].value,
                           "source_type": SOURCE[d.source_type].value, **policy.dsa_fields_for_harm(d.harm)}
    if d.content_type_other:
        out["content_type_other"] = d.content_type_other
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


def statement_errors(d: ContentDecision | DecisionOut) -> list[Issue]:
    """The rules the decision's statement of reasons breaks (errors only: the API would refuse it)."""
    return [i for i in check(statement(d)) if i.level == "error"]


def source_field(issue: Issue) -> str:
    """The decision field a broken statement rule is about."""
    return SOURCE_FIELD.get(issue.field, issue.field)


def describe(issue: Issue) -> str:
    """One line on the decision's field: ``explanation: is 2400 characters; at most 2000 (statement of
    reasons: illegal_content_explanation [max])``."""
    field = source_field(issue)
    return f"{field}: {issue.message} (statement of reasons: {issue.field} [{issue.rule}])"
