"""What approval gates record: each change on the approval's own stream, mirrored on its incident's
timeline when the text belongs to an incident.

Each kind of event is declared once as its facts and its line (``…Facts``), then twice as a
concrete type: ``approval.<kind>`` on the approval's stream and ``incident.approval_<kind>`` (an
:class:`~rapidresponse.incidents.IncidentEvent`) on the incident's.
"""

from __future__ import annotations

from ..events import DomainEvent, label
from ..i18n import Translate
from ..incidents import ROLE_LABELS, IncidentEvent


class ApprovalFacts(DomainEvent):
    """What every approval event says about the approval: which text of what, for whom."""

    approval_id: int
    kind: str
    about_type: str  # what the text belongs to (a stakeholder update, a regulator reply…)
    about_id: str
    title: str
    required_role: str


class RequestedFacts(ApprovalFacts):
    text_sha256: str
    asked: str = ""  # the one person it was routed to (a username), if any
    asked_name: str = ""

    def describe(self, _: Translate) -> str:
        if self.asked:
            return _("asked %(name)s (%(role)s) to approve “%(title)s”", name=self.asked_name or self.asked,
                     role=label(_, ROLE_LABELS, self.required_role), title=self.title)
        return _("asked %(role)s to approve “%(title)s”", role=label(_, ROLE_LABELS, self.required_role),
                 title=self.title)


class DecidedFacts(ApprovalFacts):
    decision: str
    text_sha256: str
    comment: str = ""

    def describe(self, _: Translate) -> str:
        if self.decision == "approved":
            return _("approved “%(title)s”", title=self.title)
        return _("rejected “%(title)s”: %(comment)s", title=self.title, comment=self.comment)


class SupersededFacts(ApprovalFacts):
    previous: str
    reason: str

    def describe(self, _: Translate) -> str:
        return _("voided the approval of “%(title)s” (%(reason)s)", title=self.title, reason=self.reason)


class ApprovalEvent(ApprovalFacts):
    """An event on the approval's stream; ``subject_id`` is the approval's id."""

    subject_type = "approval"


class Requested(ApprovalEvent, RequestedFacts):
    type = "approval.requested"


class Decided(ApprovalEvent, DecidedFacts):
    type = "approval.decided"


class Superseded(ApprovalEvent, SupersededFacts):
    type = "approval.superseded"


class IncidentApprovalRequested(IncidentEvent, RequestedFacts):
    type = "incident.approval_requested"


class IncidentApprovalDecided(IncidentEvent, DecidedFacts):
    type = "incident.approval_decided"


class IncidentApprovalSuperseded(IncidentEvent, SupersededFacts):
    type = "incident.approval_superseded"


ON_INCIDENT: dict[type[ApprovalEvent], type[IncidentEvent]] = {
    Requested: IncidentApprovalRequested, Decided: IncidentApprovalDecided, Superseded: IncidentApprovalSuperseded,
}
