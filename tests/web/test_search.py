"""Global search: every kind a role may read, never a restricted incident (nor what hangs on it) for
someone who may not see it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from rapidresponse.auth import Actor


def test_search_finds_each_kind_the_role_may_read(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                                  make_incident: Callable[..., str], make_alert: Callable[..., int],
                                                  make_user: Callable[..., Actor]) -> None:
    me, _ = logged_in("commander")
    ref = make_incident(me, title="Зацепинг wave in Almaty")
    make_alert()
    make_user("responder", display_name="Aigerim Nurlanova")
    page = client.get("/search", params={"q": "зацепинг"}).text
    assert f'href="/incidents/{ref}"' in page
    assert f'href="/incidents/{ref}"' in client.get("/search", params={"q": ref.lower()}).text
    assert "Aigerim Nurlanova" in client.get("/search", params={"q": "nurlanova"}).text
    assert 'href="/playbooks/dangerous_challenge"' in client.get("/search", params={"q": "challenge"}).text
    assert 'href="/alerts/' in client.get("/search", params={"q": "dangerous_challenge kz"}).text
    assert "Nothing matches." in client.get("/search", params={"q": "no-such-thing-anywhere"}).text
    assert client.get("/search", params={"q": "x\x00y"}).status_code == 200


def test_search_never_shows_a_restricted_incident_to_whom_may_not_see_it(
        client: TestClient, logged_in: Callable[..., tuple[Actor, str]], make_user: Callable[..., Actor],
        make_incident: Callable[..., str]) -> None:
    commander, _ = logged_in("commander")
    secret = make_incident(commander, type="child_safety", title="Grooming ring SECRET-42", countries=["KZ"])
    shown = make_incident(commander, title="Open SECRET-42 lookalike")
    assert f"/incidents/{secret}" in client.get("/search", params={"q": "grooming"}).text, "its member finds it"
    for role in ("viewer", "responder", "commander"):
        client.cookies.clear()
        logged_in(role)
        for q in ("SECRET-42", secret):
            page = client.get("/search", params={"q": q}).text
            assert f"/incidents/{secret}" not in page and "Grooming ring" not in page, (role, q)
        assert shown in client.get("/search", params={"q": "SECRET-42"}).text
