"""What detection records: each alert's life on ``alert:<id>``, each triage case's on ``case:<id>``,
suppression rules on ``suppression:<id>``, threshold changes on ``detection:thresholds``, and on the
incident's timeline the triage case that was escalated into it (or linked to it)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..events import DomainEvent
from ..i18n import Translate
from ..incidents import IncidentEvent

# --- alerts -----------------------------------------------------------------------------------------


class AlertEvent(DomainEvent):
    """``series`` is the alert's ``harm/country/language``."""

    subject_type = "alert"
    series: str


class AlertRaised(AlertEvent):
    type = "alert.raised"
    bucket: datetime
    score: float
    observed: int
    expected: float
    threshold: float

    def describe(self, _: Translate) -> str:
        expected = round(self.expected, 1)
        return _("raised an alert on %(series)s: %(observed)s reports where %(expected)s were expected",
                 series=self.series, observed=self.observed, expected=expected)


class AlertUpdated(AlertEvent):
    type = "alert.updated"
    bucket: datetime
    score: float
    observed: int

    def describe(self, _: Translate) -> str:
        return _("the series %(series)s crossed its threshold again: %(observed)s reports", series=self.series,
                 observed=self.observed)


class AlertSnoozeExpired(AlertEvent):
    type = "alert.snooze_expired"
    until: datetime | None = None

    def describe(self, _: Translate) -> str:
        return _("the snooze of the alert on %(series)s ran out", series=self.series)


class AlertAcknowledged(AlertEvent):
    type = "alert.acknowledged"

    def describe(self, _: Translate) -> str:
        return _("acknowledged the alert on %(series)s", series=self.series)


class AlertSnoozed(AlertEvent):
    type = "alert.snoozed"
    until: datetime
    reason: str

    def describe(self, _: Translate) -> str:
        return _("snoozed the alert on %(series)s: %(reason)s", series=self.series, reason=self.reason)


class AlertSuppressed(AlertEvent):
    type = "alert.suppressed"
    rule: int
    reason: str
    expires_at: datetime

    def describe(self, _: Translate) -> str:
        return _("suppressed the alert on %(series)s: %(reason)s", series=self.series, reason=self.reason)


class AlertDismissed(AlertEvent):
    type = "alert.dismissed"
    reason: str

    def describe(self, _: Translate) -> str:
        return _("dismissed the alert on %(series)s: %(reason)s", series=self.series, reason=self.reason)


class AlertEscalated(AlertEvent):
    type = "alert.escalated"
    case: int

    def describe(self, _: Translate) -> str:
        return _("opened triage case #%(case)s from the alert on %(series)s", case=self.case, series=self.series)


# --- suppression rules and thresholds ---------------------------------------------------------------


class SuppressionAdded(DomainEvent):
    type = "detection.suppression_added"
    subject_type = "suppression"
    harm: str
    country: str
    language: str
    reason: str
    expires_at: datetime

    def describe(self, _: Translate) -> str:
        series = "/".join((self.harm, self.country, self.language))
        return _("suppressed alerts on %(series)s: %(reason)s", series=series, reason=self.reason)


class SuppressionLifted(DomainEvent):
    type = "detection.suppression_lifted"
    subject_type = "suppression"

    def describe(self, _: Translate) -> str:
        return _("lifted the suppression")


class ThresholdEvent(DomainEvent):
    """On the one stream of threshold changes (``subject_id`` is ``thresholds``)."""

    subject_type = "detection"
    family: str
    previous: float | None = Field(default=None, alias="from")


class ThresholdChanged(ThresholdEvent):
    type = "detection.threshold_changed"
    to: float

    def describe(self, _: Translate) -> str:
        return _("set the alert threshold of %(family)s to %(value)s", family=self.family, value=self.to)


class ThresholdCleared(ThresholdEvent):
    type = "detection.threshold_cleared"

    def describe(self, _: Translate) -> str:
        return _("cleared the alert threshold of %(family)s (the default applies)", family=self.family)


# --- triage cases -----------------------------------------------------------------------------------


class CaseEvent(DomainEvent):
    subject_type = "case"


class CaseOpened(CaseEvent):
    """From an alert (``alert`` and ``series`` set) or from a manual report (``title`` set)."""

    type = "case.opened"
    source: str
    alert: int | None = None
    series: str | None = None
    title: str | None = None

    def describe(self, _: Translate) -> str:
        if self.alert is not None:
            return _("opened the case from alert #%(alert)s", alert=self.alert)
        return _("opened the case “%(title)s” (%(source)s)", title=self.title or "", source=self.source)


class CaseAssigned(CaseEvent):
    type = "case.assigned"
    username: str

    def describe(self, _: Translate) -> str:
        return _("assigned the case to %(user)s", user=self.username)


class CaseNoted(CaseEvent):
    type = "case.note"
    body: str

    def describe(self, _: Translate) -> str:
        return _("added a note to the case")


class CaseDismissed(CaseEvent):
    type = "case.dismissed"
    reason: str

    def describe(self, _: Translate) -> str:
        return _("dismissed the case: %(reason)s", reason=self.reason)


class CaseEscalated(CaseEvent):
    type = "case.escalated"
    incident: int
    linked: bool

    def describe(self, _: Translate) -> str:
        return _("linked the case to an incident") if self.linked else _("declared an incident from the case")


class CaseLinked(IncidentEvent):
    """On the incident's timeline: the triage case it was declared from (or that was linked to it)."""

    type = "incident.case_linked"
    case: int
    source: str
    series: list[str] = []
    signals: int = 0
    signal_ids: list[int] = []
    alert: int | None = None
    linked: bool = False

    def describe(self, _: Translate) -> str:
        text = (_("linked triage case #%(case)s", case=self.case) if self.linked
                else _("declared from triage case #%(case)s", case=self.case))
        if not self.series:
            return text
        return _("%(text)s (series %(series)s, %(n)s signals)", text=text, series=", ".join(self.series),
                 n=self.signals)
