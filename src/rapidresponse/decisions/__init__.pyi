"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

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
    DraftOut,
    SorExportOut,
)
from .service import affects_eu, decide_appeal, file_appeal, get, list_decisions, record_decision
from .sor import Issue, SorInvalid, StatementOfReasons, check, parse
from .sor_mapping import statement
from .statements import DecisionRef, SorExport, build_sor

__all__ = [
    "ACTION_LABELS", "APPEAL_LABELS", "Action", "AppealCreate", "AppealDecide", "AppealDecided", "AppealOut",
    "Appealed", "DecisionCreate", "DecisionEvent", "DecisionFilter", "DecisionOut", "DecisionPage", "DecisionRef",
    "DraftOut",
    "Issue", "Recorded", "SorExport", "SorExportOut", "SorInvalid", "StatementOfReasons", "affects_eu", "build_sor",
    "check", "decide_appeal", "file_appeal", "get", "list_decisions", "parse", "record_decision", "statement",
]
