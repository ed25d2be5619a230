"""Editing an incident where it is shown: its details after declaration and taking people out of
roles (the commander only by handing over), each change an event on its timeline."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webkit import declare

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.incidents import service, work
from rapidresponse.incidents.schemas import IncidentCreate, RoleAssign
from rapidresponse.incidents.vocab import Role

Login = Callable[..., tuple[Actor, str]]
DETAILS = {"title": "Челлендж «синий кит» в Казахстане", "type": "self_harm", "summary": "Ролики в Shorts",
           "harm_categories": "self_harm, minors", "countries": "KZ, UZ", "languages": "kk, ru, uz-Latn",
           "source_description": "Жалобы пользователей"}


def _events() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def _members(actor: Actor, ref: str) -> set[tuple[str, str]]:
    with unit_of_work(read_only=True) as s:
        return {(m.role, m.username) for m in service.members(s, service.get(s, actor, ref).id)}


def test_details_are_edited_on_the_incident_page(client: TestClient, logged_in: Login) -> None:
    actor, csrf = logged_in("commander")
    ref = declare(client, csrf)
    page = client.get(f"/incidents/{ref}").text
    assert f'action="/incidents/{ref}/details"' in page and "Edit the details" in page
    saved = client.post(f"/incidents/{ref}/details", data={"csrf_token": csrf, **DETAILS}, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=edited#details")
    with unit_of_work(read_only=True) as s:
        inc = service.get(s, actor, ref)
        edits = [e for e in work.timeline(s, actor, ref) if e.type == "incident.updated"]
    assert (inc.title, inc.type, inc.summary) == (DETAILS["title"], "self_harm", "Ролики в Shorts")
    assert (inc.harm_categories, inc.countries, inc.languages) == (["self_harm", "minors"], ["KZ", "UZ"],
                                                                   ["kk", "ru", "uz-Latn"])
    assert inc.source_description == "Жалобы пользователей"
    assert len(edits) == 1 and edits[0].payload["changes"]["countries"] == ["KZ", "UZ"]
    shown = client.get(saved.headers["location"]).text
    assert "The details were saved." in shown and "updated the details (" in shown and "countries" in shown
    # Sending the same values again changes nothing and records nothing.
    before = _events()
    again = client.post(f"/incidents/{ref}/details", data={"csrf_token": csrf, **DETAILS}, follow_redirects=False)
    assert again.status_code == 303 and _events() == before


def test_bad_details_are_refused_beside_the_form_and_change_nothing(client: TestClient, logged_in: Login) -> None:
    actor, csrf = logged_in("commander")
    ref = declare(client, csrf)
    before = _events()
    bad = client.post(f"/incidents/{ref}/details", data={"csrf_token": csrf, **DETAILS, "countries": "Kazakhstan"})
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text and 'value="Kazakhstan"' in bad.text  # the input is kept
    empty = client.post(f"/incidents/{ref}/details", data={"csrf_token": csrf, **DETAILS, "title": "  "})
    assert empty.status_code == 422
    assert _events() == before
    with unit_of_work(read_only=True) as s:
        assert service.get(s, actor, ref).countries == ["KZ", "RU"]


def test_viewer_cannot_edit(client: TestClient, logged_in: Login, make_incident: Callable[..., str]) -> None:
    _, csrf = logged_in("viewer")
    ref = make_incident()
    page = client.get(f"/incidents/{ref}").text
    assert "Edit the details" not in page
    denied = client.post(f"/incidents/{ref}/details", data={"csrf_token": csrf, **DETAILS})
    assert denied.status_code == 403


def test_remove_a_participant_and_hand_over_command(client: TestClient, logged_in: Login,
                                                   make_user: Callable[..., Actor]) -> None:
    actor, csrf = logged_in("commander", username="aigerim")
    make_user("responder", "timur"), make_user("commander", "oleg")
    ref = declare(client, csrf)
    client.post(f"/incidents/{ref}/roles", data={"csrf_token": csrf, "role": "scribe", "username": "timur"})
    assert ("scribe", "timur") in _members(actor, ref)
    page = client.get(f"/incidents/{ref}").text
    assert f'action="/incidents/{ref}/roles/scribe/timur/remove"' in page
    removed = client.post(f"/incidents/{ref}/roles/scribe/timur/remove", data={"csrf_token": csrf},
                          follow_redirects=False)
    assert removed.status_code == 303 and ("scribe", "timur") not in _members(actor, ref)
    # The commander is not simply removed: without a successor nothing changes.
    before = _events()
    refused = client.post(f"/incidents/{ref}/roles/commander/aigerim/remove", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "handed over" in refused.text and _events() == before
    itself = client.post(f"/incidents/{ref}/roles/commander/aigerim/remove",
                         data={"csrf_token": csrf, "handover_to": "aigerim"})
    assert itself.status_code == 422 and _events() == before
    handed = client.post(f"/incidents/{ref}/roles/commander/aigerim/remove",
                         data={"csrf_token": csrf, "handover_to": "oleg"}, follow_redirects=False)
    assert handed.status_code == 303
    assert ("commander", "oleg") in _members(actor, ref) and ("commander", "aigerim") not in _members(actor, ref)
    with unit_of_work(read_only=True) as s:
        kinds = [e.type for e in work.timeline(s, actor, ref, kinds=["people"])]
    assert "incident.member_removed" in kinds and "incident.command_handed_over" in kinds
    bogus = client.post(f"/incidents/{ref}/roles/emperor/oleg/remove", data={"csrf_token": csrf})
    assert bogus.status_code == 422


def test_responder_cannot_remove_the_deputy(client: TestClient, logged_in: Login,
                                            make_user: Callable[..., Actor]) -> None:
    cmd = make_user("commander", "aigerim")
    make_user("commander", "oleg")
    _, csrf = logged_in("responder", username="timur")
    with unit_of_work() as s:
        ref = service.declare(s, cmd, IncidentCreate.model_validate({"title": "Wave", "type": "hate_speech_wave"})).ref
        service.assign_role(s, cmd, ref, RoleAssign(role=Role.DEPUTY, username="oleg"))
        service.assign_role(s, cmd, ref, RoleAssign(role=Role.PARTICIPANT, username="timur"))
    page = client.get(f"/incidents/{ref}").text
    assert "/roles/deputy/oleg/remove" not in page and "/roles/participant/timur/remove" in page
    denied = client.post(f"/incidents/{ref}/roles/deputy/oleg/remove", data={"csrf_token": csrf})
    assert denied.status_code == 403 and ("deputy", "oleg") in _members(cmd, ref)
