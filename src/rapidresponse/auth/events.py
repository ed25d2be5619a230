"""What the auth domain records: users created and changed, logins, second factors, API tokens."""

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
    method: str = "password"  # "password", "second_factor" (password and code) or "sso"

    def describe(self, _: Translate) -> str:
        if self.method == "sso":
            return _("signed in with single sign-on from %(ip)s", ip=self.ip)
        if self.method != "password":
            return _("logged in with a second factor from %(ip)s", ip=self.ip)
        return _("logged in from %(ip)s", ip=self.ip)


class TwoFactorEnabled(UserEvent):
    type = "user.two_factor_enabled"

    def describe(self, _: Translate) -> str:
        return _("turned on two-factor authentication")


class TwoFactorDisabled(UserEvent):
    type = "user.two_factor_disabled"

    def describe(self, _: Translate) -> str:
        return _("turned off two-factor authentication")


class TwoFactorReset(UserEvent):
    type = "user.two_factor_reset"
    username: str

    def describe(self, _: Translate) -> str:
        return _("reset the second factor of %(user)s", user=self.username)


class RecoveryCodesCreated(UserEvent):
    type = "user.recovery_codes_created"
    count: int

    def describe(self, _: Translate) -> str:
        return _("created %(n)s new recovery codes", n=self.count)


class RecoveryCodeUsed(UserEvent):
    type = "user.recovery_code_used"
    left: int

    def describe(self, _: Translate) -> str:
        return _("used a recovery code (%(n)s left)", n=self.left)


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
