"""DSA statements of reasons in the Transparency Database API format (schema v2).

``check`` applies the API's rules to a raw statement and returns every issue, one line each:
errors (the API would reject the statement: it is not exported) and warnings (the API accepts
it but discards or ignores something: export drops what the API would discard). ``parse``
returns a typed ``StatementOfReasons`` or raises ``SorInvalid`` with all the errors.
Exports (JSON batches of at most 100, CSV) live in ``sor_export``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict

from .. import policy
from ..errors import ValidationFailed

dsa = policy.dsa

PUID = re.compile(r"^[a-zA-Z0-9\-_]+$")
YMD = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EAN13 = re.compile(r"^\d{13}$")
LATEST = date(2038, 1, 1)

FIELDS: tuple[str, ...] = (
    "decision_visibility", "decision_visibility_other", "decision_monetary", "decision_monetary_other",
    "decision_provision", "decision_account", "account_type", "decision_ground", "decision_ground_reference_url",
    "illegal_content_legal_ground", "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type", "content_type_other",
    "category", "category_addition", "category_specification", "category_specification_other",
    "territorial_scope", "content_language", "content_date", "application_date", "end_date_account_restriction",
    "end_date_monetary_restriction", "end_date_service_restriction", "end_date_visibility_restriction",
    "decision_facts", "source_type", "source_identity", "automated_detection", "automated_decision", "puid",
    "content_id",
)
ARRAY_FIELDS = frozenset({"decision_visibility", "content_type", "category_addition", "category_specification",
                          "territorial_scope"})
REQUIRED = ("decision_ground", "content_type", "category", "content_date", "application_date", "decision_facts",
            "source_type", "automated_detection", "automated_decision", "puid")
DECISIONS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
MAX_LEN = {
    "decision_visibility_other": 500, "decision_monetary_other": 500, "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500, "illegal_content_explanation": 2000, "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000, "content_type_other": 500, "category_specification_other": 500,
    "decision_facts": 5000, "source_identity": 500, "puid": 500,
}
ENUMS: dict[str, frozenset[str]] = {
    "decision_visibility": frozenset(dsa.DecisionVisibility), "decision_monetary": frozenset(dsa.DecisionMonetary),
    "decision_provision": frozenset(dsa.DecisionProvision), "decision_account": frozenset(dsa.DecisionAccount),
    "account_type": frozenset(dsa.AccountType), "decision_ground": frozenset(dsa.DecisionGround),
    "incompatible_content_illegal": frozenset(dsa.YesNo), "content_type": frozenset(dsa.ContentType),
    "category": dsa.CATEGORIES, "category_addition": dsa.CATEGORIES, "category_specification": dsa.KEYWORDS,
    "territorial_scope": dsa.EEA_COUNTRIES, "content_language": dsa.CONTENT_LANGUAGES,
    "source_type": frozenset(dsa.SourceType), "automated_detection": frozenset(dsa.YesNo),
    "automated_decision": frozenset(dsa.AutomatedDecision),
}
DATE_RANGES: dict[str, tuple[date | None, date]] = {
    "content_date": (date(2000, 1, 1), LATEST), "application_date": (date(2020, 1, 1), LATEST),
    "end_date_account_restriction": (None, LATEST), "end_date_monetary_restriction": (None, LATEST),
    "end_date_service_restriction": (None, LATEST), "end_date_visibility_restriction": (None, LATEST),
}
ILLEGAL = dsa.DecisionGround.ILLEGAL_CONTENT.value
INCOMPATIBLE = dsa.DecisionGround.INCOMPATIBLE_CONTENT.value
# (field, the condition's field, the value that must be chosen, how the rule reads)
CONDITIONAL: tuple[tuple[str, str, str, str], ...] = (
    ("decision_visibility_other", "decision_visibility", "DECISION_VISIBILITY_OTHER", "decision_visibility has"),
    ("decision_monetary_other", "decision_monetary", "DECISION_MONETARY_OTHER", "decision_monetary is"),
    ("content_type_other", "content_type", "CONTENT_TYPE_OTHER", "content_type has"),
    ("illegal_content_legal_ground", "decision_ground", ILLEGAL, "decision_ground is"),
    ("illegal_content_explanation", "decision_ground", ILLEGAL, "decision_ground is"),
    ("incompatible_content_ground", "decision_ground", INCOMPATIBLE, "decision_ground is"),
    ("incompatible_content_explanation", "decision_ground", INCOMPATIBLE, "decision_ground is"),
)
# Optional fields the API keeps only under a condition: (field, condition field, value, rule text).
KEPT_ONLY_IF: tuple[tuple[str, str, str], ...] = (
    ("incompatible_content_illegal", "decision_ground", INCOMPATIBLE),
    ("category_specification_other", "category_specification", "KEYWORD_OTHER"),
)


@dataclass(frozen=True)
class Issue:
    field: str
    rule: str
    message: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class SorInvalid(ValidationFailed):
    def __init__(self, issues: list[Issue], where: str = "") -> None:
        self.issues = issues
        prefix = f"{where}: " if where else ""
        super().__init__("; ".join(prefix + str(i) for i in issues if i.level == "error"))


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _has(data: Mapping[str, Any], field: str, value: str) -> bool:
    v = data.get(field)
    return value in v if isinstance(v, list) else v == value


def _shape(data: Mapping[str, Any], out: list[Issue]) -> None:
    for field, value in data.items():
        if field not in FIELDS:
            out.append(Issue(field, "unknown_field", "is not a statement-of-reasons field (API v2)"))
        elif value is None:
            continue
        elif field in ARRAY_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                out.append(Issue(field, "array", "must be a list of strings"))
        elif field == "content_id":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                out.append(Issue(field, "object", 'must be an object of strings, e.g. {"EAN-13": "…"}'))
            elif "EAN-13" in value and not EAN13.match(value["EAN-13"]):
                out.append(Issue(field, "ean13", "EAN-13 must be exactly 13 digits"))
        elif not isinstance(value, str | date):
            hint = ' (use "Yes" or "No")' if isinstance(value, bool) else ""
            out.append(Issue(field, "string", f"must be a string{hint}"))


def _values(data: Mapping[str, Any], field: str) -> list[str]:
    v = data.get(field)
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return [v] if isinstance(v, str) else []


def _enums_and_lengths(data: Mapping[str, Any], out: list[Issue]) -> None:
    for field, allowed in ENUMS.items():
        for v in _values(data, field):
            if v not in allowed:
                hint = " (upper case, e.g. RU)" if field in ("content_language", "territorial_scope") else ""
                out.append(Issue(field, "in", f"{v!r} is not an allowed value{hint}"))
    for field, limit in MAX_LEN.items():
        text = data.get(field)
        if isinstance(text, str) and len(text) > limit:
            out.append(Issue(field, "max", f"is {len(text)} characters; at most {limit}"))
    puid = data.get("puid")
    if isinstance(puid, str) and puid and not PUID.match(puid):
        out.append(Issue("puid", "regex", "may contain only letters a-z A-Z, digits, - and _"))
    url = data.get("decision_ground_reference_url")
    if isinstance(url, str) and url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            out.append(Issue("decision_ground_reference_url", "url", "must be an http(s) URL"))


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and YMD.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _dates(data: Mapping[str, Any], out: list[Issue]) -> None:
    for field, (earliest, latest) in DATE_RANGES.items():
        raw = data.get(field)
        if not _present(raw):
            continue
        d = _date(raw)
        if d is None:
            out.append(Issue(field, "date_format", f"{raw!r} is not a date in the format YYYY-MM-DD"))
        elif earliest and d < earliest:
            out.append(Issue(field, "after_or_equal", f"{d} is before {earliest}"))
        elif d > latest:
            out.append(Issue(field, "before_or_equal", f"{d} is after {latest}"))
    applied = _date(data.get("application_date"))
    for field in DATE_RANGES:
        end = _date(data.get(field))
        if field.startswith("end_date") and end and applied and end < applied:
            out.append(Issue(field, "end_after_application", f"{end} is before application_date {applied}",
                             "warning"))


def _conditionals(data: Mapping[str, Any], out: list[Issue]) -> None:
    for field in REQUIRED:
        if not _present(data.get(field)):
            out.append(Issue(field, "required", "is required"))
    if not any(_present(data.get(f)) for f in DECISIONS):
        out.append(Issue("decision_visibility", "required_without_all",
                         "at least one of decision_visibility, decision_monetary, decision_provision, "
                         "decision_account is required"))
    for field, cond, value, reads in CONDITIONAL:
        chosen = _has(data, cond, value)
        if chosen and not _present(data.get(field)):
            out.append(Issue(field, "required_if", f"is required when {reads} {value}"))
        elif not chosen and _present(data.get(field)):
            out.append(Issue(field, "exclude_unless", f"is discarded by the API unless {reads} {value}", "warning"))
    for field, cond, value in KEPT_ONLY_IF:
        if _present(data.get(field)) and not _has(data, cond, value):
            out.append(Issue(field, "exclude_unless", f"is discarded by the API unless {cond} has {value}",
                             "warning"))
    if data.get("source_type") == dsa.SourceType.VOLUNTARY and _present(data.get("source_identity")):
        out.append(Issue("source_identity", "exclude_if_voluntary",
                         "is discarded by the API when source_type is SOURCE_VOLUNTARY (own-initiative decisions "
                         "have no notifier)", "warning"))


def _categories(data: Mapping[str, Any], out: list[Issue]) -> None:
    category = data.get("category")
    additions = _values(data, "category_addition")
    if isinstance(category, str) and category in additions:
        out.append(Issue("category_addition", "distinct", f"repeats the main category {category}; dropped",
                         "warning"))
    cats = {c for c in [category, *additions] if isinstance(c, str) and dsa.is_category(c)}
    for kw in _values(data, "category_specification"):
        if cats and dsa.is_keyword(kw) and not dsa.keyword_fits(kw, cats):
            out.append(Issue("category_specification", "keyword_category",
                             f"{kw} is documented under {dsa.KEYWORD_CATEGORY[kw]}, which is neither category "
                             "nor in category_addition", "warning"))
    if _has(data, "category_specification", "KEYWORD_OTHER") and not _present(data.get("category_specification_other")):
        out.append(Issue("category_specification_other", "recommended",
                         "describe the keyword when category_specification has KEYWORD_OTHER", "warning"))


def check(data: Mapping[str, Any]) -> list[Issue]:
    """Every rule the statement breaks, errors first."""
    if not isinstance(data, Mapping):
        return [Issue("(statement)", "object", "a statement must be a JSON object")]
    out: list[Issue] = []
    _shape(data, out)
    _conditionals(data, out)
    _enums_and_lengths(data, out)
    _dates(data, out)
    _categories(data, out)
    return sorted(out, key=lambda i: (i.level != "error", FIELDS.index(i.field) if i.field in FIELDS else -1))


class StatementOfReasons(BaseModel):
    """A statement that passed ``check``: typed, and shaped as the API stores it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    decision_visibility: list[dsa.DecisionVisibility] | None = None
    decision_visibility_other: str | None = None
    decision_monetary: dsa.DecisionMonetary | None = None
    decision_monetary_other: str | None = None
    decision_provision: dsa.DecisionProvision | None = None
    decision_account: dsa.DecisionAccount | None = None
    account_type: dsa.AccountType | None = None
    decision_ground: dsa.DecisionGround
    decision_ground_reference_url: str | None = None
    illegal_content_legal_ground: str | None = None
    illegal_content_explanation: str | None = None
    incompatible_content_ground: str | None = None
    incompatible_content_explanation: str | None = None
    incompatible_content_illegal: dsa.YesNo | None = None
    content_type: list[dsa.ContentType]
    content_type_other: str | None = None
    category: dsa.Category
    category_addition: list[dsa.Category] | None = None
    category_specification: list[str] | None = None
    category_specification_other: str | None = None
    territorial_scope: list[str] | None = None
    content_language: str | None = None
    content_date: date
    application_date: date
    end_date_account_restriction: date | None = None
    end_date_monetary_restriction: date | None = None
    end_date_service_restriction: date | None = None
    end_date_visibility_restriction: date | None = None
    decision_facts: str
    source_type: dsa.SourceType
    source_identity: str | None = None
    automated_detection: dsa.YesNo
    automated_decision: dsa.AutomatedDecision
    puid: str
    content_id: dict[str, str] | None = None

    def to_api(self) -> dict[str, Any]:
        """The JSON body the API takes: no nulls, Y-m-d dates, discarded fields left out."""
        out: dict[str, Any] = {}
        for field, value in self.model_dump(mode="json", exclude_none=True).items():
            if _present(value):
                out[field] = value
        for issue in check(out):
            if issue.rule in ("exclude_unless", "exclude_if_voluntary"):
                out.pop(issue.field, None)
        if "category_addition" in out:
            adds = [c for c in dict.fromkeys(out["category_addition"]) if c != out["category"]]
            if adds:
                out["category_addition"] = adds
            else:
                del out["category_addition"]
        return {f: out[f] for f in FIELDS if f in out}


def parse(data: Mapping[str, Any], where: str = "") -> tuple[StatementOfReasons, list[Issue]]:
    """A typed statement and its warnings, or ``SorInvalid`` listing every error."""
    issues = check(data)
    if any(i.level == "error" for i in issues):
        raise SorInvalid(issues, where)
    clean = {k: v for k, v in data.items() if v is not None}
    return StatementOfReasons.model_validate(clean), issues
