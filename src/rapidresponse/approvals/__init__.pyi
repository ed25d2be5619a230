"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import Decided, IncidentApprovalDecided, Requested, Superseded
from .schemas import ApprovalOut
from .service import (
    KINDS,
    ROLES,
    RequestCheck,
    Submission,
    approved_text,
    approvers,
    decide,
    get,
    inbox,
    latest,
    may_decide,
    pending_count,
    request,
    request_check,
    supersede,
    text_sha256,
)

__all__ = [
    "KINDS", "ROLES", "ApprovalOut", "Decided", "IncidentApprovalDecided", "RequestCheck", "Requested", "Submission",
    "Superseded", "approved_text", "approvers", "decide", "get", "inbox", "latest", "may_decide", "pending_count",
    "request", "request_check", "supersede", "text_sha256",
]
