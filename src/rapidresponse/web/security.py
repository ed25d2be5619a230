"""Who is using the web UI, and CSRF protection for every form.

Logged-in forms carry the session's CSRF token (stored with the session). The login form, which
has no session yet, uses a signed double-submit token: a random nonce in a cookie and, in the form,
an HMAC of that nonce under the server's secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ..auth import Actor, SignedIn
from ..config import get_settings
from ..http import session_user, tokens_match

LOGIN_CSRF_COOKIE = "rr_login_csrf"
LOCALE_COOKIE = "rr_locale"
CSRF_FIELD = "csrf_token"
# Pages a user who must change their password may still reach.
PASSWORD_EXEMPT = ("/account/password", "/logout", "/locale")
# Pages a user whose role requires a second factor may reach before they have one.
SECOND_FACTOR_EXEMPT = (*PASSWORD_EXEMPT, "/account/security")


class Redirect(Exception):
    """Raised by dependencies to send the browser elsewhere (303)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class CsrfFailed(Exception):
    """A POST without a valid CSRF token: refused with 403, nothing changes."""


WebUser = SignedIn


@dataclass(frozen=True)
class Posted:
    """A checked form post from a logged-in user."""

    user: WebUser
    form: FormData

    @property
    def actor(self) -> Actor:
        return self.user.actor

    def get(self, name: str, default: str = "") -> str:
        value = self.form.get(name)
        return value if isinstance(value, str) else default

    def getlist(self, name: str) -> list[str]:
        return [v for v in self.form.getlist(name) if isinstance(v, str)]


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: ``/incidents?x`` yes, ``//evil.example`` or ``https://…`` no."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return default
    return value


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if target in ("/", "/login"):
        return "/login"
    return f"/login?next={quote(target, safe='')}"


def current_web_user(request: Request) -> WebUser | None:
    """The logged-in user behind the session cookie, or None."""
    return session_user(request)


def require_user(request: Request) -> WebUser:
    """Dependency for pages: the user, or a redirect to the login page (then back here)."""
    user = current_web_user(request)
    if user is None:
        raise Redirect(login_url(request))
    if user.must_change_password and not request.url.path.startswith(PASSWORD_EXEMPT):
        raise Redirect("/account/password")
    if user.needs_second_factor and not request.url.path.startswith(SECOND_FACTOR_EXEMPT):
        raise Redirect("/account/security")
    return user


async def require_post(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Posted:
    """Dependency for form posts: the user and the form, after checking its CSRF token."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not isinstance(token, str) or not tokens_match(token, user.csrf_token):
        raise CsrfFailed()
    return Posted(user, form)


PostedDep = Annotated[Posted, Depends(require_post)]
"""A view parameter: the checked form post and its user."""


# --- the login form's double-submit token ----------------------------------------------------

def _sign(nonce: str) -> str:
    key = get_settings().effective_secret_key.encode()
    return hmac.new(key, f"login-csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def login_nonce(request: Request) -> tuple[str, bool]:
    """The nonce from the cookie, or a new one (True when it must be set on the response)."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if 20 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum():
        return nonce, False
    return secrets.token_urlsafe(24), True


def login_token(nonce: str) -> str:
    return _sign(nonce)


def check_login_token(request: Request, token: str | None) -> bool:
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(nonce) and isinstance(token, str) and tokens_match(token, _sign(nonce))


def set_cookie(response: Response, name: str, value: str, *, max_age: int | None = None,
               http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=http_only, samesite="lax",
                        secure=get_settings().cookie_secure, path="/")
