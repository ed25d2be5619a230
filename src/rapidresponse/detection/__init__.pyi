"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import (
    AlertAcknowledged,
    AlertDismissed,
    AlertEscalated,
    AlertRaised,
    AlertSnoozed,
    AlertSnoozeExpired,
    AlertSuppressed,
    AlertUpdated,
    CaseAssigned,
    CaseDismissed,
    CaseEscalated,
    CaseLinked,
    CaseNoted,
    CaseOpened,
    SuppressionAdded,
    SuppressionLifted,
    ThresholdChanged,
    ThresholdCleared,
)
from .retention import linked_to, redact_case_notes
from .schemas import AlertOut, CaseOut, EventOut, SuppressionOut, ThresholdOut
from .service import (
    acknowledge,
    add_suppression,
    alert_history,
    assign_case,
    backtest,
    case_history,
    dismiss,
    dismiss_case,
    escalate_case,
    get_alert,
    get_case,
    lift_suppression,
    list_alerts,
    list_cases,
    list_suppressions,
    list_thresholds,
    note_case,
    open_alert_count,
    open_case_from_alert,
    open_manual_case,
    run_tick,
    set_threshold,
    simulated_counts,
    snooze,
    suppress,
)
from .vocab import CASE_STATUSES, DEFAULT_DETECTOR, DETECTOR_NAMES, LIVE, SOURCES, STATES

__all__ = [
    "CASE_STATUSES", "DEFAULT_DETECTOR", "DETECTOR_NAMES", "LIVE", "SOURCES", "STATES", "AlertAcknowledged",
    "AlertDismissed", "AlertEscalated", "AlertOut", "AlertRaised", "AlertSnoozeExpired", "AlertSnoozed",
    "AlertSuppressed", "AlertUpdated", "CaseAssigned", "CaseDismissed", "CaseEscalated", "CaseLinked", "CaseNoted",
    "CaseOpened", "CaseOut", "EventOut", "SuppressionAdded", "SuppressionLifted", "SuppressionOut", "ThresholdChanged",
    "ThresholdCleared", "ThresholdOut", "acknowledge", "add_suppression", "alert_history", "assign_case", "backtest",
    "case_history", "dismiss", "dismiss_case", "escalate_case", "get_alert", "get_case", "lift_suppression",
    "linked_to", "list_alerts", "list_cases", "list_suppressions", "list_thresholds", "note_case", "open_alert_count",
    "open_case_from_alert", "open_manual_case", "redact_case_notes", "run_tick", "set_threshold", "simulated_counts",
    "snooze", "suppress",
]
