"""What happens to a regulator request, as typed events on the request's own stream, mirrored on
its incident's timeline when the request is linked to one.

Each kind of event is declared once as its facts and its line (``…Facts``), then twice as a
concrete type: ``request.<kind>`` on the request's stream (with the incident's ref, if any) and
``incident.request_<kind>`` (an :class:`~rapidresponse.incidents.IncidentEvent`) on the incident's.
"""

from __future__ import annotations

from .. import policy
from ..events import DomainEvent, label
from ..i18n import Translate, locale_of
from ..incidents import IncidentEvent
from .schemas import OUTCOME_LABELS


class RequestFacts(DomainEvent):
    """What every request event says about the request: which one, from whom."""

    request_id: int
    request_ref: str = ""  # events recorded before requests had references name them by id
    country: str
    regulator: str
    regulator_name: str

    @property
    def req(self) -> str:
        return self.request_ref or f"REQ-{self.request_id}"

    @property
    def sender_name(self) -> str:
        return self.regulator_name or self.regulator

    def sender_in(self, _: Translate) -> str:
        """The regulator in the reader's language, looked up by its key in the country's profile (the event
        stores its English name); the stored name when the profile no longer lists it."""
        return policy.regulator_label(self.country, self.regulator, locale_of(_)) or self.sender_name


class RequestEvent(RequestFacts):
    """An event on the request's stream; ``subject_id`` is the request's id."""

    subject_type = "regulator_request"
    incident: str | None = None


class RegisteredFacts(RequestFacts):
    sender: str
    deadline: str
    due_at: str
    items: int
    legal_basis: str

    def describe(self, _: Translate) -> str:
        return _("registered %(req)s from %(regulator)s (%(country)s); the legal clock runs", req=self.req,
                 regulator=self.sender_in(_), country=self.country)


class OutcomeFacts(RequestFacts):
    item_id: int
    position: int
    target: str
    outcome: str
    reason: str = ""

    def describe(self, _: Translate) -> str:
        return _("recorded an outcome on %(req)s: %(outcome)s", req=self.req,
                 outcome=label(_, OUTCOME_LABELS, self.outcome))


class ReplyDraftedFacts(RequestFacts):
    languages: list[str]
    sha256: str

    def describe(self, _: Translate) -> str:
        return _("drafted the reply to %(req)s", req=self.req)


class ReplyEditedFacts(RequestFacts):
    sha256: str

    def describe(self, _: Translate) -> str:
        return _("edited the reply to %(req)s", req=self.req)


class ReplySubmittedFacts(RequestFacts):
    approval_id: int
    sha256: str

    def describe(self, _: Translate) -> str:
        return _("submitted the reply to %(req)s for legal approval", req=self.req)


class ReplyRejectedFacts(RequestFacts):
    approval_id: int
    decided_by: str
    comment: str = ""

    def describe(self, _: Translate) -> str:
        return _("the reply to %(req)s was not approved", req=self.req)


class ReplySentFacts(RequestFacts):
    approval_id: int
    approved_by: str
    sha256: str
    languages: list[str]
    text: str

    def describe(self, _: Translate) -> str:
        return _("the approved reply to %(req)s was logged as sent", req=self.req)


class DeadlineWarningFacts(RequestFacts):
    percent: int
    due_at: str
    owner: str | None = None

    def describe(self, _: Translate) -> str:
        return _("%(req)s has used %(percent)s%% of its legal clock", req=self.req, percent=self.percent)


class BreachedFacts(RequestFacts):
    due_at: str
    escalated_to: list[str]
    escalation: int = 1  # the first on breach, then one per cadence until the request is answered

    def describe(self, _: Translate) -> str:
        if self.escalation > 1:
            return _("%(req)s is still unanswered past its legal deadline; legal was escalated again "
                     "(escalation %(n)s)", req=self.req, n=self.escalation)
        return _("the legal deadline of %(req)s passed; legal was escalated", req=self.req)


# --- on the request's stream ---------------------------------------------------------------------

class Registered(RequestEvent, RegisteredFacts):
    type = "request.registered"


class OutcomeRecorded(RequestEvent, OutcomeFacts):
    type = "request.outcome"


class ReplyDrafted(RequestEvent, ReplyDraftedFacts):
    type = "request.reply_drafted"


class ReplyEdited(RequestEvent, ReplyEditedFacts):
    type = "request.reply_edited"


class ReplySubmitted(RequestEvent, ReplySubmittedFacts):
    type = "request.reply_submitted"


class ReplyRejected(RequestEvent, ReplyRejectedFacts):
    type = "request.reply_rejected"


class ReplySent(RequestEvent, ReplySentFacts):
    type = "request.reply_sent"


class DeadlineWarning(RequestEvent, DeadlineWarningFacts):
    type = "request.deadline_warning"


class Breached(RequestEvent, BreachedFacts):
    type = "request.breached"


# --- on the linked incident's timeline -----------------------------------------------------------

class IncidentRequestRegistered(IncidentEvent, RegisteredFacts):
    type = "incident.request_registered"


class IncidentRequestOutcome(IncidentEvent, OutcomeFacts):
    type = "incident.request_outcome"


class IncidentReplyDrafted(IncidentEvent, ReplyDraftedFacts):
    type = "incident.request_reply_drafted"


class IncidentReplyEdited(IncidentEvent, ReplyEditedFacts):
    type = "incident.request_reply_edited"


class IncidentReplySubmitted(IncidentEvent, ReplySubmittedFacts):
    type = "incident.request_reply_submitted"


class IncidentReplyRejected(IncidentEvent, ReplyRejectedFacts):
    type = "incident.request_reply_rejected"


class IncidentReplySent(IncidentEvent, ReplySentFacts):
    type = "incident.request_reply_sent"


class IncidentDeadlineWarning(IncidentEvent, DeadlineWarningFacts):
    type = "incident.request_deadline_warning"


class IncidentBreached(IncidentEvent, BreachedFacts):
    type = "incident.request_breached"


ON_INCIDENT: dict[type[RequestEvent], type[IncidentEvent]] = {
    Registered: IncidentRequestRegistered, OutcomeRecorded: IncidentRequestOutcome, ReplyDrafted: IncidentReplyDrafted,
    ReplyEdited: IncidentReplyEdited, ReplySubmitted: IncidentReplySubmitted, ReplyRejected: IncidentReplyRejected,
    ReplySent: IncidentReplySent, DeadlineWarning: IncidentDeadlineWarning, Breached: IncidentBreached,
}
