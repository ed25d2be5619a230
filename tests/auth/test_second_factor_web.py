"""The second factor through the web UI: enrolment on the account page, the login's second step, the
way past a throttled address, turning it off; in English and Russian."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from rapidresponse.auth import Actor

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def post_login(client: TestClient, username: str, password: str = PASSWORD, **extra: str) -> Response:
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/incidents", **extra}, follow_redirects=False)


def enrol(client: TestClient, fake_clock: Any) -> tuple[pyotp.TOTP, list[str]]:
    """Turn the second factor on from the account page; returns the app and the recovery codes."""
    page = client.get("/account/security")
    assert page.status_code == 200 and "Set up two-factor authentication" in page.text
    assert client.post("/account/security/totp", data={"csrf_token": csrf(page.text)},
                       follow_redirects=False).status_code == 303
    page = client.get("/account/security")
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret and "<svg" in page.text and "otpauth://totp/" in page.text
    app = pyotp.TOTP(secret.group(1))
    wrong = client.post("/account/security/totp/confirm", data={"csrf_token": csrf(page.text), "code": "12"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.text
    done = client.post("/account/security/totp/confirm",
                       data={"csrf_token": csrf(page.text), "code": app.at(fake_clock.now)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.text)
    assert len(codes) == 10
    fake_clock.advance(seconds=30)
    return app, codes


def test_enrol_and_log_in_with_a_code(engine: Engine, client: TestClient, make_user: Callable[..., Actor],
                                      fake_clock: Any) -> None:
    user = make_user("responder")
    assert post_login(client, user.username).status_code == 303
    app, codes = enrol(client, fake_clock)
    assert "Recovery codes left: 10." in client.get("/account/security").text
    client.cookies.clear()

    step = post_login(client, user.username)
    assert step.status_code == 200 and 'action="/login/code"' in step.text
    assert "rr_session" not in step.headers.get("set-cookie", "")
    pending = re.search(r'name="pending" value="([^"]+)"', step.text)
    assert pending
    data = {"csrf_token": csrf(step.text), "pending": pending.group(1), "next": "/incidents"}
    wrong = client.post("/login/code", data={**data, "code": "000000"}, follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong code." in wrong.text
    done = client.post("/login/code", data={**data, "code": app.at(fake_clock.now)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/incidents"
    assert client.get("/incidents").status_code == 200
    client.cookies.clear()
    # the same code again is refused; a recovery code works once
    replay = post_login(client, user.username, code=app.at(fake_clock.now))
    assert replay.status_code == 401
    assert post_login(client, user.username, code=codes[0]).status_code == 303


def test_the_second_step_speaks_russian(engine: Engine, client: TestClient, make_user: Callable[..., Actor],
                                        fake_clock: Any) -> None:
    russian = make_user("responder", locale="ru")
    post_login(client, russian.username)
    assert "Настроить двухфакторную аутентификацию" in client.get("/account/security").text
    client.cookies.clear()
    user = make_user("responder")
    post_login(client, user.username)
    enrol(client, fake_clock)
    client.cookies.clear()
    client.cookies.set("rr_locale", "ru")
    step = post_login(client, user.username)
    assert "Введите шестизначный код" in step.text


def test_a_throttled_office_gets_in_with_a_code(engine: Engine, client: TestClient,
                                                make_user: Callable[..., Actor], fake_clock: Any,
                                                env: Callable[..., None]) -> None:
    env(login_max_failures_per_address="3")
    user, plain = make_user("responder"), make_user("responder")
    post_login(client, user.username)
    app, _ = enrol(client, fake_clock)
    client.cookies.clear()
    for i in range(3):
        assert post_login(client, f"someone-{i}", "guess").status_code == 401
    refused = post_login(client, user.username)
    assert refused.status_code == 429 and 'name="code"' in refused.text
    assert "If you use two-factor authentication" in refused.text
    assert post_login(client, plain.username).status_code == 429
    done = post_login(client, user.username, code=app.at(fake_clock.now))
    assert done.status_code == 303 and "rr_session=" in done.headers["set-cookie"]


def test_turn_it_off_with_the_password(engine: Engine, client: TestClient, make_user: Callable[..., Actor],
                                       fake_clock: Any) -> None:
    user = make_user("responder")
    post_login(client, user.username)
    enrol(client, fake_clock)
    page = client.get("/account/security")
    wrong = client.post("/account/security/totp/disable", data={"csrf_token": csrf(page.text),
                                                                "password": "not my password"})
    assert wrong.status_code == 422
    off = client.post("/account/security/totp/disable", data={"csrf_token": csrf(page.text), "password": PASSWORD},
                      follow_redirects=False)
    assert off.status_code == 303
    assert "Two-factor authentication is off." in client.get(off.headers["location"]).text
    client.cookies.clear()
    assert post_login(client, user.username).status_code == 303


def test_a_role_can_require_the_second_factor(engine: Engine, client: TestClient, make_user: Callable[..., Actor],
                                              fake_clock: Any, env: Callable[..., None]) -> None:
    env(require_2fa_roles='["admin"]')
    admin, responder = make_user("admin"), make_user("responder")
    assert post_login(client, responder.username).status_code == 303
    assert client.get("/incidents", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert post_login(client, admin.username).status_code == 303
    held = client.get("/incidents", follow_redirects=False)
    assert held.status_code == 303 and held.headers["location"] == "/account/security"
    assert "Your role requires two-factor authentication" in client.get("/account/security").text
    enrol(client, fake_clock)
    assert client.get("/incidents", follow_redirects=False).status_code == 200


def test_the_audit_log_says_how_someone_logged_in(engine: Engine, client: TestClient,
                                                  make_user: Callable[..., Actor], fake_clock: Any) -> None:
    from rapidresponse import events
    from rapidresponse.db import unit_of_work

    user = make_user("responder")
    assert post_login(client, user.username, code="123456").status_code == 303  # no factor: the code proves nothing
    app, _ = enrol(client, fake_clock)
    client.cookies.clear()
    assert post_login(client, user.username, code=app.at(fake_clock.now)).status_code == 303
    with unit_of_work() as s:
        methods = [e.payload["method"] for e in events.for_subject(s, "user", user.user_id)
                   if e.type == "user.logged_in"]
        assert methods == ["password", "second_factor"]
        assert events.describe(events.for_subject(s, "user", user.user_id)[-1]).startswith("logged in with a second")
