"""Approval gates: a text goes out only once the required role approved exactly that text.

The public surface: other domains ask for approvals and react to decisions through what is exported
here (the services return :class:`ApprovalOut`, never the table). Importing the package registers
the notices to approvers and authors.
"""

from . import subscribers
from .events import Decided, IncidentApprovalDecided, Requested, Superseded
from .schemas import ApprovalOut
from .service import (
    KINDS,
    ROLES,
    approved_text,
    decide,
    get,
    inbox,
    latest,
    may_decide,
    pending_count,
    request,
    supersede,
    text_sha256,
)

__all__ = ["KINDS", "ROLES", "ApprovalOut", "Decided", "IncidentApprovalDecided", "Requested", "Superseded",
           "approved_text", "decide", "get", "inbox", "latest", "may_decide", "pending_count", "request",
           "subscribers", "supersede", "text_sha256"]
