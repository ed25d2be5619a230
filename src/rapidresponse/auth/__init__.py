"""Users, roles, permissions, web sessions and API tokens.

The public surface: other domains use what is exported here, never the tables behind it.
"""

from .events import LoggedIn, PasswordChanged, TokenCreated, TokenRevoked, UserCreated, UserUpdated
from .permissions import ROLES, SYSTEM, Actor, Perm
from .schemas import Person, SignedIn, TokenOut, UserOut
from .service import (
    LOCALES,
    active_people,
    authenticate,
    create_token,
    create_user,
    end_session,
    ensure_admin,
    find_person,
    generate_password,
    list_users,
    people,
    person,
    person_named,
    resolve_session,
    resolve_token,
    set_password,
    start_session,
    to_actor,
    update_user,
    usernames,
)

__all__ = [
    "LOCALES", "ROLES", "SYSTEM", "Actor", "LoggedIn", "PasswordChanged", "Perm", "Person", "SignedIn",
    "TokenCreated", "TokenOut", "TokenRevoked", "UserCreated", "UserOut", "UserUpdated", "active_people",
    "authenticate", "create_token", "create_user", "end_session", "ensure_admin", "find_person",
    "generate_password", "list_users", "people", "person", "person_named", "resolve_session", "resolve_token",
    "set_password", "start_session", "to_actor", "update_user", "usernames",
]
