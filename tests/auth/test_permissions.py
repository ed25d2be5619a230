"""Every permission is checked in the service layer: role × action, calling the services directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from rapidresponse.auth import ROLES, SYSTEM, Actor, Perm
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.errors import PermissionDenied
from rapidresponse.incidents import service, work
from rapidresponse.incidents.schemas import (
    IncidentCreate,
    IncidentFilter,
    IncidentUpdate,
    MergeRequest,
    NoteCreate,
    RoleAssign,
    SeverityOverride,
    StatusChange,
    TaskCreate,
)
from rapidresponse.incidents.vocab import Status


def _declare(actor: Actor, **kw: Any) -> str:
    with unit_of_work() as s:
        return service.declare(s, actor, IncidentCreate(title="Wave", type="hate_speech_wave", **kw)).ref


@pytest.fixture
def setting(engine: Engine, make_user: Callable[..., Actor]) -> dict[str, Any]:
    owner = make_user("admin")
    return {"owner": owner, "ref": _declare(owner), "other": _declare(owner), "peer": make_user("responder")}


# action name → (the permission it needs, a call that performs it)
Action = Callable[[Any, Actor, dict[str, Any]], object]
U, C = Perm.INCIDENTS_UPDATE, Perm.INCIDENTS_COMMAND
ACTIONS: dict[str, tuple[Perm | frozenset[Perm], Action]] = {
    "read": (Perm.INCIDENTS_READ, lambda s, a, c: service.get(s, a, c["ref"])),
    "list": (Perm.INCIDENTS_READ, lambda s, a, c: service.list_incidents(s, a, IncidentFilter())),
    "timeline": (Perm.INCIDENTS_READ, lambda s, a, c: work.timeline(s, a, c["ref"])),
    "declare": (Perm.INCIDENTS_DECLARE,
                lambda s, a, c: service.declare(s, a, IncidentCreate(title="x", type="other"))),
    "update": (Perm.INCIDENTS_UPDATE,
               lambda s, a, c: service.update(s, a, c["ref"], IncidentUpdate(summary="changed"))),
    "status": (Perm.INCIDENTS_UPDATE,
               lambda s, a, c: service.change_status(s, a, c["ref"], StatusChange(status=Status.ACTIVE))),
    "task": (Perm.INCIDENTS_UPDATE, lambda s, a, c: work.add_task(s, a, c["ref"], TaskCreate(title="t"))),
    "assign scribe": (Perm.INCIDENTS_UPDATE, lambda s, a, c: service.assign_role(
        s, a, c["ref"], RoleAssign(role="scribe", username=c["peer"].username))),
    "note": (Perm.INCIDENTS_NOTE, lambda s, a, c: work.add_note(s, a, c["ref"], NoteCreate(body="n"))),
    "override severity": (Perm.INCIDENTS_COMMAND, lambda s, a, c: service.override_severity(
        s, a, c["ref"], SeverityOverride(level=1, reason="r"))),
    "hand over command": (Perm.INCIDENTS_COMMAND, lambda s, a, c: service.assign_role(
        s, a, c["ref"], RoleAssign(role="commander", username=c["peer"].username))),
    "cancel": (frozenset({U, C}), lambda s, a, c: service.change_status(
        s, a, c["ref"], StatusChange(status=Status.CANCELLED, reason="dup"))),
    "merge": (Perm.INCIDENTS_COMMAND,
              lambda s, a, c: service.merge(s, a, c["ref"], MergeRequest(into=c["other"], reason="dup"))),
    "restrict": (frozenset({U, C}),
                 lambda s, a, c: service.update(s, a, c["ref"], IncidentUpdate(restricted=True))),
    "create user": (Perm.USERS_MANAGE, lambda s, a, c: auth.create_user(s, a, username="newbie", role="viewer")),
    "change a role": (Perm.USERS_MANAGE,
                      lambda s, a, c: auth.update_user(s, a, c["peer"].username, role="commander")),
    "disable a user": (Perm.USERS_MANAGE,
                       lambda s, a, c: auth.update_user(s, a, c["peer"].username, is_active=False)),
    "reset a password": (Perm.USERS_MANAGE,
                         lambda s, a, c: auth.set_password(s, a, c["peer"].username, "a-new-long-password")),
}


def _needs(needs: Perm | frozenset[Perm]) -> frozenset[Perm]:
    return needs if isinstance(needs, frozenset) else frozenset({needs})


def test_roles_table_is_what_the_product_promises() -> None:
    assert set(ROLES) == {"admin", "commander", "responder", "policy", "legal", "comms", "analyst", "viewer"}
    assert ROLES["admin"] == frozenset(Perm)
    assert all(Perm.INCIDENTS_READ in perms for perms in ROLES.values())
    assert {r for r, p in ROLES.items() if Perm.INCIDENTS_COMMAND in p} == {"admin", "commander"}
    assert {r for r, p in ROLES.items() if Perm.USERS_MANAGE in p} == {"admin"}
    assert {r for r, p in ROLES.items() if Perm.INCIDENTS_RESTRICTED in p} == {"admin"}
    assert ROLES["viewer"] == frozenset({Perm.INCIDENTS_READ})


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_role_action_matrix(setting: dict[str, Any], make_user: Callable[..., Actor], role: str,
                            action: str) -> None:
    needs, call = ACTIONS[action]
    actor = make_user(role)
    missing = _needs(needs) - ROLES[role]
    if not missing:
        with unit_of_work() as s:
            call(s, actor, setting)
    else:
        with pytest.raises(PermissionDenied) as exc, unit_of_work() as s:
            call(s, actor, setting)
        assert any(p.value in exc.value.detail for p in missing), exc.value.detail


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_token_scopes_narrow_the_role(setting: dict[str, Any], make_user: Callable[..., Actor], action: str) -> None:
    """An admin acting through a read-only token can only read."""
    needs, call = ACTIONS[action]
    admin = make_user("admin")
    narrowed = Actor(user_id=admin.user_id, username=admin.username, role="admin",
                     scopes=frozenset({Perm.INCIDENTS_READ.value}))
    if _needs(needs) == {Perm.INCIDENTS_READ}:
        with unit_of_work() as s:
            call(s, narrowed, setting)
    else:
        with pytest.raises(PermissionDenied), unit_of_work() as s:
            call(s, narrowed, setting)


def test_refusal_changes_nothing(setting: dict[str, Any], make_user: Callable[..., Actor]) -> None:
    viewer = make_user("viewer")
    with unit_of_work() as s:
        before = len(work.timeline(s, SYSTEM, setting["ref"]))
    for needs, call in ACTIONS.values():
        if _needs(needs) <= ROLES["viewer"]:
            continue
        with pytest.raises(PermissionDenied), unit_of_work() as s:
            call(s, viewer, setting)
    with unit_of_work() as s:
        assert len(work.timeline(s, SYSTEM, setting["ref"])) == before
        assert service.get(s, SYSTEM, setting["ref"]).status == "triage"


def test_a_user_edits_their_own_profile_but_not_their_role(engine: Engine, make_user: Callable[..., Actor]) -> None:
    me = make_user("responder")
    with unit_of_work() as s:
        auth.update_user(s, me, me.username, locale="ru", timezone="Asia/Almaty", display_name="Ұлан")
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        auth.update_user(s, me, me.username, role="admin")
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        auth.update_user(s, me, me.username, is_active=False)
    with unit_of_work() as s:
        user = auth.find_person(s, me.username)
        assert (user.role, user.locale, user.display_name, user.is_active) == ("responder", "ru", "Ұлан", True)


def test_restricted_incidents_need_membership_or_the_permission(engine: Engine,
                                                                make_user: Callable[..., Actor]) -> None:
    commander, admin, outsider = make_user("commander"), make_user("admin"), make_user("commander")
    ref = _declare(commander, restricted=True)
    from rapidresponse.errors import NotFound

    for call in (lambda s: service.get(s, outsider, ref), lambda s: work.timeline(s, outsider, ref),
                 lambda s: work.add_note(s, outsider, ref, NoteCreate(body="x")),
                 lambda s: service.override_severity(s, outsider, ref, SeverityOverride(level=1, reason="r"))):
        with pytest.raises(NotFound), unit_of_work() as s:
            call(s)
    with unit_of_work() as s:
        assert service.list_incidents(s, outsider, IncidentFilter())[1] == 0
        assert service.open_by_severity(s, outsider) == {1: 0, 2: 0, 3: 0, 4: 0}
        assert service.get(s, admin, ref).ref == ref
        assert service.get(s, commander, ref).ref == ref
