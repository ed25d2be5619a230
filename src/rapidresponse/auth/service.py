"""Users, passwords, second factors, web sessions, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from .. import events
from ..clock import now
from ..config import get_settings
from ..errors import Conflict, NotAuthenticated, NotFound, TooManyRequests, ValidationFailed
from . import factors, token_cache
from .events import (
    LoggedIn,
    PasswordChanged,
    RecoveryCodesCreated,
    RecoveryCodeUsed,
    TokenCreated,
    TokenRevoked,
    TwoFactorDisabled,
    TwoFactorEnabled,
    TwoFactorReset,
    UserCreated,
    UserUpdated,
)
from .models import ApiToken, LoginFailure, TotpFactor, User, WebSession
from .permissions import ROLES, SYSTEM, Actor, Perm
from .schemas import Person, SignedIn, TokenOut, TwoFactorSetup, TwoFactorStatus

_hasher = PasswordHasher()
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
LOCALES = ("en", "ru")
MIN_PASSWORD = 10
TOKEN_PREFIX = "rr_"


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def _check_password_policy(password: str, *, username: str, display_name: str = "", email: str | None = None) -> None:
    """At least MIN_PASSWORD characters, not built from the user's own name, and not easy to guess:
    zxcvbn's estimate against its lists of common and breached passwords, words and keyboard patterns."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"password must be at least {MIN_PASSWORD} characters")
    from zxcvbn import zxcvbn  # its dictionaries load on first use, not at every start

    own = {username, display_name, (email or "").split("@")[0], *re.split(r"[._\-\s]+", username)}
    own = {part for part in own if len(part) >= 3}
    if any(part.lower() in password.lower() for part in own):
        raise ValidationFailed("the password must not contain your user name or your name", field="password")
    verdict = zxcvbn(password[:100], user_inputs=sorted(own))
    if verdict["score"] < 2:
        hint = verdict["feedback"]["warning"] or "add a few more uncommon words"
        raise ValidationFailed(f"the password is too easy to guess: {hint}", field="password")


def _person(user: User) -> Person:
    return Person(id=user.id, username=user.username, display_name=user.display_name, email=user.email,
                  role=user.role, locale=user.locale, timezone=user.timezone, is_active=user.is_active,
                  must_change_password=user.must_change_password)


def to_actor(user: User | Person, scopes: list[str] | None = None) -> Actor:
    return Actor(user_id=user.id, username=user.username, role=user.role,
                 scopes=frozenset(scopes) if scopes is not None else None, locale=user.locale,
                 timezone=user.timezone, display_name=user.display_name or user.username)


def _validate_profile(role: str | None, locale: str | None, timezone: str | None) -> None:
    if role is not None and role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
    if locale is not None and locale not in LOCALES:
        raise ValidationFailed(f"unknown locale {locale!r}; choose one of {', '.join(LOCALES)}",
                               field="locale")
    if timezone is not None and timezone not in available_timezones():
        raise ValidationFailed(f"unknown time zone {timezone!r}", field="timezone")


def create_user(session: Session, actor: Actor, *, username: str, role: str, password: str | None = None,
                display_name: str = "", email: str | None = None, locale: str = "en",
                timezone: str = "UTC", must_change_password: bool = False) -> tuple[Person, str]:
    """Create a user; returns it with its password (generated when not given)."""
    actor.require(Perm.USERS_MANAGE)
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationFailed("username: 2-64 characters, lowercase letters, digits, '.', '_' or '-'",
                               field="username")
    _validate_profile(role, locale, timezone)
    email = (email or "").strip() or None
    if email is not None and not _EMAIL.match(email):
        raise ValidationFailed(f"{email[:254]!r} is not an email address", field="email")
    if password is None:
        password, must_change_password = generate_password(), True
    _check_password_policy(password, username=username, display_name=display_name, email=email)
    if session.execute(select(User.id).where(User.username == username)).first():
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, role=role, password_hash=_hasher.hash(password),
                display_name=display_name.strip()[:120], email=email, locale=locale, timezone=timezone,
                must_change_password=must_change_password, created_at=now())
    session.add(user)
    session.flush()
    events.record(session, actor, UserCreated(subject_id=user.id, username=username, role=role))
    return _person(user), password


