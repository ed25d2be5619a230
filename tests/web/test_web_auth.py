"""Logging in and out through the HTML forms: redirects, cookies, throttling, forced password change."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webkit import PASSWORD, csrf_from, login, page_csrf

from rapidresponse.auth import Actor
from rapidresponse.auth.models import WebSession
from rapidresponse.config import get_settings
from rapidresponse.db import unit_of_work


def _sessions() -> int:
    with unit_of_work(read_only=True) as s:
        return int(s.execute(select(func.count()).select_from(WebSession)).scalar_one())


def test_pages_redirect_to_login_and_back(client: TestClient, make_user: Callable[..., Actor]) -> None:
    resp = client.get("/incidents?open=1&q=x", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=%2Fincidents%3Fopen%3D1%26q%3Dx"
    page = client.get(resp.headers["location"])
    assert 'name="next" value="/incidents?open=1&amp;q=x"' in page.text
    user = make_user("responder")
    token = csrf_from(page.text)
    done = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token,
                                       "next": "/incidents?open=1&q=x"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/incidents?open=1&q=x"
    cookie = done.headers["set-cookie"]
    assert "rr_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_login_ignores_foreign_next(client: TestClient, make_user: Callable[..., Actor]) -> None:
    user = make_user("responder")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        client.cookies.clear()
        token = page_csrf(client, "/login")
        resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token,
                                           "next": target}, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"] == "/", target


def test_login_form_needs_its_csrf_token(client: TestClient, make_user: Callable[..., Actor]) -> None:
    user = make_user("responder")
    page_csrf(client, "/login")  # sets the nonce cookie
    for token in (None, "", "forged"):
        data = {"username": user.username, "password": PASSWORD}
        if token is not None:
            data["csrf_token"] = token
        resp = client.post("/login", data=data, follow_redirects=False)
        assert resp.status_code == 403
        assert "rr_session" not in resp.headers.get("set-cookie", "")
    # a token that belongs to another browser's nonce is refused too
    other = TestClient(client.app)
    stolen = page_csrf(other, "/login")
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": stolen},
                       follow_redirects=False)
    assert resp.status_code == 403
    assert _sessions() == 0


def test_wrong_password_then_throttled(client: TestClient, make_user: Callable[..., Actor]) -> None:
    user = make_user("responder")
    token = page_csrf(client, "/login")
    for _ in range(get_settings().login_max_failures):
        resp = client.post("/login", data={"username": user.username, "password": "wrong password!",
                                           "csrf_token": token})
        assert resp.status_code == 401
        assert "Wrong username or password." in resp.text
        assert f'value="{user.username}"' in resp.text  # the username is kept
    # now even the right password is refused with a clear message, and no session starts
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 429
    assert "Too many failed logins" in resp.text
    assert _sessions() == 0


def test_logout_ends_the_session(client: TestClient, logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in()
    assert _sessions() == 1
    refused = client.post("/logout", data={"csrf_token": "nope"}, follow_redirects=False)
    assert refused.status_code == 403 and _sessions() == 1
    resp = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login"
    assert _sessions() == 0
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_must_change_password_first(client: TestClient, make_user: Callable[..., Actor]) -> None:
    user = make_user("responder", must_change_password=True)
    token = page_csrf(client, "/login")
    resp = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False)
    assert resp.headers["location"] == "/account/password"
    # every other page sends them back to the password form
    assert client.get("/incidents", follow_redirects=False).headers["location"] == "/account/password"
    page = client.get("/account/password")
    csrf = csrf_from(page.text)
    bad = client.post("/account/password", data={"csrf_token": csrf, "current_password": "wrong one!!",
                                                 "new_password": "a brand new secret", "new_password2":
                                                 "a brand new secret"})
    assert bad.status_code == 422 and "The current password is wrong." in bad.text
    short = client.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                   "new_password": "short", "new_password2": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    ok = client.post("/account/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                "new_password": "a brand new secret",
                                                "new_password2": "a brand new secret"}, follow_redirects=False)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/?done=password"
    home = client.get(ok.headers["location"])
    assert home.status_code == 200 and "Your password was changed." in home.text
    client.cookies.clear()
    login(client, user.username, "a brand new secret")
