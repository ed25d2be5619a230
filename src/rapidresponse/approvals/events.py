"""What approval gates record: each change on the approval's own stream, mirrored on its incident's
timeline when the text belongs to an incident."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate
from ..incidents import IncidentEvent


class ApprovalFacts(DomainEvent):
    """What every approval event says about the approval: which text of what, for whom."""

    approval_id: int
    kind: str
    about_type: str  # what the text belongs to (a stakeholder update, a regulator reply…)
    about_id: str
    title: str
    required_role: str


class ApprovalEvent(ApprovalFacts):
    subject_type = "approval"


class Requested(ApprovalEvent):
    type = "approval.requested"
    text_sha256: str

    def describe(self, _: Translate) -> str:
        return _("asked %(role)s to approve “%(title)s”", role=self.required_role, title=self.title)


class Decided(ApprovalEvent):
    type = "approval.decided"
    decision: str
    text_sha256: str
    comment: str = ""

    def describe(self, _: Translate) -> str:
        if self.decision == "approved":
            return _("approved “%(title)s”", title=self.title)
        return _("rejected “%(title)s”: %(comment)s", title=self.title, comment=self.comment)


class Superseded(ApprovalEvent):
    type = "approval.superseded"
    previous: str
    reason: str

    def describe(self, _: Translate) -> str:
        return _("voided the approval of “%(title)s” (%(reason)s)", title=self.title, reason=self.reason)


class IncidentApprovalRequested(IncidentEvent, ApprovalFacts):
    type = "incident.approval_requested"
    text_sha256: str

    def describe(self, _: Translate) -> str:
        return _("asked %(role)s to approve “%(title)s”", role=self.required_role, title=self.title)


class IncidentApprovalDecided(IncidentEvent, ApprovalFacts):
    type = "incident.approval_decided"
    decision: str
    text_sha256: str
    comment: str = ""

    def describe(self, _: Translate) -> str:
        if self.decision == "approved":
            return _("approved “%(title)s”", title=self.title)
        return _("rejected “%(title)s”: %(comment)s", title=self.title, comment=self.comment)


class IncidentApprovalSuperseded(IncidentEvent, ApprovalFacts):
    type = "incident.approval_superseded"
    previous: str
    reason: str

    def describe(self, _: Translate) -> str:
        return _("voided the approval of “%(title)s” (%(reason)s)", title=self.title, reason=self.reason)


ON_INCIDENT: dict[type[ApprovalEvent], type[IncidentEvent]] = {
    Requested: IncidentApprovalRequested, Decided: IncidentApprovalDecided, Superseded: IncidentApprovalSuperseded,
}
