"""What is recorded of wellness in the audit log: changes to settings, budgets, surges and support
resources. Exposure and check-ins record no event: the log feeds the analytics warehouse, and
neither may reach it under a name."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate


class WellnessEvent(DomainEvent):
    subject_type = "wellness"


class ViewingChanged(WellnessEvent):
    type = "wellness.viewing_changed"

    def describe(self, _: Translate) -> str:
        return _("changed their safe-viewing settings")


class BudgetChanged(WellnessEvent):
    type = "wellness.budget_changed"
    intensity: str
    person: str | None = None
    daily_minutes: int | None = None
    weekly_minutes: int | None = None
    cleared: bool = False

    def describe(self, _: Translate) -> str:
        if self.cleared:
            return _("returned %(person)s to the team's %(intensity)s exposure budget", person=self.person,
                     intensity=self.intensity)
        limits = _("%(day)s min a day, %(week)s min a week", day=self.daily_minutes or "∞",
                   week=self.weekly_minutes or "∞")
        if self.person:
            return _("set %(person)s's %(intensity)s exposure budget: %(limits)s", person=self.person,
                     intensity=self.intensity, limits=limits)
        return _("set the team's %(intensity)s exposure budget: %(limits)s", intensity=self.intensity, limits=limits)


class SurgeStarted(WellnessEvent):
    type = "wellness.surge_started"
    factor: float
    hours: int
    reason: str
    incident_ref: str | None = None

    def describe(self, _: Translate) -> str:
        return _("raised exposure limits ×%(factor)s for %(hours)s h: %(reason)s", factor=self.factor,
                 hours=self.hours, reason=self.reason)


class SurgeEnded(WellnessEvent):
    type = "wellness.surge_ended"

    def describe(self, _: Translate) -> str:
        return _("ended the surge: exposure limits are back to normal")


class ResourcesChanged(WellnessEvent):
    type = "wellness.resources_changed"
    title: str
    removed: bool = False

    def describe(self, _: Translate) -> str:
        if self.removed:
            return _("removed the support resource «%(title)s»", title=self.title)
        return _("added the support resource «%(title)s»", title=self.title)
