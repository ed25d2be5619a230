"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

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
from .permissions import ROLES, SYSTEM, Actor, Perm
from .schemas import Person, SignedIn, TokenOut, TwoFactorSetup, TwoFactorStatus, UserOut
from .service import (
    LOCALES,
    SecondFactorNeeded,
    active_people,
    authenticate,
    begin_two_factor,
    confirm_two_factor,
    create_token,
    create_user,
    disable_two_factor,
    end_session,
    ensure_admin,
    find_person,
    finish_login,
    generate_password,
    list_users,
    new_recovery_codes,
    people,
    person,
    person_named,
    reset_two_factor,
    resolve_session,
    resolve_token,
    set_password,
    start_session,
    to_actor,
    two_factor_status,
    update_user,
    usernames,
)

__all__ = [
    "LOCALES", "ROLES", "SYSTEM", "Actor", "LoggedIn", "PasswordChanged", "Perm", "Person", "RecoveryCodeUsed",
    "RecoveryCodesCreated", "SecondFactorNeeded", "SignedIn", "TokenCreated", "TokenOut", "TokenRevoked",
    "TwoFactorDisabled", "TwoFactorEnabled", "TwoFactorReset", "TwoFactorSetup", "TwoFactorStatus", "UserCreated",
    "UserOut", "UserUpdated", "active_people", "authenticate", "begin_two_factor", "confirm_two_factor",
    "create_token", "create_user", "disable_two_factor", "end_session", "ensure_admin", "find_person",
    "finish_login", "generate_password", "list_users", "new_recovery_codes", "people", "person", "person_named",
    "reset_two_factor", "resolve_session", "resolve_token", "set_password", "start_session", "to_actor",
    "two_factor_status", "update_user", "usernames",
]
