"""The optional second factor: enrolment, codes at login, replay, recovery codes, throttling, reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from sqlalchemy import Engine, select, text

from rapidresponse import events
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.auth import service as auth
from rapidresponse.auth.models import RecoveryCode, WebSession
from rapidresponse.config import get_settings
from rapidresponse.db import unit_of_work
from rapidresponse.errors import Conflict, NotAuthenticated, PermissionDenied, TooManyRequests, ValidationFailed

PASSWORD = "correct horse battery"


def _enrol(actor: Actor, fake_clock: Any) -> tuple[pyotp.TOTP, list[str]]:
    """Turn the second factor on the way the account page does; returns the app's generator and the
    recovery codes."""
    with unit_of_work() as s:
        setup = auth.begin_two_factor(s, actor)
    assert setup.uri.startswith("otpauth://totp/") and f"secret={setup.secret}" in setup.uri
    app = pyotp.TOTP(setup.secret)
    with unit_of_work() as s:
        codes = auth.confirm_two_factor(s, actor, app.at(fake_clock.now))
    fake_clock.advance(seconds=30)  # the first code is spent: the next login uses the next one
    return app, codes


def _login(username: str, password: str = PASSWORD, *, ip: str = "10.0.0.1", code: str | None = None) -> Any:
    """A login as the view does it: the outcome, with failures committed."""
    with unit_of_work() as s:
        try:
            return auth.authenticate(s, username, password, ip=ip, code=code)
        except (NotAuthenticated, TooManyRequests) as exc:
            return exc


def _finish(pending: str, code: str, ip: str = "10.0.0.1") -> Any:
    with unit_of_work() as s:
        try:
            return auth.finish_login(s, pending, code, ip=ip)
        except (NotAuthenticated, TooManyRequests) as exc:
            return exc


def test_enrol_then_login_asks_for_the_code(engine: Engine, make_user: Callable[..., Actor],
                                            fake_clock: Any) -> None:
    actor = make_user("responder")
    with unit_of_work() as s:
        assert auth.two_factor_status(s, actor).enabled is False
        setup = auth.begin_two_factor(s, actor)
    with unit_of_work() as s:  # not on before the first code
        assert auth.two_factor_status(s, actor).setup == setup
    assert _login(actor.username).username == actor.username
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        auth.confirm_two_factor(s, actor, "000000" if pyotp.TOTP(setup.secret).now() != "000000" else "111111")
    app = pyotp.TOTP(setup.secret)
    with unit_of_work() as s:
        codes = auth.confirm_two_factor(s, actor, app.at(fake_clock.now))
    assert len(codes) == 10 and len(set(codes)) == 10
    with unit_of_work() as s:
        status = auth.two_factor_status(s, actor)
        assert status.enabled and status.recovery_codes_left == 10
        with pytest.raises(Conflict):
            auth.begin_two_factor(s, actor)
    fake_clock.advance(seconds=30)

    needed = _login(actor.username)
    assert isinstance(needed, auth.SecondFactorNeeded)
    wrong = _login(actor.username, "wrong password!")  # a wrong password never reaches the code step
    assert type(wrong) is NotAuthenticated
    refused = _finish(needed.pending, "123456" if app.at(fake_clock.now) != "123456" else "654321")
    assert type(refused) is NotAuthenticated and refused.extra["field"] == "code"
    assert _finish(needed.pending, app.at(fake_clock.now)).username == actor.username
    # the code in one request with the password works too
    fake_clock.advance(seconds=30)
    assert _login(actor.username, code=app.at(fake_clock.now)).username == actor.username


def test_a_code_is_accepted_once(engine: Engine, make_user: Callable[..., Actor], fake_clock: Any) -> None:
    actor = make_user("responder")
    app, _ = _enrol(actor, fake_clock)
    code = app.at(fake_clock.now)
    assert _login(actor.username, code=code).username == actor.username
    replayed = _login(actor.username, code=code)
    assert type(replayed) is NotAuthenticated
    # an older code than the last one used is refused as well, a neighbouring newer one is accepted
    assert type(_login(actor.username, code=app.at(fake_clock.now, counter_offset=-1))) is NotAuthenticated
    assert _login(actor.username, code=app.at(fake_clock.now, counter_offset=1)).username == actor.username
    fake_clock.advance(minutes=5)
    assert type(_login(actor.username, code=app.at(fake_clock.now, counter_offset=-3))) is NotAuthenticated


def test_recovery_codes_work_once_and_are_stored_hashed(engine: Engine, make_user: Callable[..., Actor],
                                                        fake_clock: Any) -> None:
    actor = make_user("responder")
    _, codes = _enrol(actor, fake_clock)
    needed = _login(actor.username)
    assert _finish(needed.pending, codes[0].upper().replace("-", " ")).username == actor.username
    assert type(_login(actor.username, code=codes[0])) is NotAuthenticated
    with unit_of_work() as s:
        assert auth.two_factor_status(s, actor).recovery_codes_left == 9
        stored = " ".join(s.execute(select(RecoveryCode.code_hash)).scalars())
        used = [e for e in events.for_subject(s, "user", actor.user_id) if e.type == "user.recovery_code_used"]
    assert len(used) == 1 and used[0].payload["left"] == 9
    assert not any(c.replace("-", "") in stored for c in codes)
    with unit_of_work() as s:
        fresh = auth.new_recovery_codes(s, actor, password=PASSWORD)
    assert set(fresh).isdisjoint(codes)
    assert type(_login(actor.username, code=codes[1])) is NotAuthenticated  # the old set is gone
    assert _login(actor.username, code=fresh[1]).username == actor.username


def test_wrong_codes_count_toward_throttling(engine: Engine, make_user: Callable[..., Actor],
                                             fake_clock: Any) -> None:
    actor = make_user("responder")
    app, _ = _enrol(actor, fake_clock)
    for _ in range(get_settings().login_max_failures):
        needed = _login(actor.username)
        assert isinstance(needed, auth.SecondFactorNeeded)
        assert type(_finish(needed.pending, "000000")) is NotAuthenticated
    assert type(_login(actor.username, code=app.at(fake_clock.now))) is TooManyRequests
    assert type(_finish(needed.pending, app.at(fake_clock.now))) is TooManyRequests


def test_a_throttled_address_lets_a_password_with_a_code_through(engine: Engine, make_user: Callable[..., Actor],
                                                                 fake_clock: Any) -> None:
    with_factor, without = make_user("responder"), make_user("responder")
    app, _ = _enrol(with_factor, fake_clock)
    office = "10.6.6.6"
    for i in range(get_settings().login_max_failures_per_address):
        _login(f"sprayed-{i}", "guess", ip=office)
    # no code: refused before anything is checked, saying that a code would help
    refused = _login(with_factor.username, ip=office)
    assert type(refused) is TooManyRequests and refused.extra["scope"] == "address"
    assert type(_login(without.username, ip=office)) is TooManyRequests
    assert type(_login(without.username, ip=office, code="123456")) is TooManyRequests
    # a wrong password or a wrong code with it: still refused (and counted against the account)
    assert type(_login(with_factor.username, "wrong password!", ip=office, code=app.at(fake_clock.now))) \
        is TooManyRequests
    assert type(_login(with_factor.username, ip=office, code="000000")) is TooManyRequests
    # the right password and a valid code get through
    assert _login(with_factor.username, ip=office, code=app.at(fake_clock.now)).username == with_factor.username
    # the limit per account still holds from a throttled address
    for _ in range(get_settings().login_max_failures):
        _login(with_factor.username, "wrong password!", ip=office, code="000000")
    fake_clock.advance(seconds=30)
    assert type(_login(with_factor.username, ip=office, code=app.at(fake_clock.now))) is TooManyRequests
    assert "too many failed logins;" in _login(with_factor.username, ip=office, code=app.at(fake_clock.now)).detail


def test_a_pending_login_expires_and_cannot_be_forged(engine: Engine, make_user: Callable[..., Actor],
                                                      fake_clock: Any) -> None:
    actor, other = make_user("responder"), make_user("responder")
    app, _ = _enrol(actor, fake_clock)
    needed = _login(actor.username)
    _, expires, mac = needed.pending.split(".")
    forged = f"{other.user_id}.{expires}.{mac}"
    assert _finish(forged, app.at(fake_clock.now)).extra["field"] == "pending"
    fake_clock.advance(minutes=6)
    assert _finish(needed.pending, app.at(fake_clock.now)).extra["field"] == "pending"
    # a password change voids a half-finished login
    needed = _login(actor.username)
    with unit_of_work() as s:
        auth.set_password(s, SYSTEM, actor.username, "another long passphrase")
    assert _finish(needed.pending, app.at(fake_clock.now)).extra["field"] == "pending"


def test_disable_needs_a_code_or_the_password(engine: Engine, make_user: Callable[..., Actor],
                                              fake_clock: Any) -> None:
    actor = make_user("responder")
    app, _ = _enrol(actor, fake_clock)
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        auth.disable_two_factor(s, actor, code="000000", password="wrong password!")
    with unit_of_work() as s:
        auth.disable_two_factor(s, actor, code=app.at(fake_clock.now))
    assert _login(actor.username).username == actor.username
    with unit_of_work() as s:
        assert not s.execute(select(RecoveryCode)).first()
        types = [e.type for e in events.for_subject(s, "user", actor.user_id)]
    assert "user.two_factor_enabled" in types and "user.two_factor_disabled" in types


def test_an_administrator_resets_a_lost_factor(engine: Engine, make_user: Callable[..., Actor],
                                               fake_clock: Any) -> None:
    actor, admin, peer = make_user("responder"), make_user("admin"), make_user("commander")
    _enrol(actor, fake_clock)
    with unit_of_work() as s:
        auth.start_session(s, auth.find_person(s, actor.username))
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        auth.reset_two_factor(s, peer, actor.username)
    with unit_of_work() as s:
        assert auth.reset_two_factor(s, admin, actor.username) is True
    assert _login(actor.username).username == actor.username
    with unit_of_work() as s:
        assert not s.execute(select(WebSession).where(WebSession.user_id == actor.user_id)).first()
        reset = [e for e in events.for_subject(s, "user", actor.user_id) if e.type == "user.two_factor_reset"]
        assert reset[0].actor_id == admin.user_id
        assert auth.reset_two_factor(s, admin, actor.username) is False


def test_secrets_are_kept_in_the_database(engine: Engine, make_user: Callable[..., Actor], fake_clock: Any) -> None:
    actor = make_user("responder")
    with unit_of_work() as s:
        setup = auth.begin_two_factor(s, actor)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT secret FROM totp_factors")).scalar_one() == setup.secret


def test_reset_from_the_command_line(engine: Engine, make_user: Callable[..., Actor], fake_clock: Any) -> None:
    from typer.testing import CliRunner

    from rapidresponse.cli import app

    actor, admin, peer = make_user("responder"), make_user("admin"), make_user("commander")
    _enrol(actor, fake_clock)
    runner = CliRunner()
    refused = runner.invoke(app, ["users", "reset-2fa", actor.username, "--as", peer.username])
    assert refused.exit_code == 2, refused.output
    assert isinstance(_login(actor.username), auth.SecondFactorNeeded)
    done = runner.invoke(app, ["users", "reset-2fa", actor.username, "--as", admin.username])
    assert done.exit_code == 0 and "removed" in done.output
    assert _login(actor.username).username == actor.username
    again = runner.invoke(app, ["users", "reset-2fa", actor.username, "--as", admin.username])
    assert again.exit_code == 0 and "had no second factor" in again.output
