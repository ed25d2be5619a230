from __future__ import annotations

from collections.abc import Callable

import pytest

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotFound, PermissionDenied
from rapidresponse.incidents import service, work
from rapidresponse.incidents.schemas import IncidentFilter, MergeRequest, RoleAssign
from rapidresponse.incidents.vocab import Role


def _assign(actor: Actor, ref: str, role: str, username: str) -> None:
    with unit_of_work() as s:
        service.assign_role(s, actor, ref, RoleAssign(role=Role(role), username=username))


def _members(actor: Actor, ref: str) -> list[tuple[str, str]]:
    with unit_of_work(read_only=True) as s:
        return [(m.role, m.username) for m in service.members(s, service.get(s, actor, ref).id)]


def test_declarer_with_command_rights_becomes_commander(make_incident: Callable[..., str],
                                                        make_user: Callable[..., Actor]) -> None:
    cmd, responder = make_user("commander", "aigerim"), make_user("responder", "timur")
    assert _members(cmd, make_incident(cmd)) == [("commander", "aigerim")]
    assert _members(responder, make_incident(responder)) == [("participant", "timur")]


def test_handing_over_command_is_explicit_and_logged(make_incident: Callable[..., str],
                                                     make_user: Callable[..., Actor]) -> None:
    a, b = make_user("commander", "aigerim"), make_user("commander", "oleg")
    ref = make_incident(a)
    _assign(a, ref, "commander", "oleg")
    assert ("commander", "oleg") in _members(b, ref) and ("commander", "aigerim") not in _members(b, ref)
    with unit_of_work(read_only=True) as s:
        entries = work.timeline(s, a, ref, kinds=["people"])
    handover = [e for e in entries if e.type == "incident.command_handed_over"]
    assert len(handover) == 1 and handover[0].payload["from"] == "aigerim" and handover[0].payload["to"] == "oleg"
    with pytest.raises(Conflict):
        _assign(a, ref, "commander", "oleg")


def test_only_commanders_assign_command(make_incident: Callable[..., str], make_user: Callable[..., Actor]) -> None:
    responder = make_user("responder", "timur")
    make_user("commander", "oleg")
    ref = make_incident(make_user("commander"))
    with pytest.raises(PermissionDenied):
        _assign(responder, ref, "commander", "oleg")
    _assign(responder, ref, "scribe", "timur")  # other roles: anyone who may update
    _assign(responder, ref, "regional_lead", "oleg")
    make_user("responder", "zarina")
    _assign(responder, ref, "regional_lead", "zarina")  # a lead per language: several holders
    assert sum(1 for r, _ in _members(responder, ref) if r == "regional_lead") == 2


def test_restricted_incident_exists_only_for_members_and_admins(make_incident: Callable[..., str],
                                                                make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander", "aigerim")
    outsider, admin = make_user("commander", "oleg"), make_user("admin", "boss")
    ref = make_incident(cmd, type="child_safety", title="Grooming network on KZ school chats",
                        severity={"harm": 4, "vulnerable": True})
    public = make_incident(cmd, title="Hate wave after the attack")
    for who, sees in ((cmd, True), (admin, True), (outsider, False)):
        with unit_of_work() as s:
            items, total = service.list_incidents(s, who, IncidentFilter())
            assert (ref in [i.ref for i in items]) is sees and total == (2 if sees else 1)
            assert public in [i.ref for i in items]
            assert service.open_by_severity(s, who)[1] == (1 if sees else 0)
            if not sees:
                with pytest.raises(NotFound) as err:
                    service.get(s, who, ref)
                assert err.value.detail == f"no incident {ref!r}"
                with pytest.raises(NotFound):
                    work.timeline(s, who, ref)
    _assign(cmd, ref, "legal", "oleg")  # joining the incident reveals it
    with unit_of_work() as s:
        assert service.get(s, outsider, ref).restricted


def test_reading_a_restricted_incident_is_logged(make_incident: Callable[..., str],
                                                 make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander")
    ref = make_incident(cmd, type="child_safety")
    with unit_of_work() as s:
        service.get(s, cmd, ref, log_view=True)
    with unit_of_work(read_only=True) as s:
        assert [e.type for e in work.timeline(s, cmd, ref, kinds=["access"])] == ["incident.viewed"]
        assert "incident.viewed" not in [e.type for e in work.timeline(s, cmd, ref)]


def test_merge_carries_people_over_and_is_final(make_incident: Callable[..., str],
                                                make_user: Callable[..., Actor]) -> None:
    a, b = make_user("commander", "aigerim"), make_user("commander", "oleg")
    dup, target = make_incident(a), make_incident(b)
    with unit_of_work() as s:
        service.merge(s, a, dup, MergeRequest(into=target, reason="same video, second report"))
    with unit_of_work(read_only=True) as s:
        assert service.get(s, a, dup).status == "merged"
        assert ("participant", "aigerim") in [(m.role, m.username)
                                              for m in service.members(s, service.get(s, a, target).id)]
        assert service.links(s, a, service.get(s, a, dup))[0]["kind"] == "merged_into"
    with pytest.raises(Exception, match="only open incidents"), unit_of_work() as s:
        service.merge(s, a, dup, MergeRequest(into=target, reason="again"))
