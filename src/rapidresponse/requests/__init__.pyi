"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import (
    Breached,
    DeadlineWarning,
    IncidentBreached,
    IncidentDeadlineWarning,
    IncidentReplyDrafted,
    IncidentReplyEdited,
    IncidentReplyRejected,
    IncidentReplySent,
    IncidentReplySubmitted,
    IncidentRequestOutcome,
    IncidentRequestRegistered,
    OutcomeRecorded,
    Registered,
    ReplyDrafted,
    ReplyEdited,
    ReplyRejected,
    ReplySent,
    ReplySubmitted,
    RequestEvent,
)
from .replies import draft_reply, edit_reply, reply_text, submit_reply
from .schemas import (
    OUTCOME_LABELS,
    ClockOut,
    ItemOut,
    Outcome,
    OutcomeIn,
    ReplyEdit,
    ReplyOut,
    RequestCreate,
    RequestFilter,
    RequestOut,
    RequestPage,
)
from .service import for_incident, get, incident_rules, list_requests, open_clocks, register, set_outcome

__all__ = [
    "OUTCOME_LABELS", "Breached", "ClockOut", "DeadlineWarning", "IncidentBreached", "IncidentDeadlineWarning",
    "IncidentReplyDrafted", "IncidentReplyEdited", "IncidentReplyRejected", "IncidentReplySent",
    "IncidentReplySubmitted", "IncidentRequestOutcome", "IncidentRequestRegistered", "ItemOut", "Outcome",
    "OutcomeIn", "OutcomeRecorded", "Registered", "ReplyDrafted", "ReplyEdit", "ReplyEdited", "ReplyOut",
    "ReplyRejected", "ReplySent", "ReplySubmitted", "RequestCreate", "RequestEvent", "RequestFilter", "RequestOut",
    "RequestPage", "draft_reply", "edit_reply", "for_incident", "get", "incident_rules", "list_requests",
    "open_clocks", "register", "reply_text", "set_outcome", "submit_reply",
]
