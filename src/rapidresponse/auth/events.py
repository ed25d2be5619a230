"""What the auth domain records: users created and changed, logins, API tokens."""

from __future__ import annotations

from typing import Any

from ..events import DomainEvent
from ..i18n import Translate


class UserEvent(DomainEvent):
    subject_type = "user"


class UserCreated(UserEvent):
    type = "user.created"
    username: str
    role: str

    def describe(self, _: Translate) -> str:
        return _("created the user %(user)s (%(role)s)", user=self.username, role=self.role)


class UserUpdated(UserEvent):
    type = "user.updated"
    changes: dict[str, Any]

    def describe(self, _: Translate) -> str:
        return _("changed the user's %(fields)s", fields=", ".join(sorted(self.changes)))


class PasswordChanged(UserEvent):
    type = "user.password_changed"

    def describe(self, _: Translate) -> str:
        return _("changed the password")


class LoggedIn(UserEvent):
    type = "user.logged_in"
    ip: str

    def describe(self, _: Translate) -> str:
        return _("logged in from %(ip)s", ip=self.ip)


class TokenCreated(UserEvent):
    type = "token.created"
    token_id: int
    name: str
    scopes: list[str]

    def describe(self, _: Translate) -> str:
        return _("created the API token “%(name)s”", name=self.name)


class TokenRevoked(UserEvent):
    type = "token.revoked"
    token_id: int

    def describe(self, _: Translate) -> str:
        return _("revoked API token #%(id)s", id=self.token_id)