def ensure_admin(session: Session) -> str | None:
    """On first run create ``admin`` with a one-time password and return it; else ``None``."""
    if session.execute(select(User.id).limit(1)).first():
        return None
    _, password = create_user(session, SYSTEM, username="admin", role="admin",
                              display_name="Administrator", must_change_password=True)
    return password


def _user(session: Session, username: str) -> User:
    # No username holds a NUL (PostgreSQL refuses one in a query): not found, like any other unknown name.
    user = None if "\x00" in username else session.execute(
        select(User).where(User.username == username.lower())).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def find_person(session: Session, username: str) -> Person:
    """The user called ``username`` (active or not); NotFound when there is none."""
    return _person(_user(session, username))


def person_named(session: Session, username: str) -> Person | None:
    """The user called ``username``, or None."""
    user = session.execute(select(User).where(User.username == username.lower())).scalar_one_or_none()
    return _person(user) if user is not None else None


def person_by_email(session: Session, email: str) -> Person | None:
    """The user with this email address (compared without case), or None."""
    user = session.execute(select(User).where(func.lower(User.email) == email.strip().lower())
                           .order_by(User.id).limit(1)).scalar_one_or_none()
    return _person(user) if user is not None else None


def person(session: Session, user_id: int | None) -> Person | None:
    """The user with this id, or None."""
    user = session.get(User, user_id) if user_id is not None else None
    return _person(user) if user is not None else None


def people(session: Session, ids: Iterable[int | None]) -> dict[int, Person]:
    """The users with these ids, by id (ids that name nobody are left out)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: _person(u) for u in session.execute(select(User).where(User.id.in_(wanted))).scalars()}


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames by id, for showing who did what."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {i: name for i, name in session.execute(select(User.id, User.username).where(User.id.in_(wanted)))}


def display_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """How each person is shown (their display name, else their username), by id: for who did what."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(wanted)))
    return {i: (shown or name) for i, shown, name in rows}


