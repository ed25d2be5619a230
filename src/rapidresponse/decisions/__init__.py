"""The content decision log: one decision per item (what was done, on which ground, where), the
appeals against decisions, and the DSA statements of reasons built from them for the Transparency
Database (checked field by field, exported as API batches or CSV).

The public surface: other domains use what is exported here, services that take and return schemas.
"""

from .events import AppealDecided, Appealed, DecisionEvent, Recorded
from .schemas import (
    ACTION_LABELS,
    APPEAL_LABELS,
    Action,
    AppealCreate,
    AppealDecide,
    AppealOut,
    DecisionCreate,
    DecisionFilter,
    DecisionOut,
    DecisionPage,
    SorExportOut,
)
from .service import affects_eu, decide_appeal, file_appeal, get, list_decisions, record_decision
from .sor import Issue, SorInvalid, StatementOfReasons, check, parse
from .sor_mapping import statement
from .statements import DecisionRef, SorExport, build_sor

__all__ = [
    "ACTION_LABELS", "APPEAL_LABELS", "Action", "AppealCreate", "AppealDecide", "AppealDecided", "AppealOut",
    "Appealed", "DecisionCreate", "DecisionEvent", "DecisionFilter", "DecisionOut", "DecisionPage", "DecisionRef",
    "Issue", "Recorded", "SorExport", "SorExportOut", "SorInvalid", "StatementOfReasons", "affects_eu",
    "build_sor", "check", "decide_appeal", "file_appeal", "get", "list_decisions", "parse", "record_decision",
    "statement",
]
