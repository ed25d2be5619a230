"""/api/v1/me, users, API tokens and the audit check, through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from apikit import Caller, WebCaller, assert_problem, snapshot, token_for
from fastapi.testclient import TestClient
from sqlalchemy import update

from rapidresponse import events
from rapidresponse.auth.models import ApiToken
from rapidresponse.clock import now
from rapidresponse.db import unit_of_work

Login = Callable[..., Caller]


def test_me(client: TestClient, login: Login) -> None:
    caller = login("analyst", display_name="Айгерім Қасымова", locale="ru", timezone="Asia/Almaty")
    me = client.get("/api/v1/me", headers=caller.headers)
    assert me.status_code == 200
    assert me.json() == {"username": caller.username, "display_name": "Айгерім Қасымова", "email": None,
                         "role": "analyst", "locale": "ru", "timezone": "Asia/Almaty", "is_active": True}


def test_patch_me_validates_locale_and_timezone(client: TestClient, login: Login) -> None:
    caller = login("responder")
    ok = client.patch("/api/v1/me", headers=caller.headers,
                      json={"locale": "ru", "timezone": "Asia/Tbilisi", "display_name": "Გიორგი Ნოზაძე"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["locale"] == "ru" and ok.json()["timezone"] == "Asia/Tbilisi"
    assert ok.json()["display_name"] == "Გიორგი Ნოზაძე"
    before = snapshot()
    body = assert_problem(client.patch("/api/v1/me", headers=caller.headers, json={"locale": "xx"}), 422)
    assert "locale" in body["detail"]
    body = assert_problem(client.patch("/api/v1/me", headers=caller.headers, json={"timezone": "Mars/Olympus"}), 422)
    assert "Mars/Olympus" in body["detail"]
    body = assert_problem(client.patch("/api/v1/me", headers=caller.headers, json={"role": "admin"}), 422)
    assert "role" in body["detail"]
    assert snapshot() == before
    assert client.get("/api/v1/me", headers=caller.headers).json()["role"] == "responder"


def test_unauthenticated_is_401_problem_with_www_authenticate(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic dXNlcjpwYXNz"},
                    {"Authorization": "Bearer "}):
        resp = client.get("/api/v1/me", headers=headers)
        assert_problem(resp, 401)
        assert resp.headers["www-authenticate"].startswith("Bearer")


def test_create_list_and_revoke_token(client: TestClient, login: Login) -> None:
    caller = login("responder")
    resp = client.post("/api/v1/tokens", headers=caller.headers,
                       json={"name": "Бот для Telegram", "scopes": ["incidents:read"], "days": 7})
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["token"].startswith(created["prefix"]) and created["scopes"] == ["incidents:read"]
    assert created["name"] == "Бот для Telegram"
    read_only = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/incidents", headers=read_only).status_code == 200
    listed = client.get("/api/v1/tokens", headers=caller.headers).json()
    assert created["id"] in [t["id"] for t in listed]
    assert all("token" not in t for t in listed)
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=caller.headers).status_code == 204
    revoked = client.get("/api/v1/me", headers=read_only)
    assert_problem(revoked, 401)
    assert revoked.headers["www-authenticate"].startswith("Bearer")
    assert [t["revoked_at"] for t in client.get("/api/v1/tokens", headers=caller.headers).json()
            if t["id"] == created["id"]] != [None]


def test_read_only_token_cannot_declare(client: TestClient, login: Login) -> None:
    caller = login("commander", scopes=["incidents:read"])
    before = snapshot()
    body = assert_problem(client.post("/api/v1/incidents", headers=caller.headers,
                                      json={"title": "x", "type": "other"}), 403)
    assert body["detail"] == "this token's scope does not include incidents:declare"  # not "your role"
    assert snapshot() == before
    assert client.get("/api/v1/incidents", headers=caller.headers).status_code == 200


def test_token_cannot_grant_beyond_role_or_unknown_scopes(client: TestClient, login: Login) -> None:
    caller = login("viewer")
    before = snapshot()
    body = assert_problem(client.post("/api/v1/tokens", headers=caller.headers,
                                      json={"name": "x", "scopes": ["users:manage"]}), 422)
    assert "users:manage" in body["detail"]
    assert_problem(client.post("/api/v1/tokens", headers=caller.headers,
                               json={"name": "x", "scopes": ["root"]}), 422)
    assert_problem(client.post("/api/v1/tokens", headers=caller.headers, json={"name": "  "}), 422)
    assert snapshot() == before


def test_narrow_token_cannot_mint_a_wider_one(client: TestClient, login: Login) -> None:
    caller = login("admin", scopes=["incidents:read"])
    before = snapshot()
    assert_problem(client.post("/api/v1/tokens", headers=caller.headers,
                               json={"name": "escalate", "scopes": ["users:manage"]}), 422)
    resp = client.post("/api/v1/tokens", headers=caller.headers, json={"name": "default"})
    assert resp.status_code == 201
    assert resp.json()["scopes"] == ["incidents:read"]
    assert snapshot()["api_tokens"] == before["api_tokens"] + 1


def test_expired_token_is_401(client: TestClient, login: Login) -> None:
    caller = login("responder")
    with unit_of_work() as s:
        s.execute(update(ApiToken).values(expires_at=now() - timedelta(seconds=1)))
    resp = client.get("/api/v1/me", headers=caller.headers)
    assert_problem(resp, 401)
    assert resp.headers["www-authenticate"].startswith("Bearer")


def test_token_of_disabled_user_is_401(client: TestClient, login: Login) -> None:
    admin, caller = login("admin"), login("responder")
    from rapidresponse.auth import service as auth

    with unit_of_work() as s:
        auth.update_user(s, admin.actor, caller.username, is_active=False)
    assert_problem(client.get("/api/v1/me", headers=caller.headers), 401)


def test_cannot_revoke_someone_elses_token(client: TestClient, login: Login) -> None:
    a, b = login("responder"), login("responder")
    theirs = client.get("/api/v1/tokens", headers=b.headers).json()[0]["id"]
    before = snapshot()
    assert_problem(client.delete(f"/api/v1/tokens/{theirs}", headers=a.headers), 404)
    assert_problem(client.delete("/api/v1/tokens/999999", headers=a.headers), 404)
    assert snapshot() == before
    admin = login("admin")
    assert client.delete(f"/api/v1/tokens/{theirs}", headers=admin.headers).status_code == 204
    assert_problem(client.get("/api/v1/me", headers=b.headers), 401)


def test_users_admin_only(client: TestClient, login: Login) -> None:
    admin, responder = login("admin"), login("responder")
    before = snapshot()
    assert_problem(client.post("/api/v1/users", headers=responder.headers,
                               json={"username": "mallory", "role": "admin"}), 403)
    assert snapshot() == before
    resp = client.post("/api/v1/users", headers=admin.headers,
                       json={"username": "aigerim", "role": "responder", "display_name": "Әйгерім",
                             "locale": "ru", "timezone": "Asia/Almaty"})
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["username"] == "aigerim" and created["display_name"] == "Әйгерім"
    assert len(created["one_time_password"]) >= 10
    assert_problem(client.post("/api/v1/users", headers=admin.headers,
                               json={"username": "aigerim", "role": "responder"}), 409)
    assert_problem(client.post("/api/v1/users", headers=admin.headers,
                               json={"username": "x y", "role": "responder"}), 422)
    assert_problem(client.post("/api/v1/users", headers=admin.headers,
                               json={"username": "someone", "role": "overlord"}), 422)
    names = [u["username"] for u in client.get("/api/v1/users", headers=admin.headers).json()]
    assert "aigerim" in names
    # the directory is readable (to assign roles), but never leaks password hashes
    listed = client.get("/api/v1/users", headers=responder.headers)
    assert listed.status_code == 200 and "argon2" not in listed.text


def test_audit_verify(client: TestClient, login: Login, declare: Callable[..., dict[str, object]]) -> None:
    admin, analyst, responder = login("admin"), login("analyst"), login("responder")
    declare(admin)
    resp = client.get("/api/v1/audit/verify", headers=admin.headers)
    assert resp.status_code == 200
    result = resp.json()
    assert result["ok"] is True and result["events_checked"] > 0 and result["reason"] is None
    assert client.get("/api/v1/audit/verify", headers=analyst.headers).json()["ok"] is True
    assert_problem(client.get("/api/v1/audit/verify", headers=responder.headers), 403)
    with unit_of_work() as s:
        ev = s.query(events.Event).order_by(events.Event.id).first()
        assert ev is not None
        ev.payload = {**ev.payload, "tampered": True}
    broken = client.get("/api/v1/audit/verify", headers=admin.headers).json()
    assert broken["ok"] is False and "altered" in broken["reason"]


# --- web session authentication of the API ---------------------------------------------------

def test_session_cookie_reads_and_writes_need_csrf(client: TestClient,
                                                   web_login: Callable[..., WebCaller]) -> None:
    web = web_login("commander")
    client.cookies.set("rr_session", web.cookie)
    try:
        assert client.get("/api/v1/me").json()["username"] == web.actor.username
        before = snapshot()
        body = {"title": "via the UI", "type": "other"}
        assert_problem(client.post("/api/v1/incidents", json=body), 403)
        assert_problem(client.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": "wrong"}), 403)
        assert snapshot() == before
        ok = client.post("/api/v1/incidents", json=body, headers={"X-CSRF-Token": web.csrf})
        assert ok.status_code == 201
    finally:
        client.cookies.clear()


def test_expired_session_is_401(client: TestClient, web_login: Callable[..., WebCaller], fake_clock) -> None:  # type: ignore[no-untyped-def]
    web = web_login("responder")
    client.cookies.set("rr_session", web.cookie)
    try:
        assert client.get("/api/v1/me").status_code == 200
        fake_clock.advance(hours=13)
        assert_problem(client.get("/api/v1/me"), 401)
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("scopes", [["incidents:read"], ["incidents:read", "incidents:note"]])
def test_token_scopes_are_listed(client: TestClient, login: Login, scopes: list[str]) -> None:
    caller = login("responder")
    secret = token_for(caller.actor, scopes=scopes)
    headers = {"Authorization": f"Bearer {secret}"}
    tokens = client.get("/api/v1/tokens", headers=headers).json()
    assert sorted(scopes) in [t["scopes"] for t in tokens]
