from __future__ import annotations

from collections.abc import Callable

import pytest

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import InvalidTransition, PermissionDenied, ValidationFailed
from rapidresponse.incidents import lifecycle, service
from rapidresponse.incidents.schemas import StatusChange
from rapidresponse.incidents.vocab import Status


def _move(actor: Actor, ref: str, status: str, reason: str = "") -> None:
    with unit_of_work() as s:
        service.change_status(s, actor, ref, StatusChange(status=Status(status), reason=reason))


def _get(actor: Actor, ref: str):  # type: ignore[no-untyped-def]
    with unit_of_work() as s:
        return service.get(s, actor, ref)


def test_full_lifecycle_stamps_each_milestone_once(make_incident: Callable[..., str],
                                                   make_user: Callable[..., Actor], fake_clock) -> None:  # type: ignore[no-untyped-def]
    cmd = make_user("commander")
    ref = make_incident(cmd)
    declared = _get(cmd, ref)
    assert declared.status == "triage" and declared.declared_at == fake_clock.now
    stamps = {}
    for status in ("active", "mitigated", "monitoring", "resolved", "closed"):
        fake_clock.advance(hours=1)
        _move(cmd, ref, status)
        stamps[status] = fake_clock.now
    inc = _get(cmd, ref)
    assert inc.status == "closed"
    assert inc.acknowledged_at == declared.acknowledged_at  # the commander took it at declaration
    assert inc.mitigated_at == stamps["mitigated"]
    assert inc.resolved_at == stamps["resolved"]
    assert inc.closed_at == stamps["closed"]


def test_invalid_transition_is_refused_with_the_allowed_ones(make_incident: Callable[..., str],
                                                             make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd)
    with pytest.raises(InvalidTransition) as err:
        _move(cmd, ref, "closed")
    assert "cannot go from triage to closed" in err.value.detail
    assert err.value.extra["allowed"] == ["active", "cancelled"]
    assert _get(cmd, ref).status == "triage"


def test_final_states_have_no_way_out() -> None:
    for final in (Status.CLOSED, Status.CANCELLED, Status.MERGED):
        for target in Status:
            if target != final:
                with pytest.raises(InvalidTransition):
                    lifecycle.check(final.value, target.value)


def test_merged_is_only_reachable_by_merging() -> None:
    with pytest.raises(InvalidTransition, match="use merge"):
        lifecycle.check("active", "merged")


def test_reopening_a_resolved_incident_clears_resolution(make_incident: Callable[..., str],
                                                         make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd)
    _move(cmd, ref, "active")
    _move(cmd, ref, "resolved")
    inc = _get(cmd, ref)
    assert inc.resolved_at is not None and inc.mitigated_at is not None
    _move(cmd, ref, "active")
    inc = _get(cmd, ref)
    assert inc.resolved_at is None and inc.mitigated_at is not None


def test_cancelling_needs_a_reason_and_a_commander(make_incident: Callable[..., str],
                                                   make_user: Callable[..., Actor]) -> None:
    cmd, responder = make_user("commander"), make_user("responder")
    ref = make_incident(cmd)
    with pytest.raises(PermissionDenied):
        _move(responder, ref, "cancelled", "duplicate")
    with pytest.raises(ValidationFailed, match="reason"):
        _move(cmd, ref, "cancelled")
    _move(cmd, ref, "cancelled", "false alarm: a news report, not a trend")
    assert _get(cmd, ref).status == "cancelled"


def test_viewer_cannot_change_status(make_incident: Callable[..., str], make_user: Callable[..., Actor]) -> None:
    ref = make_incident()
    with pytest.raises(PermissionDenied):
        _move(make_user("viewer"), ref, "active")
