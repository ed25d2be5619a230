"""What playbooks record: a team's saved version on the playbook's own stream, and on the incident's
timeline the playbook applied (or not), its conditions and escalations, the reminders its timers
sent, and the stakeholder updates composed from its templates."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from ..events import DomainEvent, label
from ..i18n import N_, Translate
from ..incidents import ROLE_LABELS, IncidentEvent

CONDITION_LABELS: dict[str, str] = {
    "minors_involved": N_("Minors involved"), "regulator_involved": N_("A regulator is involved"),
    "imminent_threat_to_life": N_("Imminent threat to life"),
    "law_enforcement_involved": N_("Law enforcement is involved"), "livestream": N_("Livestream"),
    "cross_border": N_("Crosses borders"), "media_attention": N_("Media attention"),
    "election_period": N_("Election period"), "staff_safety": N_("Staff safety"),
}
"""The conditions a playbook's escalations fire on, as an incident's timeline names them."""


class PlaybookSaved(DomainEvent):
    """A team saved a version of a playbook (``subject_id`` is the playbook's id)."""

    type = "playbook.saved"
    subject_type = "playbook"
    version: str
    version_id: int
    sha256: str

    def describe(self, _: Translate) -> str:
        return _("saved version %(version)s of the playbook %(playbook)s", version=self.version,
                 playbook=self.subject_id)


# --- the run on an incident ---------------------------------------------------------------------

class PlaybookApplied(IncidentEvent):
    type = "incident.playbook_applied"
    playbook: str
    version: str
    version_id: int
    replaced: int | None = None
    tasks: int
    roles_requested: list[str] = []
    next_update_due_at: datetime | None = None

    def describe(self, _: Translate) -> str:
        return _("applied the playbook %(playbook)s %(version)s (%(tasks)s tasks)", playbook=self.playbook,
                 version=self.version, tasks=self.tasks)


class PlaybookFailed(IncidentEvent):
    """The playbook of a declared incident's type could not be applied (the declaration stands)."""

    type = "incident.playbook_failed"
    error: str

    def describe(self, _: Translate) -> str:
        return _("could not apply a playbook: %(error)s", error=self.error)


class ConditionsSet(IncidentEvent):
    type = "incident.playbook_conditions"
    added: list[str] = []
    removed: list[str] = []
    conditions: list[str]

    def describe(self, _: Translate) -> str:
        named = ", ".join(label(_, CONDITION_LABELS, c) for c in self.conditions)
        return _("set the conditions: %(conditions)s", conditions=named or "—")


class Escalated(IncidentEvent):
    """A condition fired one of the playbook's escalations: pull in a role or a team."""

    type = "incident.playbook_escalated"
    escalation: str
    condition: str
    role: str | None = None
    team: str | None = None
    within_minutes: int
    task_id: int | None = None
    already_present: bool = False

    def describe(self, _: Translate) -> str:
        condition = label(_, CONDITION_LABELS, self.condition)
        if self.role:
            return _("escalated (%(condition)s): pull in %(target)s within %(minutes)s min", condition=condition,
                     target=label(_, ROLE_LABELS, self.role), minutes=self.within_minutes)
        return _("escalated (%(condition)s): pull in the team %(team)s within %(minutes)s min", condition=condition,
                 team=self.team or "", minutes=self.within_minutes)


# --- reminders ----------------------------------------------------------------------------------

class StepReminder(IncidentEvent):
    """What a reminder about a playbook step says about it."""

    timeline = "tasks"
    task_id: int
    title: str
    step: str
    due_at: datetime


class TaskDueSoon(StepReminder):
    type = "incident.task_due_soon"

    def describe(self, _: Translate) -> str:
        return _("reminded the owner that “%(title)s” is due soon", title=self.title)


class TaskOverdue(StepReminder):
    type = "incident.task_overdue"

    def describe(self, _: Translate) -> str:
        return _("told the commander that “%(title)s” is overdue", title=self.title)


class UpdateDue(IncidentEvent):
    type = "incident.update_due"
    due_at: datetime

    def describe(self, _: Translate) -> str:
        return _("reminded the comms lead that a stakeholder update is due")


class UpdateOverdue(IncidentEvent):
    type = "incident.update_overdue"
    due_at: datetime

    def describe(self, _: Translate) -> str:
        return _("told the commander that the stakeholder update is overdue")


# --- stakeholder updates ------------------------------------------------------------------------

class UpdateFacts(IncidentEvent):
    """What every event of a stakeholder update says about it (its subject line is stored as ``subject``)."""

    update_id: int
    audience: str
    language: str
    headline: str = Field(alias="subject")


class UpdateDrafted(UpdateFacts):
    type = "incident.update_drafted"

    def describe(self, _: Translate) -> str:
        return _("drafted an update for %(audience)s: “%(subject)s”", audience=self.audience, subject=self.headline)


class UpdateEdited(UpdateFacts):
    type = "incident.update_edited"
    approval_voided: bool = False

    def describe(self, _: Translate) -> str:
        return _("edited the update “%(subject)s”", subject=self.headline)


class UpdateSent(UpdateFacts):
    type = "incident.update_sent"
    body: str
    recipients: int

    def describe(self, _: Translate) -> str:
        return _("sent the update “%(subject)s” to %(audience)s", subject=self.headline, audience=self.audience)
