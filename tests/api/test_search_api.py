"""Global search through the API: the same kinds and visibility rules as the /search page (a restricted
incident never appears for someone who may not see it), and bad queries answered with a problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apikit import Caller, assert_problem
from fastapi.testclient import TestClient

from rapidresponse.auth import Actor

Declare = Callable[..., dict[str, Any]]


def _search(client: TestClient, caller: Caller, q: str) -> dict[str, Any]:
    resp = client.get("/api/v1/search", params={"q": q}, headers=caller.headers)
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def test_search_finds_incidents_people_playbooks_and_alerts_by_every_word(
        client: TestClient, login: Callable[..., Caller], declare: Declare, make_alert: Callable[..., int],
        make_user: Callable[..., Actor]) -> None:
    analyst = login("analyst")
    commander = login("commander")
    ref = declare(commander, title="Зацепинг wave in Almaty")["ref"]
    alert_id = make_alert(("dangerous_challenge", "KZ", "kk"))
    make_user("responder", display_name="Aigerim Nurlanova")

    found = _search(client, analyst, "зацепинг almaty")
    assert found["kinds"] == ["incidents"]
    assert found["hits"] == [{"kind": "incidents", "title": f"{ref} · Зацепинг wave in Almaty",
                              "href": f"/incidents/{ref}", "detail": "triage"}]
    assert [h["href"] for h in _search(client, analyst, ref.lower())["hits"]] == [f"/incidents/{ref}"]
    people = _search(client, analyst, "nurlanova")
    assert [(h["kind"], h["title"]) for h in people["hits"]] == [("people", "Aigerim Nurlanova")]
    assert f"/alerts/{alert_id}" in [h["href"] for h in _search(client, analyst, "dangerous_challenge kz")["hits"]]
    assert "/playbooks/dangerous_challenge" in [h["href"] for h in _search(client, analyst, "challenge")["hits"]]
    assert _search(client, analyst, "no-such-thing-anywhere") == {"hits": [], "kinds": []}

    # A viewer may read incidents but not alerts: the alert kind is left out, not refused.
    viewer = login("viewer")
    kinds = _search(client, viewer, "dangerous_challenge kz")["kinds"]
    assert "alerts" not in kinds and "incidents" in kinds


def test_search_never_names_a_restricted_incident_to_whom_may_not_see_it(
        client: TestClient, login: Callable[..., Caller], declare: Declare) -> None:
    member = login("commander")
    secret = declare(member, type="child_safety", title="Grooming ring SECRET-42", countries=["KZ"])["ref"]
    shown = declare(member, title="Open SECRET-42 lookalike")["ref"]
    assert f"/incidents/{secret}" in [h["href"] for h in _search(client, member, "grooming")["hits"]]
    for role in ("viewer", "responder", "commander", "legal"):
        outsider = login(role)
        for q in ("SECRET-42", secret, "grooming ring"):
            text = client.get("/api/v1/search", params={"q": q}, headers=outsider.headers).text
            assert secret not in text and "Grooming ring" not in text, (role, q)
        assert [h["href"] for h in _search(client, outsider, "SECRET-42")["hits"]] == [f"/incidents/{shown}"]
    assert secret in [h["href"].rsplit("/", 1)[-1] for h in _search(client, login("admin"), secret)["hits"]]


def test_a_search_needs_a_query_and_a_login(client: TestClient, login: Callable[..., Caller]) -> None:
    caller = login("viewer")
    assert_problem(client.get("/api/v1/search", headers=caller.headers), 422)
    assert_problem(client.get("/api/v1/search", params={"q": ""}, headers=caller.headers), 422)
    assert_problem(client.get("/api/v1/search", params={"q": "x" * 201}, headers=caller.headers), 422)
    assert_problem(client.get("/api/v1/search", params={"q": "grooming"}), 401)
    assert_problem(client.get("/api/v1/search", params={"q": "x\x00y"}, headers=caller.headers), 422)
    assert _search(client, caller, "   ") == {"hits": [], "kinds": []}
