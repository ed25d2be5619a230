"""The privacy domain's events: legal holds on an incident's timeline, and what retention and a
person's data requests did (counts and a keyed digest of the identifier, never the data itself)."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate
from ..incidents import IncidentEvent


class LegalHoldPlaced(IncidentEvent):
    type = "incident.legal_hold_placed"
    timeline = "access"
    reason: str

    def describe(self, _: Translate) -> str:
        return _("placed a legal hold: %(reason)s", reason=self.reason)


class LegalHoldReleased(IncidentEvent):
    type = "incident.legal_hold_released"
    timeline = "access"
    reason: str = ""

    def describe(self, _: Translate) -> str:
        return _("released the legal hold")


class RetentionApplied(DomainEvent):
    """One retention pass: how many rows of each data class it redacted or deleted, and how many
    incidents' data it kept under legal hold."""

    type = "retention.applied"
    subject_type = "retention"
    counts: dict[str, int]
    held_incidents: int = 0

    def describe(self, _: Translate) -> str:
        done = sum(self.counts.values())
        return _("applied retention: %(n)s rows redacted or deleted, %(held)s incidents on hold",
                 n=done, held=self.held_incidents)


class SubjectExported(DomainEvent):
    """A person's data was exported; ``subject_id`` is a keyed digest of the identifier."""

    type = "privacy.subject_exported"
    subject_type = "privacy"
    kind: str
    counts: dict[str, int]

    def describe(self, _: Translate) -> str:
        return _("exported a person's data (%(kind)s)", kind=self.kind)


class SubjectErased(DomainEvent):
    """A person's data was erased on request; ``subject_id`` is a keyed digest of the identifier."""

    type = "privacy.subject_erased"
    subject_type = "privacy"
    kind: str
    counts: dict[str, int]
    kept_on_hold: int = 0

    def describe(self, _: Translate) -> str:
        return _("erased a person's data (%(kind)s): %(n)s items", kind=self.kind, n=sum(self.counts.values()))
