"""What on-call records: changes to teams, schedules and escalation policies (on their own streams)
and each page's life. A page about an incident goes on the incident's timeline (``incident.page_*``,
under "people"); a page about nothing else goes on the page's own stream (``oncall.page_*``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..events import DomainEvent
from ..i18n import Translate
from ..incidents import IncidentEvent

# --- teams, schedules and policies ----------------------------------------------------------------


class TeamEvent(DomainEvent):
    """An event of an on-call team; ``subject_id`` is the team's id."""

    subject_type = "oncall_team"


class TeamCreated(TeamEvent):
    type = "oncall.team_created"
    name: str

    def describe(self, _: Translate) -> str:
        return _("created the on-call team %(name)s", name=self.name)


class TeamUpdated(TeamEvent):
    type = "oncall.team_updated"
    changed: list[str]

    def describe(self, _: Translate) -> str:
        return _("changed the on-call team (%(fields)s)", fields=", ".join(self.changed))


class RouteAdded(TeamEvent):
    type = "oncall.route_added"
    route_id: int
    policy: str
    incident_types: list[str] = []
    countries: list[str] = []
    languages: list[str] = []
    min_severity: int

    def describe(self, _: Translate) -> str:
        return _("added a routing rule to the policy %(policy)s (SEV%(sev)s and worse)", policy=self.policy,
                 sev=self.min_severity)


class RouteRemoved(TeamEvent):
    type = "oncall.route_removed"
    route_id: int

    def describe(self, _: Translate) -> str:
        return _("removed a routing rule")


class ScheduleEvent(DomainEvent):
    """An event of a schedule (its layers, overrides and swaps); ``subject_id`` is the schedule's id."""

    subject_type = "oncall_schedule"


class ScheduleCreated(ScheduleEvent):
    type = "oncall.schedule_created"
    name: str
    team: str

    def describe(self, _: Translate) -> str:
        return _("created the schedule %(name)s of %(team)s", name=self.name, team=self.team)


class LayerAdded(ScheduleEvent):
    type = "oncall.layer_added"
    layer_id: int
    name: str
    level: int
    users: list[str]

    def describe(self, _: Translate) -> str:
        return _("added the layer %(name)s (level %(level)s)", name=self.name, level=self.level)


class LayerChanged(ScheduleEvent):
    type = "oncall.layer_changed"
    layer_id: int
    name: str
    level: int
    users: list[str]

    def describe(self, _: Translate) -> str:
        return _("changed the layer %(name)s (level %(level)s)", name=self.name, level=self.level)


class LayerRemoved(ScheduleEvent):
    type = "oncall.layer_removed"
    layer_id: int
    name: str

    def describe(self, _: Translate) -> str:
        return _("removed the layer %(name)s", name=self.name)


class OverrideAdded(ScheduleEvent):
    type = "oncall.override_added"
    override_id: int
    username: str
    starts_at: datetime
    ends_at: datetime
    swap_id: int | None = None

    def describe(self, _: Translate) -> str:
        return _("added an override for %(user)s", user=self.username)


class OverrideRemoved(ScheduleEvent):
    type = "oncall.override_removed"
    override_id: int

    def describe(self, _: Translate) -> str:
        return _("removed an override")


class SwapRequested(ScheduleEvent):
    type = "oncall.swap_requested"
    swap_id: int
    target: str
    starts_at: datetime
    ends_at: datetime

    def describe(self, _: Translate) -> str:
        return _("asked %(user)s to take a shift", user=self.target)


class SwapDecided(ScheduleEvent):
    """The person asked took the shift, or said no, or the one who asked withdrew."""

    swap_id: int


class SwapAccepted(SwapDecided):
    type = "oncall.swap_accepted"

    def describe(self, _: Translate) -> str:
        return _("accepted a shift swap")


class SwapDeclined(SwapDecided):
    type = "oncall.swap_declined"

    def describe(self, _: Translate) -> str:
        return _("declined a shift swap")


class SwapCancelled(SwapDecided):
    type = "oncall.swap_cancelled"

    def describe(self, _: Translate) -> str:
        return _("cancelled a shift swap")


SWAP_DECIDED: dict[str, type[SwapDecided]] = {
    "accepted": SwapAccepted, "declined": SwapDeclined, "cancelled": SwapCancelled}


class PolicyEvent(DomainEvent):
    """An event of an escalation policy; ``subject_id`` is the policy's id."""

    subject_type = "oncall_policy"
    name: str
    steps: list[dict[str, Any]]
    repeat: int