def names_of(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """How each of these people is shown (display name, else username), by username (unknown ones left out)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = session.execute(select(User.username, User.display_name).where(User.username.in_(wanted)))
    return {name: (shown or name) for name, shown in rows}


def active_people(session: Session) -> list[Person]:
    """Every active user, in id order (for the platform's own notices; no permission needed)."""
    rows = session.execute(select(User).where(User.is_active.is_(True)).order_by(User.id)).scalars()
    return [_person(u) for u in rows]


def list_users(session: Session, actor: Actor) -> list[Person]:
    actor.require(Perm.INCIDENTS_READ)
    return [_person(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def update_user(session: Session, actor: Actor, username: str, *, role: str | None = None,
                locale: str | None = None, timezone: str | None = None, display_name: str | None = None,
                is_active: bool | None = None, email: str | None = None) -> Person:
    """Change a user's profile (``email=""`` removes the address). The audit log records that an
    address changed, never the address."""
    user = _user(session, username)
    if actor.user_id != user.id or role is not None or is_active is not None or email is not None:
        actor.require(Perm.USERS_MANAGE)
    _validate_profile(role, locale, timezone)
    _keep_an_admin(session, user, role=role, is_active=is_active)
    changes: dict[str, object] = {}
    for name, value in (("role", role), ("locale", locale), ("timezone", timezone),
                        ("display_name", display_name), ("is_active", is_active)):
        if value is not None and getattr(user, name) != value:
            changes[name] = value
            setattr(user, name, value)
    if email is not None and (email.strip() or None) != user.email:
        address = email.strip() or None
        if address is not None and not _EMAIL.match(address):
            raise ValidationFailed(f"{address[:254]!r} is not an email address", field="email")
        user.email = address
        changes["email"] = "changed" if address else "removed"
    if changes:
        events.record(session, actor, UserUpdated(subject_id=user.id, changes=changes))
    if changes.get("is_active") is False:
        _cut_off(session, actor, user)
    return _person(user)


def update_own_settings(session: Session, actor: Actor, *, display_name: str, email: str, locale: str,
                        timezone: str) -> Person:
    """The acting user's own settings: display name, language, time zone and email (``""`` removes it).
    Checked before anything changes; the audit log records that the address changed, never the address."""
    user = _own(session, actor)
    _validate_profile(None, locale, timezone)
    address = email.strip() or None
    if address is not None and not _EMAIL.match(address):
        raise ValidationFailed(f"{address[:254]!r} is not an email address", field="email")
    if len(display_name.strip()) > 120:
        raise ValidationFailed("a display name has at most 120 characters", field="display_name")
    changes: dict[str, object] = {}
    for name, value in (("display_name", display_name.strip()), ("locale", locale), ("timezone", timezone)):
        if getattr(user, name) != value:
            changes[name] = value
            setattr(user, name, value)
    if address != user.email:
        user.email = address
        changes["email"] = "changed" if address else "removed"
    if changes:
        events.record(session, actor, UserUpdated(subject_id=user.id, changes=changes))
    return _person(user)


def _keep_an_admin(session: Session, user: User, *, role: str | None, is_active: bool | None) -> None:
    """The last active administrator can be neither demoted nor deactivated: nobody could manage users."""
    if user.role != "admin" or not user.is_active:
        return
    if (role is None or role == "admin") and is_active is not False:
        return
    others = session.execute(select(func.count()).select_from(User).where(
        User.role == "admin", User.is_active.is_(True), User.id != user.id)).scalar_one()
    if not others:
        raise Conflict(f"{user.username} is the last active administrator; make someone else an administrator "
                       "first", field="role" if role is not None else "is_active")


def _cut_off(session: Session, actor: Actor, user: User) -> None:
    """A deactivated user's web sessions end and their API tokens are revoked at once."""
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    for token in session.execute(select(ApiToken).where(ApiToken.user_id == user.id,
                                                        ApiToken.revoked_at.is_(None))).scalars():
        token.revoked_at = now()
        events.record(session, actor, TokenRevoked(subject_id=user.id, token_id=token.id))


def erase_user(session: Session, actor: Actor, username: str) -> Person:
    """Erase a person's account on request: deactivated at once (sessions and tokens end), name, address
    and password gone, the user name replaced by ``erased-<id>``; the row stays so that what they did
    keeps an author. The payloads of their account's own events are redacted by the caller."""
    actor.require(Perm.PRIVACY_MANAGE)
    user = _user(session, username)
    if user.id == actor.user_id:
        raise Conflict("you cannot erase your own account", field="identifier")
    _keep_an_admin(session, user, role=None, is_active=False)
    was_active = user.is_active
    user.username, user.display_name, user.email = f"erased-{user.id}", "", None
    user.password_hash = "!erased"
    user.is_active, user.must_change_password = False, False
    session.execute(delete(TotpFactor).where(TotpFactor.user_id == user.id))
    events.record(session, actor, UserUpdated(subject_id=user.id, changes={"erased": True}))
    if was_active:
        _cut_off(session, actor, user)
    return _person(user)


def reset_password(session: Session, actor: Actor, username: str) -> str:
    """Give another user a generated one-time password (returned once); they must change it at login,
    and their sessions end."""
    actor.require(Perm.USERS_MANAGE)
    user = _user(session, username)
    if user.id == actor.user_id:
        raise ValidationFailed("change your own password on your account page, not by a reset", field="username")
    password = generate_password()
    set_password(session, actor, username, password)
    return password


def last_logins(session: Session, actor: Actor) -> dict[int, datetime]:
    """When each user last logged in (from the ``user.logged_in`` events), by user id."""
    actor.require(Perm.USERS_MANAGE)
    rows = session.execute(select(events.Event.subject_id, func.max(events.Event.occurred_at))
                           .where(events.Event.subject_type == "user", events.Event.type == LoggedIn.type)
                           .group_by(events.Event.subject_id))
    return {int(subject): at for subject, at in rows if subject.isdigit()}


def set_password(session: Session, actor: Actor, username: str, new_password: str,
                 *, current_password: str | None = None) -> None:
    user = _user(session, username)
    if actor.user_id == user.id:
        if current_password is None or not _verify(user, current_password):
            raise ValidationFailed("current password is wrong", field="current_password")
    else:
        actor.require(Perm.USERS_MANAGE)
    _check_password_policy(new_password, username=user.username, display_name=user.display_name, email=user.email)
    if _verify(user, new_password):
        raise ValidationFailed("choose a password other than the current one", field="new_password")
    user.password_hash = _hasher.hash(new_password)
    user.must_change_password = actor.user_id != user.id
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    events.record(session, actor, PasswordChanged(subject_id=user.id))


def _verify(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class SecondFactorNeeded(NotAuthenticated):
    """The password was right and the user has a second factor: ask for a code, then call
    :func:`finish_login` with ``pending`` (a short-lived signed token) and the code."""

    def __init__(self, pending: str) -> None:
        super().__init__("enter the code from your authenticator app or a recovery code", field="code")
        self.pending = pending


def _failures(session: Session, username: str, ip: str) -> tuple[int, int]:
    since = now() - timedelta(seconds=get_settings().login_window_seconds)
    by_name, by_ip = session.execute(
        select(func.count().filter(LoginFailure.username == username),
               func.count().filter(LoginFailure.ip == ip))
        .where(LoginFailure.at >= since, or_(LoginFailure.username == username, LoginFailure.ip == ip))
    ).one()
    return int(by_name), int(by_ip)


def _failed(session: Session, username: str, ip: str) -> None:
    session.add(LoginFailure(username=username, ip=ip[:64], at=now()))


def _use_second_factor(session: Session, user: User, code: str) -> str | None:
    """How the code was accepted ("totp" or "recovery_code"), or None when it was not."""
    factor = factors.confirmed(session, user.id)
    if factor is None:
        return None
    if factors.use_totp(session, factor, code):
        return "totp"
    if factors.use_recovery_code(session, user.id, code):
        left = factors.recovery_codes_left(session, user.id)
        events.record(session, to_actor(user), RecoveryCodeUsed(subject_id=user.id, left=left))
        return "recovery_code"
    return None


def _succeeded(session: Session, user: User, password: str | None = None) -> Person:
    if password is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    return _person(user)


def authenticate(session: Session, username: str, password: str, *, ip: str = "unknown",
                 code: str | None = None) -> Person:
    """Check a password (and, for a user who has one, the second factor), throttling repeated failures
    per username and per address.

    A user with a second factor who gives no ``code`` gets :class:`SecondFactorNeeded` after a right
    password. Once an address is throttled (a whole office behind one proxy), only a right password
    together with a valid ``code`` gets through from it; the limit per username always holds. Wrong
    passwords and wrong codes count alike. A failure is recorded in the caller's transaction before
    the error is raised: the caller must catch it inside its unit of work so that the record is
    committed, or throttling counts nothing.
    """
    settings = get_settings()
    username = username.strip().lower()[:64]
    by_name, by_ip = _failures(session, username, ip)
    if by_name >= settings.login_max_failures:
        raise TooManyRequests("too many failed logins; wait a few minutes and try again")
    address_throttled = by_ip >= settings.login_max_failures_per_address
    refused = (TooManyRequests("too many failed logins from this address; only a password with a second "
                               "factor's code gets through", scope="address")
               if address_throttled else None)
    if refused is not None and not code:
        raise refused
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.is_active or not _verify(user, password):
        if user is None:
            _hasher.hash(password)  # spend the same time as a real check
        _failed(session, username, ip)
        raise refused or NotAuthenticated("wrong username or password")
    if factors.confirmed(session, user.id) is None:
        if refused is not None:
            raise refused
        return _succeeded(session, user, password)
    if code is None:
        raise SecondFactorNeeded(factors.pending_token(user))
    if _use_second_factor(session, user, code) is None:
        _failed(session, username, ip)
        raise refused or NotAuthenticated("wrong code", field="code")
    return _succeeded(session, user, password)


def finish_login(session: Session, pending: str, code: str, *, ip: str = "unknown") -> Person:
    """The second step of a login: the signed token from :class:`SecondFactorNeeded` and a code.

    A wrong code counts as a failed login of that user; the limit per username holds, the one per
    address does not (a right password and a valid code is what lets a throttled office through).
    """
    user = factors.pending_user(session, pending)
    if user is None or not user.is_active:
        raise NotAuthenticated("the login expired; enter your password again", field="pending")
    by_name, _ = _failures(session, user.username, ip)
    if by_name >= get_settings().login_max_failures:
        raise TooManyRequests("too many failed logins; wait a few minutes and try again")
    if _use_second_factor(session, user, code) is None:
        _failed(session, user.username, ip)
        raise NotAuthenticated("wrong code", field="code")
    return _succeeded(session, user)


# --- the second factor -------------------------------------------------------------------------

def _own(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise ValidationFailed("only a user has a second factor")
    return user


def two_factor_status(session: Session, actor: Actor) -> TwoFactorStatus:
    """Whether the acting user's second factor is on, an enrolment waiting for its first code, and
    how many recovery codes are left."""
    user = _own(session, actor)
    factor = session.get(TotpFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        return TwoFactorStatus(enabled=True, recovery_codes_left=factors.recovery_codes_left(session, user.id))
    setup = (TwoFactorSetup(secret=factor.secret, uri=factors.provisioning_uri(factor.secret, user.username))
             if factor is not None else None)
    return TwoFactorStatus(enabled=False, setup=setup)


def begin_two_factor(session: Session, actor: Actor) -> TwoFactorSetup:
    """Start enrolling the acting user: a new secret, active once :func:`confirm_two_factor` gets a code."""
    user = _own(session, actor)
    if factors.confirmed(session, user.id) is not None:
        raise Conflict("two-factor authentication is already on; turn it off first")
    secret = factors.begin(session, user.id)
    return TwoFactorSetup(secret=secret, uri=factors.provisioning_uri(secret, user.username))


def confirm_two_factor(session: Session, actor: Actor, code: str) -> list[str]:
    """Turn the enrolment on with a first code from the app; returns the recovery codes (shown once)."""
    user = _own(session, actor)
    factor = session.get(TotpFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("there is no two-factor enrolment waiting for a code; start again")
    step = factors.totp_step(factor, code)
    if step is None:
        raise ValidationFailed("the code is wrong; check the clock of your phone and try the next one", field="code")
    factor.confirmed_at, factor.last_step = now(), step
    codes = factors.new_recovery_codes(session, user.id)
    events.record(session, actor, TwoFactorEnabled(subject_id=user.id))
    return codes


def _require_proof(session: Session, user: User, *, code: str | None, password: str | None) -> None:
    if code and _use_second_factor(session, user, code) is not None:
        return
    if password and _verify(user, password):
        return
    raise ValidationFailed("give a current code, a recovery code or your password", field="code")


def new_recovery_codes(session: Session, actor: Actor, *, code: str | None = None,
                       password: str | None = None) -> list[str]:
    """Replace the acting user's recovery codes (proved with a code or the password)."""
    user = _own(session, actor)
    if factors.confirmed(session, user.id) is None:
        raise Conflict("two-factor authentication is off")
    _require_proof(session, user, code=code, password=password)
    codes = factors.new_recovery_codes(session, user.id)
    events.record(session, actor, RecoveryCodesCreated(subject_id=user.id, count=len(codes)))
    return codes


def disable_two_factor(session: Session, actor: Actor, *, code: str | None = None,
                       password: str | None = None) -> None:
    """Turn off the acting user's second factor (proved with a code or the password)."""
    user = _own(session, actor)
    if factors.confirmed(session, user.id) is None:
        factors.remove(session, user.id)  # an unconfirmed enrolment, if any
        return
    _require_proof(session, user, code=code, password=password)
    factors.remove(session, user.id)
    events.record(session, actor, TwoFactorDisabled(subject_id=user.id))


def reset_two_factor(session: Session, actor: Actor, username: str) -> bool:
    """An administrator removes a user's second factor (a lost phone); their sessions end too.
    Returns whether there was one."""
    actor.require(Perm.USERS_MANAGE)
    user = _user(session, username)
    was_on = factors.remove(session, user.id)
    if was_on:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        events.record(session, actor, TwoFactorReset(subject_id=user.id, username=user.username))
    return was_on


# --- web sessions ---------------------------------------------------------------------------

def start_session(session: Session, user: Person, *, ip: str = "", user_agent: str = "",
                  method: str = "password") -> tuple[str, str]:
    """Open a web session; returns (cookie token, CSRF token). Only the token's hash is stored.
    ``method`` says how the user proved who they are: password, second_factor or sso."""
    if method == "second_factor" and factors.confirmed(session, user.id) is None:
        method = "password"  # a code sent along by a user who has no second factor proved nothing
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    started = now()
    session.add(WebSession(token_hash=_sha(token), user_id=user.id, csrf_token=csrf, created_at=started,
                           expires_at=started + timedelta(hours=get_settings().session_hours),
                           meta={"ip": ip[:64], "ua": user_agent[:200], "method": method}))
    events.record(session, to_actor(user), LoggedIn(subject_id=user.id, ip=ip[:64], method=method))
    return token, csrf


def resolve_session(session: Session, token: str) -> SignedIn | None:
    """Who is signed in with this session cookie; None for an unknown, expired or disabled one."""
    row = session.get(WebSession, _sha(token))
    if row is None or row.expires_at <= now():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    needs_factor = (user.role in get_settings().require_2fa_roles and row.meta.get("method") != "sso"
                    and factors.confirmed(session, user.id) is None)
    return SignedIn(to_actor(user), row.csrf_token, user.must_change_password, needs_factor)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _sha(token)))


# --- API tokens -----------------------------------------------------------------------------

def create_token(session: Session, actor: Actor, *, name: str, scopes: list[str] | None = None,
                 days: int | None = 90) -> tuple[TokenOut, str]:
    """Create a scoped token for the acting user; the secret is returned once and stored hashed."""
    if actor.user_id is None:
        raise ValidationFailed("only a user can own a token")
    granted = {p.value for p in actor.permissions}
    wanted = set(scopes) if scopes is not None else granted
    unknown = wanted - {p.value for p in Perm}
    if unknown:
        raise ValidationFailed(f"unknown scopes: {', '.join(sorted(unknown))}", field="scopes")
    beyond = wanted - granted
    if beyond:
        raise ValidationFailed(f"your role cannot grant: {', '.join(sorted(beyond))}", field="scopes")
    if not name.strip():
        raise ValidationFailed("a token needs a name", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    created = now()
    token = ApiToken(user_id=actor.user_id, name=name.strip()[:120], prefix=secret[:10],
                     token_hash=_sha(secret), scopes=sorted(wanted), created_at=created,
                     expires_at=created + timedelta(days=days) if days else None)
    session.add(token)
    session.flush()
    events.record(session, actor, TokenCreated(subject_id=actor.user_id, token_id=token.id, name=token.name,
                                               scopes=token.scopes))
    return _token_out(token), secret


# The token and its user in one statement of plain rows: every API request runs it.
_TOKEN_ACTOR = (select(ApiToken.revoked_at, ApiToken.expires_at, ApiToken.scopes, User.id, User.username, User.role,
                       User.is_active, User.locale, User.timezone, User.display_name)
                .outerjoin(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == bindparam("token_hash")))


def _token_actor(conn: Session | Connection, token_hash: str) -> tuple[Actor, datetime | None]:
    row = conn.execute(_TOKEN_ACTOR, {"token_hash": token_hash}).one_or_none()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now()):
        raise NotAuthenticated("invalid, expired or revoked API token")
    if row.id is None or not row.is_active:
        raise NotAuthenticated("the token's user is disabled")
    return Actor(user_id=row.id, username=row.username, role=row.role,
                 scopes=frozenset(row.scopes) if row.scopes is not None else None,
                 locale=row.locale, timezone=row.timezone, display_name=row.display_name or row.username
                 ), row.expires_at


def resolve_token(session: Session, secret: str) -> Actor:
    return _token_actor(session, _sha(secret))[0]


def authenticate_token(secret: str) -> Actor:
    """The actor behind an API token, for a request: kept in process memory while the auth version
    says nothing changed (see :mod:`.token_cache`); revoked or expired tokens are refused at once."""
    return token_cache.resolve(secret, _token_actor)


def _token_out(t: ApiToken) -> TokenOut:
    return TokenOut(id=t.id, name=t.name, prefix=t.prefix, scopes=t.scopes, created_at=t.created_at,
                    expires_at=t.expires_at, revoked_at=t.revoked_at)


def list_tokens(session: Session, actor: Actor, username: str | None = None) -> list[TokenOut]:
    """The acting user's tokens, or (for those who manage users) the tokens of ``username``."""
    user_id = actor.user_id
    if username is not None:
        user = _user(session, username)
        if user.id != actor.user_id:
            actor.require(Perm.USERS_MANAGE)
        user_id = user.id
    return [_token_out(t) for t in session.execute(select(ApiToken).where(ApiToken.user_id == user_id)
                                                   .order_by(ApiToken.id)).scalars()]


def revoke_token(session: Session, actor: Actor, token_id: int, *, owner: str | None = None) -> None:
    """Revoke one of the acting user's tokens, or (for those who manage users) anyone's; with ``owner``,
    only a token of that user."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.can(Perm.USERS_MANAGE)):
        raise NotFound(f"no token {token_id}")
    if owner is not None and token.user_id != _user(session, owner).id:
        raise NotFound(f"{owner} has no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now()
        events.record(session, actor, TokenRevoked(subject_id=token.user_id, token_id=token.id))


# --- the audit view ----------------------------------------------------------------------------

AUDIT_PAGE = 50


def audit_log(session: Session, actor: Actor, *, who: str = "", subject_type: str = "", subject_id: str = "",
              event_type: str = "", since: datetime | None = None, until: datetime | None = None,
              page: int = 1) -> tuple[list[events.Event], bool]:
    """A page of the event log, newest first, filtered by who acted (username), subject, event type
    (exact, or a prefix ending in ``.``) and time; and whether an older page follows."""
    actor.require(Perm.AUDIT_VERIFY)
    if since is not None and until is not None and since > until:
        raise ValidationFailed("the start of the time range is after its end", field="since")
    Event = events.Event
    query = select(Event)
    if who.strip():
        query = query.where(Event.actor == who.strip().lower())
    if subject_type.strip():
        query = query.where(Event.subject_type == subject_type.strip())
    if subject_id.strip():
        query = query.where(Event.subject_id == subject_id.strip())
    if event_type.strip():
        kind = event_type.strip()
        query = query.where(Event.type.startswith(kind, autoescape=True) if kind.endswith(".")
                            else Event.type == kind)
    if since is not None:
        query = query.where(Event.occurred_at >= since)
    if until is not None:
        query = query.where(Event.occurred_at < until)
    page = max(1, min(page, 100_000))
    rows = list(session.execute(query.order_by(Event.id.desc()).offset((page - 1) * AUDIT_PAGE)
                                .limit(AUDIT_PAGE + 1)).scalars())
    return rows[:AUDIT_PAGE], len(rows) > AUDIT_PAGE


def verify_log(session: Session, actor: Actor) -> events.VerifyResult:
    """The same check as ``rapidresponse audit verify``, for those allowed to run it."""
    actor.require(Perm.AUDIT_VERIFY)
    return events.verify(session)
