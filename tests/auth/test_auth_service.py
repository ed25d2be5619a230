"""Passwords (argon2), hashed API tokens, login throttling, sessions and the password policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.auth import service as auth
from rapidresponse.auth.models import ApiToken, User, WebSession
from rapidresponse.config import get_settings
from rapidresponse.db import unit_of_work
from rapidresponse.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
)

PASSWORD = "correct horse battery"


def _authenticate(username: str, password: str, ip: str = "10.0.0.1") -> User:
    with unit_of_work() as s:
        return auth.authenticate(s, username, password, ip=ip)


def _fail(username: str, password: str, ip: str = "10.0.0.1") -> type[Exception]:
    """A refused login, the way the login view does it: the failure record is committed."""
    with unit_of_work() as s:
        try:
            auth.authenticate(s, username, password, ip=ip)
        except (NotAuthenticated, TooManyRequests) as exc:
            return type(exc)
    raise AssertionError("authentication succeeded")


def _dump_database(engine: Engine) -> str:
    """Every value of every table, as text."""
    from rapidresponse import db

    with engine.connect() as conn:
        return "\n".join(str(row) for t in db.Base.metadata.sorted_tables
                         for row in conn.execute(text(f"SELECT * FROM {t.name}")))


def test_passwords_are_argon2_hashes(real_argon2: None, engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder", password=PASSWORD)
    with unit_of_work() as s:
        user = s.execute(select(User).where(User.username == actor.username)).scalar_one()
        assert user.password_hash.startswith("$argon2id$")
        # the library's recommended parameters (RFC 9106 low-memory profile), not the tests' cheap ones
        assert "$m=65536,t=3,p=4$" in user.password_hash
        assert PASSWORD not in user.password_hash
    assert _authenticate(actor.username, PASSWORD).username == actor.username
    assert PASSWORD not in _dump_database(engine)


def test_tokens_are_stored_hashed(engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder")
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="ci", scopes=["incidents:read"])
    assert secret.startswith(auth.TOKEN_PREFIX) and len(secret) > 30
    dump = _dump_database(engine)
    assert secret not in dump and secret[10:] not in dump
    with unit_of_work() as s:
        row = s.execute(select(ApiToken)).scalar_one()
        assert row.prefix == secret[:10] and len(row.token_hash) == 64
        resolved = auth.resolve_token(s, secret)
    assert resolved.username == actor.username and resolved.scopes == frozenset({"incidents:read"})


def test_sessions_are_stored_hashed_and_expire(engine: Engine, make_user: Callable[..., Actor],
                                               fake_clock: Any) -> None:
    actor = make_user("responder")
    with unit_of_work() as s:
        cookie, csrf = auth.start_session(s, auth.find_person(s, actor.username))
    assert cookie not in _dump_database(engine)
    with unit_of_work() as s:
        found = auth.resolve_session(s, cookie)
        assert found is not None and found.actor.username == actor.username and found.csrf_token == csrf
    fake_clock.advance(hours=get_settings().session_hours, seconds=-1)
    with unit_of_work() as s:
        assert auth.resolve_session(s, cookie) is not None
    fake_clock.advance(seconds=2)
    with unit_of_work() as s:
        assert auth.resolve_session(s, cookie) is None
        assert auth.resolve_session(s, "not-a-session") is None


def test_ended_session_and_disabled_user(engine: Engine, make_user: Callable[..., Actor]) -> None:
    admin, actor = make_user("admin"), make_user("responder")
    with unit_of_work() as s:
        cookie, _ = auth.start_session(s, auth.find_person(s, actor.username))
        other, _ = auth.start_session(s, auth.find_person(s, actor.username))
    with unit_of_work() as s:
        auth.end_session(s, cookie)
    with unit_of_work() as s:
        assert auth.resolve_session(s, cookie) is None
        assert auth.resolve_session(s, other) is not None
        auth.update_user(s, admin, actor.username, is_active=False)
    with unit_of_work() as s:
        assert auth.resolve_session(s, other) is None
    with pytest.raises(NotAuthenticated):
        _authenticate(actor.username, PASSWORD)


def test_password_change_ends_sessions(engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder")
    with unit_of_work() as s:
        auth.start_session(s, auth.find_person(s, actor.username))
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        auth.set_password(s, actor, actor.username, "a-brand-new-password", current_password="wrong one")
    with unit_of_work() as s:
        auth.set_password(s, actor, actor.username, "a-brand-new-password", current_password=PASSWORD)
    with unit_of_work() as s:
        assert s.execute(select(WebSession)).first() is None
        assert auth.find_person(s, actor.username).must_change_password is False
    assert _authenticate(actor.username, "a-brand-new-password").username == actor.username


@pytest.mark.parametrize("password", ["", "short", "nine-char"])
def test_password_policy(engine: Engine, make_user: Callable[..., Actor], password: str) -> None:
    with pytest.raises(ValidationFailed, match="at least 10"), unit_of_work() as s:
        auth.create_user(s, SYSTEM, username="weak", role="viewer", password=password)
    actor = make_user("responder")
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        auth.set_password(s, actor, actor.username, password, current_password=PASSWORD)
    with unit_of_work() as s:
        assert s.execute(select(User).where(User.username == "weak")).first() is None


@pytest.mark.parametrize(("password", "message"), [
    ("password1234", "too easy to guess"), ("qwertyuiop123", "too easy to guess"),
    ("1234567890", "too easy to guess"), ("aigerim.nurlanova!", "your user name"),
    ("Nurlanova-2026-x", "your user name"),
])
def test_common_passwords_and_the_users_own_name_are_refused(engine: Engine, password: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message), unit_of_work() as s:
        auth.create_user(s, SYSTEM, username="aigerim.nurlanova", role="viewer", password=password)
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(User).where(User.username == "aigerim.nurlanova")).first() is None


def test_the_current_password_cannot_be_set_again(engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder", password=PASSWORD)
    with pytest.raises(ValidationFailed, match="other than the current one"), unit_of_work() as s:
        auth.set_password(s, actor, actor.username, PASSWORD, current_password=PASSWORD)
    with unit_of_work() as s:
        auth.set_password(s, actor, actor.username, "Жаңа құпия сөз 2026", current_password=PASSWORD)


def test_generated_passwords_must_be_changed(engine: Engine) -> None:
    with unit_of_work() as s:
        user, password = auth.create_user(s, SYSTEM, username="fresh", role="viewer")
        assert len(password) >= auth.MIN_PASSWORD and user.must_change_password
    with unit_of_work() as s:
        assert auth.ensure_admin(s) is None  # a user exists already


def test_first_run_creates_admin_once(engine: Engine) -> None:
    with unit_of_work() as s:
        password = auth.ensure_admin(s)
    assert password
    with unit_of_work() as s:
        admin = auth.find_person(s, "admin")
        assert admin.role == "admin" and admin.must_change_password
        assert auth.ensure_admin(s) is None


def test_usernames_and_profiles_are_validated(engine: Engine) -> None:
    bad: list[dict[str, Any]] = [{"username": "Has Space"}, {"username": "x"}, {"username": "кириллица"},
                                 {"role": "overlord"}, {"locale": "de"}, {"timezone": "Europe/Nowhere"}]
    for extra in bad:
        kw = {"username": "valid-name", "role": "viewer", "password": PASSWORD, **extra}
        with pytest.raises(ValidationFailed), unit_of_work() as s:
            auth.create_user(s, SYSTEM, **kw)
    with unit_of_work() as s:
        auth.create_user(s, SYSTEM, username="Valid.Name", role="viewer", password=PASSWORD,
                         timezone="Asia/Almaty")
    with pytest.raises(Conflict), unit_of_work() as s:
        auth.create_user(s, SYSTEM, username="valid.name", role="viewer", password=PASSWORD)
    with pytest.raises(NotFound), unit_of_work() as s:
        auth.find_person(s, "nobody")


# --- login throttling -----------------------------------------------------------------------

def test_login_throttled_after_max_failures_even_with_the_right_password(
        engine: Engine, make_user: Callable[..., Actor], fake_clock: Any) -> None:
    actor = make_user("responder", password=PASSWORD)
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert _fail(actor.username, "wrong password") is NotAuthenticated
        fake_clock.advance(seconds=1)
    assert _fail(actor.username, PASSWORD) is TooManyRequests
    assert _fail(actor.username.upper(), PASSWORD) is TooManyRequests  # same account, other spelling
    assert _fail(actor.username, PASSWORD, ip="10.9.9.9") is TooManyRequests  # per username, not only per address
    fake_clock.advance(seconds=get_settings().login_window_seconds)
    assert _authenticate(actor.username, PASSWORD).username == actor.username
    # a success clears the count
    for _ in range(limit - 1):
        _fail(actor.username, "wrong password")
    assert _authenticate(actor.username, PASSWORD).username == actor.username
    assert _fail(actor.username, "wrong password") is NotAuthenticated


def test_throttling_one_user_leaves_others_alone(engine: Engine, make_user: Callable[..., Actor]) -> None:
    victim, other = make_user("responder"), make_user("responder")
    for _ in range(get_settings().login_max_failures):
        _fail(victim.username, "guess", ip="10.1.1.1")
    assert _fail(victim.username, PASSWORD, ip="10.1.1.1") is TooManyRequests
    assert _authenticate(other.username, PASSWORD, ip="10.2.2.2").username == other.username


def test_throttling_per_address_across_usernames(engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder")
    per_ip = get_settings().login_max_failures_per_address
    assert per_ip > get_settings().login_max_failures * 4  # an office behind one address is not locked out early
    for i in range(per_ip):
        _fail(f"sprayed-{i}", "guess", ip="10.6.6.6")
    assert _fail(actor.username, PASSWORD, ip="10.6.6.6") is TooManyRequests
    assert _authenticate(actor.username, PASSWORD, ip="10.7.7.7").username == actor.username


def test_unknown_users_fail_like_wrong_passwords(engine: Engine, make_user: Callable[..., Actor]) -> None:
    actor = make_user("responder")
    for name, password in (("no-such-user", PASSWORD), (actor.username, "wrong password")):
        with pytest.raises(NotAuthenticated) as exc:
            _authenticate(name, password)
        assert exc.value.detail == "wrong username or password"


# --- tokens -----------------------------------------------------------------------------------

def test_token_expiry_and_revocation(engine: Engine, make_user: Callable[..., Actor], fake_clock: Any) -> None:
    actor, stranger = make_user("responder"), make_user("responder")
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="week", days=7)
        forever, forever_secret = auth.create_token(s, actor, name="forever", days=None)
    fake_clock.advance(days=7, seconds=-1)
    with unit_of_work() as s:
        auth.resolve_token(s, secret)
    fake_clock.advance(seconds=2)
    with pytest.raises(NotAuthenticated), unit_of_work() as s:
        auth.resolve_token(s, secret)
    with unit_of_work() as s:
        auth.resolve_token(s, forever_secret)
    with pytest.raises(NotFound), unit_of_work() as s:
        auth.revoke_token(s, stranger, forever.id)
    with unit_of_work() as s:
        auth.revoke_token(s, actor, forever.id)
    with pytest.raises(NotAuthenticated), unit_of_work() as s:
        auth.resolve_token(s, forever_secret)


def test_tokens_cannot_exceed_the_role(engine: Engine, make_user: Callable[..., Actor]) -> None:
    viewer = make_user("viewer")
    for scopes in (["incidents:declare"], ["users:manage"], ["nonsense"]):
        with pytest.raises(ValidationFailed), unit_of_work() as s:
            auth.create_token(s, viewer, name="x", scopes=scopes)
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        auth.create_token(s, SYSTEM, name="system has no user")
    with unit_of_work() as s:
        token, _ = auth.create_token(s, viewer, name="default")
        assert token.scopes == ["incidents:read"]


def test_scoped_actor_cannot_manage_users(engine: Engine, make_user: Callable[..., Actor]) -> None:
    admin = make_user("admin")
    with unit_of_work() as s:
        _, secret = auth.create_token(s, admin, name="read", scopes=["incidents:read"])
    with unit_of_work() as s:
        narrowed = auth.resolve_token(s, secret)
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        auth.create_user(s, narrowed, username="sneaky", role="admin")


def test_x_forwarded_for_is_believed_only_from_trusted_proxies(env: Any) -> None:
    from starlette.requests import Request

    from rapidresponse.http import client_ip

    def request(peer: str, forwarded: str) -> Request:
        return Request({"type": "http", "client": (peer, 50000), "headers": [(b"x-forwarded-for", forwarded.encode())]})

    assert client_ip(request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"  # no proxy configured: the peer
    env(trusted_proxies='["10.0.0.0/24", "fd00::1"]')
    assert client_ip(request("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("10.0.0.5", "198.51.100.7, 203.0.113.9, 10.0.0.4")) == "203.0.113.9"  # nearest untrusted
    assert client_ip(request("192.0.2.1", "203.0.113.9")) == "192.0.2.1"  # not from a proxy: forged, ignored
    assert client_ip(request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    env(trusted_proxies='["10.0.0.300/8"]')
    with pytest.raises(ValueError):
        get_settings()


def test_an_admin_sets_and_removes_an_address_and_the_log_keeps_no_address(
        make_user: Callable[..., Actor]) -> None:
    from rapidresponse.events import Event

    admin, person = make_user("admin"), make_user("comms")
    with unit_of_work() as s:
        assert auth.update_user(s, admin, person.username, email="lead@example.org").email == "lead@example.org"
        with pytest.raises(ValidationFailed, match="not an email address"):
            auth.update_user(s, admin, person.username, email="not an address")
        with pytest.raises(PermissionDenied):
            auth.update_user(s, person, person.username, email="mine@example.org")  # an admin sets addresses
    with unit_of_work() as s:
        assert auth.update_user(s, admin, person.username, email="").email is None
        payloads = [e.payload for e in s.execute(select(Event).where(Event.type == "user.updated")).scalars()]
    assert {"changes": {"email": "changed"}} in payloads and {"changes": {"email": "removed"}} in payloads
    assert not any("example.org" in str(p) for p in payloads)


def test_deactivating_ends_sessions_and_revokes_tokens_and_spares_the_last_admin(
        engine: Engine, make_user: Callable[..., Actor]) -> None:
    from typer.testing import CliRunner

    from rapidresponse.cli import app

    admin = make_user("admin")
    user = make_user("responder")
    with unit_of_work() as s:
        auth.start_session(s, auth.find_person(s, user.username), ip="127.0.0.1", user_agent="t")
        _, secret = auth.create_token(s, user, name="bot")
    runner = CliRunner()
    done = runner.invoke(app, ["users", "deactivate", user.username, "--as", admin.username])
    assert done.exit_code == 0, done.output
    with unit_of_work(read_only=True) as s:
        assert s.execute(select(WebSession).where(WebSession.user_id == user.user_id)).first() is None
        assert all(t.revoked_at is not None for t in s.execute(select(ApiToken)).scalars())
        with pytest.raises(NotAuthenticated):
            auth.resolve_token(s, secret)
    refused = runner.invoke(app, ["users", "deactivate", admin.username, "--as", admin.username])
    assert refused.exit_code == 2 and "last active administrator" in refused.output
    demoted = runner.invoke(app, ["users", "set-role", admin.username, "viewer", "--as", admin.username])
    assert demoted.exit_code == 2
    with unit_of_work(read_only=True) as s:
        me = auth.find_person(s, admin.username)
    assert me.role == "admin" and me.is_active
    assert runner.invoke(app, ["users", "activate", user.username, "--as", admin.username]).exit_code == 0
