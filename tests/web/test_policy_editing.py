"""Escalation policies edited on the team page (steps, delays, targets, repeats), not only through the API."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories.oncall import Rota
from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.oncall import policies

Login = Callable[..., tuple[Actor, str]]


def _steps(rota: Rota) -> tuple[str, list[tuple[str, str, int]], int]:
    with unit_of_work(read_only=True) as s:
        policy = next(p for p in policies.list_policies(s, rota.admin, rota.team_id) if p.id == rota.policy_id)
        return policy.name, [(st["kind"], st["target"], st["delay_minutes"]) for st in policy.steps], policy.repeat


def _events() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(events.Event)).scalar_one())


def test_policy_is_edited_on_the_team_page(client: TestClient, logged_in: Login,
                                           make_rota: Callable[..., Rota]) -> None:
    rota = make_rota()
    _, csrf = logged_in("admin")
    page = client.get(f"/oncall/teams/{rota.team_id}").text
    assert f'action="/oncall/policies/{rota.policy_id}"' in page
    assert f'name="step2_target" value="{rota.lead.username}"' in page  # the form shows the policy as it is
    form = {"csrf_token": csrf, "name": "Nights", "repeat": "2",
            "step1_kind": "user", "step1_target": rota.people[1].username, "step1_delay": "5",
            "step2_kind": "schedule", "step2_target": str(rota.schedule_id), "step2_delay": "20",
            "step3_kind": "role", "step3_target": "commander", "step3_delay": "30",
            "step4_kind": "user", "step4_target": "", "step4_delay": "15"}
    saved = client.post(f"/oncall/policies/{rota.policy_id}", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/oncall/teams/{rota.team_id}?done=policy#policy-{rota.policy_id}"
    assert _steps(rota) == ("Nights", [("user", rota.people[1].username, 5),
                                       ("schedule", str(rota.schedule_id), 20), ("role", "commander", 30)], 2)
    with unit_of_work(read_only=True) as s:
        kinds = s.execute(select(events.Event.type).where(events.Event.subject_type == "oncall_policy")).scalars()
        assert "oncall.policy_changed" in list(kinds)


def test_bad_policy_edits_change_nothing(client: TestClient, logged_in: Login,
                                         make_rota: Callable[..., Rota]) -> None:
    rota = make_rota()
    _, csrf = logged_in("admin")
    before, steps = _events(), _steps(rota)
    unknown = client.post(f"/oncall/policies/{rota.policy_id}", data={
        "csrf_token": csrf, "name": "Default", "step1_kind": "user", "step1_target": "nobody-here"})
    assert unknown.status_code in (404, 422)
    empty = client.post(f"/oncall/policies/{rota.policy_id}", data={"csrf_token": csrf, "name": "Default"})
    assert empty.status_code == 422
    role = client.post(f"/oncall/policies/{rota.policy_id}", data={
        "csrf_token": csrf, "name": "Default", "step1_kind": "role", "step1_target": "emperor"})
    assert role.status_code == 422 and "unknown incident role" in role.text
    assert _events() == before and _steps(rota) == steps


def test_only_managers_edit_policies(client: TestClient, logged_in: Login, make_rota: Callable[..., Rota]) -> None:
    rota = make_rota()
    _, csrf = logged_in("responder")
    assert f'action="/oncall/policies/{rota.policy_id}"' not in client.get(f"/oncall/teams/{rota.team_id}").text
    denied = client.post(f"/oncall/policies/{rota.policy_id}", data={
        "csrf_token": csrf, "name": "Mine", "step1_kind": "role", "step1_target": "commander"})
    assert denied.status_code == 403
    assert _steps(rota)[0] == "Default"
    missing = client.post("/oncall/policies/999999", data={
        "csrf_token": csrf, "name": "Mine", "step1_kind": "role", "step1_target": "commander"})
    assert missing.status_code in (403, 404)