class PolicyCreated(PolicyEvent):
    type = "oncall.policy_created"

    def describe(self, _: Translate) -> str:
        return _("created the escalation policy %(name)s", name=self.name)


class PolicyChanged(PolicyEvent):
    type = "oncall.policy_changed"

    def describe(self, _: Translate) -> str:
        return _("changed the escalation policy %(name)s", name=self.name)


# --- pages ----------------------------------------------------------------------------------------


class PageFacts(DomainEvent):
    """What every page event says: which page, of which team."""

    page_id: int
    team_id: int
    team: str


def _people(_: Translate, notified: list[str]) -> str:
    return ", ".join(notified) or _("nobody is on call")


def _unreachable(_: Translate, text: str, people: list[str]) -> str:
    if not people:
        return text
    return text + " — " + _("no working contact method: %(people)s", people=", ".join(people))


class TriggeredFacts(PageFacts):
    people = ("notified", "unreachable")
    policy: str
    notified: list[str] = []
    step: int = 0
    unreachable: list[str] = []

    def describe(self, _: Translate) -> str:
        return _unreachable(_, _("paged %(team)s: %(people)s", team=self.team, people=_people(_, self.notified)),
                            self.unreachable)


class EscalatedFacts(PageFacts):
    """The page moved to its next step, reached someone who just took the step's role
    (``role_filled``), or went through every step (``exhausted``)."""

    people = ("notified", "unreachable")

    exhausted: bool = False
    step: int | None = None
    cycle: int | None = None
    notified: list[str] = []
    reason: str = ""
    role_filled: str | None = None
    unreachable: list[str] = []

    def describe(self, _: Translate) -> str:
        if self.exhausted:
            return _("the page to %(team)s went through every step without an acknowledgement", team=self.team)
        return _unreachable(_, _("escalated the page to %(team)s, step %(step)s: %(people)s", team=self.team,
                                 step=(self.step or 0) + 1, people=_people(_, self.notified)), self.unreachable)


class AcknowledgedFacts(PageFacts):
    via: str
    seconds_to_ack: int
    step: int

    def describe(self, _: Translate) -> str:
        return _("acknowledged the page to %(team)s after %(minutes)s min", team=self.team,
                 minutes=round(self.seconds_to_ack / 60, 1))


class ResolvedFacts(PageFacts):
    reason: str

    def describe(self, _: Translate) -> str:
        return _("resolved the page to %(team)s", team=self.team)


class PageEvent(PageFacts):
    """An event of a page about no incident; ``subject_id`` is the page's id."""

    subject_type = "oncall_page"


class PageTriggered(PageEvent, TriggeredFacts):
    type = "oncall.page_triggered"


class PageEscalated(PageEvent, EscalatedFacts):
    type = "oncall.page_escalated"


class PageAcknowledged(PageEvent, AcknowledgedFacts):
    type = "oncall.page_acknowledged"


class PageResolved(PageEvent, ResolvedFacts):
    type = "oncall.page_resolved"


class IncidentPageTriggered(IncidentEvent, TriggeredFacts):
    type = "incident.page_triggered"
    timeline = "people"


class IncidentPageEscalated(IncidentEvent, EscalatedFacts):
    type = "incident.page_escalated"
    timeline = "people"


class IncidentPageAcknowledged(IncidentEvent, AcknowledgedFacts):
    type = "incident.page_acknowledged"
    timeline = "people"


class IncidentPageResolved(IncidentEvent, ResolvedFacts):
    type = "incident.page_resolved"
    timeline = "people"


PAGE_EVENTS: dict[str, tuple[type[PageEvent], type[IncidentEvent]]] = {
    "triggered": (PageTriggered, IncidentPageTriggered),
    "escalated": (PageEscalated, IncidentPageEscalated),
    "acknowledged": (PageAcknowledged, IncidentPageAcknowledged),
    "resolved": (PageResolved, IncidentPageResolved),
}
"""Each step of a page's life: its event on the page's own stream and on its incident's timeline."""


# --- a person's calendar feed ---------------------------------------------------------------------

class FeedEvent(DomainEvent):
    """A change to a person's calendar-feed link; ``subject_id`` is the person's user id."""

    subject_type = "oncall_feed"


class FeedReissued(FeedEvent):
    type = "oncall.feed_reissued"

    def describe(self, _: Translate) -> str:
        return _("issued a new calendar feed link (the old one no longer works)")


class FeedRevoked(FeedEvent):
    type = "oncall.feed_revoked"

    def describe(self, _: Translate) -> str:
        return _("revoked the calendar feed link")
