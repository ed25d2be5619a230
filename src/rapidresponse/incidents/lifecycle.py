"""The incident state machine and the milestone each transition stamps."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..errors import InvalidTransition
from .vocab import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.TRIAGE: frozenset({Status.ACTIVE, Status.CANCELLED}),
    Status.ACTIVE: frozenset({Status.MITIGATED, Status.RESOLVED, Status.CANCELLED}),
    Status.MITIGATED: frozenset({Status.ACTIVE, Status.MONITORING, Status.RESOLVED}),
    Status.MONITORING: frozenset({Status.ACTIVE, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.ACTIVE, Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.MERGED: frozenset(),
}
# Merging is its own action (it needs the incident merged into); it is reachable from these.
MERGEABLE = frozenset({Status.TRIAGE, Status.ACTIVE, Status.MITIGATED, Status.MONITORING})


class HasMilestones(Protocol):
    status: str
    acknowledged_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None


def check(current: str, target: str) -> Status:
    try:
        to = Status(target)
    except ValueError:
        raise InvalidTransition(f"unknown status {target!r}; one of {', '.join(s.value for s in Status)}",
                                field="status") from None
    frm = Status(current)
    if to == frm:
        raise InvalidTransition(f"the incident is already {frm.value}")
    if to == Status.MERGED:
        raise InvalidTransition("use merge to mark an incident as a duplicate of another")
    if to not in TRANSITIONS[frm]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[frm])) or "none: it is final"
        raise InvalidTransition(f"cannot go from {frm.value} to {to.value}; allowed: {allowed}",
                                current=frm.value, allowed=sorted(s.value for s in TRANSITIONS[frm]))
    return to


def apply(incident: HasMilestones, to: Status, at: datetime) -> None:
    """Move to ``to`` (already checked) and stamp its milestones; the first stamp of each is kept."""
    if to in (Status.ACTIVE, Status.MITIGATED, Status.RESOLVED) and incident.acknowledged_at is None:
        incident.acknowledged_at = at
    if to in (Status.MITIGATED, Status.MONITORING, Status.RESOLVED) and incident.mitigated_at is None:
        incident.mitigated_at = at
    if to == Status.RESOLVED:
        incident.resolved_at = at
    if to == Status.ACTIVE and incident.status == Status.RESOLVED:
        incident.resolved_at = None  # reopened: it is no longer resolved
    if to == Status.CLOSED:
        incident.closed_at = at
    incident.status = to.value
