"""What happens to risks, as typed events on the risk's own stream (``risk:<id>``): the register's
history (who rated what, when and why) is the audit log."""

from __future__ import annotations

from ..events import DomainEvent, label
from ..i18n import Translate
from . import vocab


class RiskEvent(DomainEvent):
    subject_type = "risk"
    harm: str
    country: str


class RiskCreated(RiskEvent):
    type = "risk.created"
    title: str

    def describe(self, _: Translate) -> str:
        return _("added the risk «%(title)s» (%(harm)s, %(country)s) to the register", title=self.title,
                 harm=self.harm, country=self.country)


class RiskEdited(RiskEvent):
    type = "risk.edited"
    fields: list[str]

    def describe(self, _: Translate) -> str:
        return _("edited the risk: %(fields)s", fields=", ".join(self.fields))


class AssessmentDrafted(RiskEvent):
    type = "risk.assessment_drafted"
    number: int
    likelihood: int
    impact: int

    def describe(self, _: Translate) -> str:
        return _("drafted assessment %(n)s: likelihood %(l)s, impact %(i)s", n=self.number, l=self.likelihood,
                 i=self.impact)


class AssessmentSubmitted(RiskEvent):
    type = "risk.assessment_submitted"
    number: int

    def describe(self, _: Translate) -> str:
        return _("sent assessment %(n)s for review by policy and legal", n=self.number)


class AssessmentReviewed(RiskEvent):
    type = "risk.assessment_reviewed"
    number: int
    role: str

    def describe(self, _: Translate) -> str:
        return _("reviewed assessment %(n)s as %(role)s", n=self.number, role=self.role)


class AssessmentReturned(RiskEvent):
    type = "risk.assessment_returned"
    number: int
    comment: str

    def describe(self, _: Translate) -> str:
        return _("returned assessment %(n)s: %(comment)s", n=self.number, comment=self.comment)


class AssessmentApproved(RiskEvent):
    type = "risk.assessment_approved"
    number: int
    band: str
    previous_band: str | None = None

    def describe(self, _: Translate) -> str:
        new = label(_, vocab.BAND_LABELS, self.band)
        if self.previous_band and self.previous_band != self.band:
            return _("approved assessment %(n)s: the rating moves from %(old)s to %(new)s", n=self.number,
                     old=label(_, vocab.BAND_LABELS, self.previous_band), new=new)
        return _("approved assessment %(n)s: rated %(band)s", n=self.number, band=new)


class MitigationAdded(RiskEvent):
    type = "risk.mitigation_added"
    mitigation_id: int
    kind: str
    ref: str

    def describe(self, _: Translate) -> str:
        return _("added a mitigation: %(kind)s %(ref)s", kind=label(_, vocab.MITIGATION_LABELS, self.kind),
                 ref=self.ref)


class MitigationRemoved(RiskEvent):
    type = "risk.mitigation_removed"
    mitigation_id: int
    kind: str
    ref: str

    def describe(self, _: Translate) -> str:
        return _("removed a mitigation: %(kind)s %(ref)s", kind=label(_, vocab.MITIGATION_LABELS, self.kind),
                 ref=self.ref)


class RiskFlagged(RiskEvent):
    type = "risk.flagged"
    reasons: list[str]

    def describe(self, _: Translate) -> str:
        return _("flagged for re-assessment: %(reasons)s", reasons="; ".join(self.reasons))


class DigestEvent(DomainEvent):
    subject_type = "risk_digest"


class DigestScheduled(DigestEvent):
    type = "risk.digest_scheduled"
    enabled: bool
    weekday: int
    hour: int
    timezone: str
    recipients: int

    def describe(self, _: Translate) -> str:
        if not self.enabled:
            return _("turned the weekly digest off")
        return _("scheduled the weekly digest: day %(day)s of the week at %(hour)s:00 (%(tz)s), %(n)s recipients",
                 day=self.weekday + 1, hour=self.hour, tz=self.timezone, n=self.recipients)


class DigestSent(DigestEvent):
    type = "risk.digest_sent"
    week: str
    recipients: int

    def describe(self, _: Translate) -> str:
        return _("sent the weekly digest for %(week)s to %(n)s recipients", week=self.week, n=self.recipients)
