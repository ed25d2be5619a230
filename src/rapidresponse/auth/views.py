"""Log in, log out, change password, switch language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from ..config import get_settings
from ..db import unit_of_work
from ..errors import DomainError, NotAuthenticated, TooManyRequests
from ..http import SESSION_COOKIE, client_ip
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.security import (
    CSRF_FIELD,
    LOCALE_COOKIE,
    CsrfFailed,
    Posted,
    WebUser,
    check_login_token,
    current_web_user,
    require_post,
    require_user,
    safe_next,
    set_cookie,
    tokens_match,
)
from ..web.templating import Translator, normalise_locale, render
from . import service as auth
from .schemas import Person

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.globals_(ACCOUNT_ROLE_LABELS={
    "admin": N_("Administrator"), "commander": N_("Commander"), "responder": N_("Responder"),
    "policy": N_("Policy"), "legal": N_("Legal"), "comms": N_("Communications"), "analyst": N_("Analyst"),
    "viewer": N_("Viewer"),
})


def _start(response: Response, token: str) -> None:
    set_cookie(response, SESSION_COOKIE, token, max_age=get_settings().session_hours * 3600)


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_web_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next), "username": "", "error": None})


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    posted_token = form.get(CSRF_FIELD)
    if not check_login_token(request, posted_token if isinstance(posted_token, str) else None):
        raise CsrfFailed()
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    _ = Translator(request_locale(request))
    error: str | None = None
    status = 200
    with unit_of_work() as s:  # commits the failure record too: throttling counts it
        try:
            user: Person = auth.authenticate(s, username, password, ip=client_ip(request))
            token, _csrf = auth.start_session(s, user, ip=client_ip(request),
                                              user_agent=request.headers.get("user-agent", ""))
            must_change = user.must_change_password
        except TooManyRequests:
            error, status = _("Too many failed logins. Wait a few minutes and try again."), 429
        except NotAuthenticated:
            error, status = _("Wrong username or password."), 401
    if error is not None:
        return render(request, "auth/login.html", {"next": target, "username": username[:64], "error": error},
                      status=status)
    response = RedirectResponse("/account/password" if must_change else target, status_code=303)
    _start(response, token)
    return response


@router.post("/logout")
def logout(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with unit_of_work() as s:
        auth.end_session(s, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password")
def password_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return render(request, "auth/password.html", {"error": None, "forced": user.must_change_password})


@router.post("/account/password")
def change_password(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    _ = Translator(request_locale(request))
    current, new, again = posted.get("current_password"), posted.get("new_password"), posted.get("new_password2")
    error: str | None = None
    if new != again:
        error = _("The two new passwords differ.")
    elif new == current:
        error = _("Choose a new password that differs from the current one.")
    else:
        try:
            with unit_of_work() as s:
                auth.set_password(s, posted.actor, posted.actor.username, new, current_password=current)
                user = auth.find_person(s, posted.actor.username)
                token, _csrf = auth.start_session(s, user, ip=client_ip(request),
                                                  user_agent=request.headers.get("user-agent", ""))
        except DomainError as exc:
            field = exc.extra.get("field")
            if field == "current_password":
                error = _("The current password is wrong.")
            else:
                error = _("The new password must be at least %(n)s characters long.", n=auth.MIN_PASSWORD)
    if error is not None:
        return render(request, "auth/password.html", {"error": error, "forced": posted.user.must_change_password},
                      status=422)
    response = RedirectResponse("/?done=password", status_code=303)
    _start(response, token)
    return response


@router.post("/locale")
async def switch_locale(request: Request) -> Response:
    """The language switch: saved on the user when logged in, in a cookie otherwise."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    locale = normalise_locale(str(form.get("locale") or "")) or "en"
    target = safe_next(str(form.get("next") or "/"))
    user = current_web_user(request)
    if user is not None:
        if not isinstance(token, str) or not tokens_match(token, user.csrf_token):
            raise CsrfFailed()
        with unit_of_work() as s:
            auth.update_user(s, user.actor, user.actor.username, locale=locale)
    elif not check_login_token(request, token if isinstance(token, str) else None):
        raise CsrfFailed()
    response = RedirectResponse(target, status_code=303)
    set_cookie(response, LOCALE_COOKIE, locale, max_age=365 * 86400)
    return response
