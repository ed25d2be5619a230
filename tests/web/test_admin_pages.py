"""User administration, personal settings, API tokens and the audit view through the HTML forms."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webkit import login

from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.auth.models import ApiToken, User, WebSession
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event

Login = Callable[..., tuple[Actor, str]]


def _user(username: str) -> User:
    with unit_of_work(read_only=True) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one()
        s.expunge(user)
        return user


def test_admin_creates_a_user_who_logs_in_with_the_one_time_password(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("admin")
    page = client.get("/admin/users")
    assert page.status_code == 200 and "Last login" in page.text
    resp = client.post("/admin/users", data={"csrf_token": csrf, "username": "ana.k", "display_name": "Ana K",
                                             "email": "ana@example.org", "role": "responder"})
    assert resp.status_code == 200, resp.text
    password = re.search(r'class="one-time-password">([^<]+)<', resp.text)
    assert password, resp.text
    assert _user("ana.k").must_change_password
    other = TestClient(client.app)
    done = other.post("/login", data={"username": "ana.k", "password": password.group(1),
                                      "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                              other.get("/login").text).group(1)},  # type: ignore[union-attr]
                      follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/account/password"
    listed = client.get("/admin/users").text
    assert "ana.k" in listed and "ana@example.org" in listed


@pytest.mark.parametrize("fields", [{"username": "Bad Name!"}, {"email": "not-an-address"}, {"role": "king"}])
def test_bad_input_is_refused_and_nothing_is_created(client: TestClient, logged_in: Login,
                                                      fields: dict[str, str]) -> None:
    _, csrf = logged_in("admin")
    data = {"csrf_token": csrf, "username": "newbie", "display_name": "", "email": "", "role": "viewer", **fields}
    resp = client.post("/admin/users", data=data)
    assert resp.status_code == 422
    assert 'class="form-error"' in resp.text
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(func.count()).select_from(User)).scalar_one() == 1


def test_non_admins_get_403_on_admin_pages_and_forms(client: TestClient, logged_in: Login,
                                                     make_user: Callable[..., Actor]) -> None:
    target = make_user("viewer")
    _, csrf = logged_in("commander")
    for path in ("/admin/users", f"/admin/users/{target.username}", "/admin/audit"):
        assert client.get(path).status_code == 403, path
    for path, data in (("/admin/users", {"username": "x1", "role": "admin"}),
                       (f"/admin/users/{target.username}/role", {"role": "admin"}),
                       (f"/admin/users/{target.username}/deactivate", {}),
                       (f"/admin/users/{target.username}/password", {}),
                       ("/admin/audit/verify", {})):
        assert client.post(path, data={"csrf_token": csrf, **data}).status_code == 403, path
    assert _user(target.username).role == "viewer" and _user(target.username).is_active


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(client: TestClient, logged_in: Login,
                                                                      make_user: Callable[..., Actor]) -> None:
    admin, csrf = logged_in("admin")
    resp = client.post(f"/admin/users/{admin.username}/role", data={"csrf_token": csrf, "role": "viewer"})
    assert resp.status_code == 409 and "last active administrator" in resp.text
    resp = client.post(f"/admin/users/{admin.username}/deactivate", data={"csrf_token": csrf})
    assert resp.status_code == 409
    assert _user(admin.username).role == "admin" and _user(admin.username).is_active
    make_user("admin")  # with a second administrator, the first may step down
    resp = client.post(f"/admin/users/{admin.username}/role", data={"csrf_token": csrf, "role": "commander"},
                       follow_redirects=False)
    assert resp.status_code == 303
    assert _user(admin.username).role == "commander"


def test_deactivation_ends_sessions_and_revokes_tokens_at_once(client: TestClient, logged_in: Login,
                                                               make_user: Callable[..., Actor]) -> None:
    target = make_user("responder")
    other = TestClient(client.app)
    login(other, target.username)
    with unit_of_work() as s:
        _, secret = auth.create_token(s, target, name="bot")
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    _, csrf = logged_in("admin")
    resp = client.post(f"/admin/users/{target.username}/deactivate", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert resp.status_code == 303
    user = _user(target.username)
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(func.count()).select_from(WebSession)
                         .where(WebSession.user_id == user.id)).scalar_one() == 0
        assert all(t.revoked_at is not None for t in s.execute(select(ApiToken)
                                                                .where(ApiToken.user_id == user.id)).scalars())
    assert other.get("/incidents", follow_redirects=False).status_code == 303  # back to the login page
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    resp = client.post(f"/admin/users/{target.username}/reactivate", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert resp.status_code == 303 and _user(target.username).is_active
    # the token stays revoked after reactivation
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_reset_password_shows_it_once_and_forces_a_change(client: TestClient, logged_in: Login,
                                                          make_user: Callable[..., Actor]) -> None:
    target = make_user("responder")
    admin, csrf = logged_in("admin")
    resp = client.post(f"/admin/users/{target.username}/password", data={"csrf_token": csrf})
    assert resp.status_code == 200 and 'class="one-time-password"' in resp.text
    assert _user(target.username).must_change_password
    assert 'class="one-time-password"' not in client.get(f"/admin/users/{target.username}").text
    own = client.post(f"/admin/users/{admin.username}/password", data={"csrf_token": csrf})
    assert own.status_code == 422


def test_admin_sees_and_revokes_another_users_tokens(client: TestClient, logged_in: Login,
                                                     make_user: Callable[..., Actor]) -> None:
    target = make_user("analyst")
    with unit_of_work() as s:
        token, _ = auth.create_token(s, target, name="dashboards")
    bystander = make_user("viewer")
    _, csrf = logged_in("admin")
    page = client.get(f"/admin/users/{target.username}")
    assert "dashboards" in page.text and token.prefix in page.text
    wrong = client.post(f"/admin/users/{bystander.username}/tokens/{token.id}/revoke", data={"csrf_token": csrf})
    assert wrong.status_code == 404
    with unit_of_work(read_only=True) as s:
        assert s.get(ApiToken, token.id).revoked_at is None  # type: ignore[union-attr]
    resp = client.post(f"/admin/users/{target.username}/tokens/{token.id}/revoke", data={"csrf_token": csrf},
                       follow_redirects=False)
    assert resp.status_code == 303
    with unit_of_work(read_only=True) as s:
        assert s.get(ApiToken, token.id).revoked_at is not None  # type: ignore[union-attr]


def test_own_settings_saved_and_bad_values_refused(client: TestClient, logged_in: Login) -> None:
    me, csrf = logged_in("responder")
    page = client.get("/account/settings")
    assert page.status_code == 200
    bad = client.post("/account/settings", data={"csrf_token": csrf, "display_name": "Me", "email": "",
                                                 "locale": "en", "timezone": "Mars/Olympus"})
    assert bad.status_code == 422 and "Unknown time zone" in bad.text
    assert _user(me.username).timezone == "UTC" and _user(me.username).display_name != "Me"
    good = client.post("/account/settings", data={"csrf_token": csrf, "display_name": "Мария", "email": "m@example.org",
                                                  "locale": "ru", "timezone": "Asia/Almaty"}, follow_redirects=False)
    assert good.status_code == 303
    user = _user(me.username)
    assert (user.display_name, user.email, user.locale, user.timezone) == ("Мария", "m@example.org", "ru",
                                                                           "Asia/Almaty")
    assert "Мои настройки" in client.get("/account/settings").text
    no_csrf = client.post("/account/settings", data={"display_name": "X", "email": "", "locale": "en",
                                                     "timezone": "UTC"})
    assert no_csrf.status_code == 403 and _user(me.username).display_name == "Мария"


def test_own_tokens_created_with_scopes_shown_once_and_revoked(client: TestClient, logged_in: Login) -> None:
    _, csrf = logged_in("responder")
    resp = client.post("/account/tokens", data={"csrf_token": csrf, "name": "cli", "scopes": ["incidents:read"],
                                                "days": "30"})
    assert resp.status_code == 200
    secret = re.search(r'class="token-secret">([^<]+)<', resp.text)
    assert secret
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 200
    assert secret.group(1) not in client.get("/account/settings").text
    beyond = client.post("/account/tokens", data={"csrf_token": csrf, "name": "x", "scopes": ["users:manage"]})
    assert beyond.status_code == 422
    bad_days = client.post("/account/tokens", data={"csrf_token": csrf, "name": "x", "days": "-4"})
    assert bad_days.status_code == 422
    with unit_of_work(read_only=True) as s:
        tokens = list(s.execute(select(ApiToken)).scalars())
    assert [t.name for t in tokens] == ["cli"] and tokens[0].scopes == ["incidents:read"]
    done = client.post(f"/account/tokens/{tokens[0].id}/revoke", data={"csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"}).status_code == 401


def test_someone_elses_token_cannot_be_revoked_from_ones_own_page(client: TestClient, logged_in: Login,
                                                                  make_user: Callable[..., Actor]) -> None:
    other = make_user("responder")
    with unit_of_work() as s:
        token, _ = auth.create_token(s, other, name="theirs")
    _, csrf = logged_in("commander")
    assert client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf}).status_code == 404
    with unit_of_work(read_only=True) as s:
        assert s.get(ApiToken, token.id).revoked_at is None  # type: ignore[union-attr]


def test_audit_view_filters_pages_and_verifies(client: TestClient, logged_in: Login,
                                               make_user: Callable[..., Actor]) -> None:
    for i in range(3):
        make_user("viewer", username=f"seen{i}")
    admin, csrf = logged_in("admin")
    page = client.get("/admin/audit", params={"event_type": "user.created"})
    assert page.status_code == 200 and page.text.count("<code>user.created</code>") == 4
    only = client.get("/admin/audit", params={"event_type": "user.", "who": admin.username})
    assert "user.created" not in only.text and "user.logged_in" in only.text
    future = client.get("/admin/audit", params={"since": "2999-01-01"})
    assert "user.created" not in future.text
    bad = client.get("/admin/audit", params={"since": "yesterday"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    backwards = client.get("/admin/audit", params={"since": "2026-02-01", "until": "2026-01-01"})
    assert backwards.status_code == 422
    ok = client.post("/admin/audit/verify", data={"csrf_token": csrf})
    assert ok.status_code == 200 and 'class="audit-result ok"' in ok.text
    with unit_of_work() as s:  # tamper with an event: the page reports the break
        ev = s.execute(select(Event).order_by(Event.id).limit(1)).scalar_one()
        ev.payload = {**ev.payload, "role": "admin", "forged": True}
    broken = client.post("/admin/audit/verify", data={"csrf_token": csrf})
    assert 'audit-result broken' in broken.text


def test_audit_view_pages(client: TestClient, logged_in: Login, make_user: Callable[..., Actor]) -> None:
    for i in range(auth.AUDIT_PAGE + 5):
        make_user("viewer", username=f"many{i}")
    logged_in("analyst")  # analysts may verify the log
    first = client.get("/admin/audit", params={"event_type": "user.created"})
    assert first.status_code == 200 and "page=2" in first.text
    second = client.get("/admin/audit", params={"event_type": "user.created", "page": "2"})
    assert second.text.count("<code>user.created</code>") == 6 and "page=3" not in second.text
