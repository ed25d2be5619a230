"""What reviews record: on the incident's timeline (``incident.review_*``, ``incident.action_item_*``,
``incident.recurrence_linked``), so that the review's own history sits with the incident it is about."""

from __future__ import annotations

from ..events import label
from ..i18n import Translate
from ..incidents import ROLE_LABELS, IncidentEvent
from . import vocab


class ReviewEvent(IncidentEvent):
    timeline = "status"
    review_id: int


class ReviewDrafted(ReviewEvent):
    type = "incident.review_drafted"
    moments: int

    def describe(self, _: Translate) -> str:
        return _("drafted the post-incident review (%(n)s key moments)", n=self.moments)


class ReviewEdited(ReviewEvent):
    type = "incident.review_edited"
    fields: list[str]

    def describe(self, _: Translate) -> str:
        return _("edited the review: %(fields)s", fields=", ".join(
            label(_, vocab.SECTION_LABELS, f) for f in self.fields))


class ReviewStateChanged(ReviewEvent):
    type = "incident.review_state_changed"
    previous: str
    to: str

    def describe(self, _: Translate) -> str:
        return _("moved the review from %(old)s to %(new)s", old=label(_, vocab.STATE_LABELS, self.previous),
                 new=label(_, vocab.STATE_LABELS, self.to))


class ReviewSignedOff(ReviewEvent):
    type = "incident.review_signed_off"
    role: str

    def describe(self, _: Translate) -> str:
        return _("signed the review off as %(role)s", role=label(_, ROLE_LABELS, self.role))


class ReviewFeedbackGiven(ReviewEvent):
    type = "incident.review_feedback"
    anonymous: bool

    def describe(self, _: Translate) -> str:
        return _("gave anonymous feedback on the response") if self.anonymous else _("gave feedback on the response")


class CriterionDecided(ReviewEvent):
    type = "incident.exit_criterion"
    position: int
    state: str
    reason: str = ""

    def describe(self, _: Translate) -> str:
        if self.state == "waived":
            return _("waived exit criterion %(n)s: %(reason)s", n=self.position, reason=self.reason)
        if self.state == "met":
            return _("marked exit criterion %(n)s as met", n=self.position)
        return _("reopened exit criterion %(n)s", n=self.position)


class ActionItemAdded(ReviewEvent):
    type = "incident.action_item_added"
    item_id: int
    title: str
    kind: str
    owner: str | None = None

    def describe(self, _: Translate) -> str:
        return _("added the action item “%(title)s” (%(kind)s)", title=self.title,
                 kind=label(_, vocab.KIND_LABELS, self.kind))


class ActionItemUpdated(ReviewEvent):
    type = "incident.action_item_updated"
    item_id: int
    title: str
    changes: dict[str, str]

    def describe(self, _: Translate) -> str:
        status = self.changes.get("status")
        if status:
            return _("set the action item “%(title)s” to %(status)s", title=self.title,
                     status=label(_, vocab.ITEM_STATUS_LABELS, status))
        return _("changed the action item “%(title)s”: %(fields)s", title=self.title,
                 fields=", ".join(sorted(self.changes)))


class ActionItemOverdue(ReviewEvent):
    type = "incident.action_item_overdue"
    item_id: int
    title: str
    escalated: bool

    def describe(self, _: Translate) -> str:
        if self.escalated:
            return _("the action item “%(title)s” is still overdue: told the commander", title=self.title)
        return _("the action item “%(title)s” is overdue: reminded its owner", title=self.title)


class RecurrenceLinked(IncidentEvent):
    type = "incident.recurrence_linked"
    timeline = "status"
    other: str  # the earlier incident (hidden, like a link, from whoever may not see it)
    harm: str
    country: str

    def describe(self, _: Translate) -> str:
        return _("recurs: %(harm)s in %(country)s was reviewed in %(earlier)s", harm=self.harm, country=self.country,
                 earlier=self.other)
