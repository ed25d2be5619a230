"""What happens to an incident, as typed events on the incident's own stream (its timeline).

Other domains record on the incident's stream too (a page sent, a playbook applied, a regulator
request registered): their events subclass :class:`IncidentEvent`, which gives them the incident's
``ref`` and a place in the timeline's filters (:attr:`IncidentEvent.timeline`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from ..events import DomainEvent, label
from ..i18n import Translate
from . import vocab


class IncidentEvent(DomainEvent):
    """An event on an incident's stream; ``subject_id`` is the incident's id."""

    subject_type = "incident"
    timeline: ClassVar[str | None] = None
    """The timeline filter that shows it: notes, status, people, tasks, severity, access (None: all only)."""
    ref: str


class Declared(IncidentEvent):
    type = "incident.declared"
    timeline = "status"
    title: str
    incident_type: str = Field(alias="type")
    severity: int
    restricted: bool
    countries: list[str] = []
    languages: list[str] = []

    def describe(self, _: Translate) -> str:
        return _("declared the incident “%(title)s” (SEV%(sev)s, %(type)s)", title=self.title, sev=self.severity,
                 type=label(_, vocab.TYPE_LABELS, self.incident_type))


class StatusChanged(IncidentEvent):
    type = "incident.status_changed"
    timeline = "status"
    previous: str = Field(alias="from")
    to: str
    reason: str = ""

    def describe(self, _: Translate) -> str:
        old, new = label(_, vocab.STATUS_LABELS, self.previous), label(_, vocab.STATUS_LABELS, self.to)
        if self.reason:
            return _("changed the status from %(old)s to %(new)s: %(reason)s", old=old, new=new, reason=self.reason)
        return _("changed the status from %(old)s to %(new)s", old=old, new=new)


class SeverityOverridden(IncidentEvent):
    type = "incident.severity_overridden"
    timeline = "severity"
    previous: int
    severity: int
    computed: int
    reason: str

    def describe(self, _: Translate) -> str:
        return _("overrode the severity to SEV%(sev)s (computed SEV%(computed)s): %(reason)s",
                 sev=self.severity, computed=self.computed, reason=self.reason)


class SeverityOverrideCleared(IncidentEvent):
    type = "incident.severity_override_cleared"
    timeline = "severity"
    previous: int
    severity: int

    def describe(self, _: Translate) -> str:
        return _("returned to the computed severity SEV%(sev)s", sev=self.severity)


class Updated(IncidentEvent):
    type = "incident.updated"
    timeline = "severity"
    changes: dict[str, Any]

    def describe(self, _: Translate) -> str:
        if "severity" in self.changes:
            return _("updated the details; severity is now SEV%(sev)s", sev=self.changes["severity"])
        return _("updated the details (%(fields)s)",
                 fields=", ".join(label(_, vocab.FIELD_LABELS, name) for name in sorted(self.changes)))


class MemberAdded(IncidentEvent):
    type = "incident.member_added"
    people = ("username",)
    timeline = "people"
    username: str
    role: str

    def describe(self, _: Translate) -> str:
        return _("added %(user)s as %(role)s", user=self.username, role=label(_, vocab.ROLE_LABELS, self.role))


class MemberRemoved(IncidentEvent):
    type = "incident.member_removed"
    people = ("username",)
    timeline = "people"
    username: str
    role: str

    def describe(self, _: Translate) -> str:
        return _("removed %(user)s from the role %(role)s", user=self.username,
                 role=label(_, vocab.ROLE_LABELS, self.role))


class CommandHandedOver(IncidentEvent):
    type = "incident.command_handed_over"
    people = ("from", "to")
    timeline = "people"
    role: str
    previous: str = Field(alias="from")
    to: str

    def describe(self, _: Translate) -> str:
        return _("handed over command from %(old)s to %(new)s", old=self.previous, new=self.to)


class RoleReassigned(IncidentEvent):
    type = "incident.role_reassigned"
    people = ("from", "to")
    timeline = "people"
    role: str
    previous: str = Field(alias="from")
    to: str

    def describe(self, _: Translate) -> str:
        return _("reassigned %(role)s from %(old)s to %(new)s", role=label(_, vocab.ROLE_LABELS, self.role),
                 old=self.previous, new=self.to)


class Linked(IncidentEvent):
    type = "incident.linked"
    timeline = "status"
    other: str
    kind: str

    def describe(self, _: Translate) -> str:
        return _("linked this incident with %(other)s", other=self.other)


class Merged(IncidentEvent):
    type = "incident.merged"
    timeline = "status"
    into: str
    reason: str
    previous: str = Field(alias="from")

    def describe(self, _: Translate) -> str:
        return _("merged this incident into %(other)s: %(reason)s", other=self.into, reason=self.reason)


class MergedFrom(IncidentEvent):
    type = "incident.merged_from"
    timeline = "status"
    other: str
    reason: str

    def describe(self, _: Translate) -> str:
        return _("merged %(other)s into this incident", other=self.other)


class NoteAdded(IncidentEvent):
    type = "incident.note_added"
    timeline = "notes"
    note_id: int
    pinned: bool = False

    def describe(self, _: Translate) -> str:
        return _("added a note")


class NotePinned(IncidentEvent):
    type = "incident.note_pinned"
    timeline = "notes"
    note_id: int

    def describe(self, _: Translate) -> str:
        return _("pinned a note")


class NoteUnpinned(IncidentEvent):
    type = "incident.note_unpinned"
    timeline = "notes"
    note_id: int

    def describe(self, _: Translate) -> str:
        return _("unpinned a note")


class TaskAdded(IncidentEvent):
    type = "incident.task_added"
    people = ("owner",)
    timeline = "tasks"
    task_id: int
    title: str
    owner: str | None = None
    due_at: datetime | None = None

    def describe(self, _: Translate) -> str:
        if self.owner:
            return _("added the task “%(title)s” for %(owner)s", title=self.title, owner=self.owner)
        return _("added the task “%(title)s”", title=self.title)


class TaskUpdated(IncidentEvent):
    """A task changed; the fields that changed are set, the others are None."""

    type = "incident.task_updated"
    people = ("owner",)
    timeline = "tasks"
    task_id: int
    title: str
    owner: str | None = None
    description: str | None = None
    due_at: datetime | None = None
    status: str | None = None

    def describe(self, _: Translate) -> str:
        if self.status is not None:
            return _("set the task “%(title)s” to %(status)s", title=self.title,
                     status=label(_, vocab.TASK_STATUS_LABELS, self.status))
        return _("updated the task “%(title)s”", title=self.title)


class Viewed(IncidentEvent):
    """A read of a restricted incident: an audit entry, shown only when asked for."""

    type = "incident.viewed"
    timeline = "access"

    def describe(self, _: Translate) -> str:
        return _("viewed this restricted incident")
