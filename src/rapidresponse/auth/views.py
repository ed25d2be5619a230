"""Log in (with a second factor or single sign-on), log out, account security, switch language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.datastructures import FormData

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
    PostedDep,
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
from . import oidc
from . import service as auth
from .schemas import Person

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(two_factor_off=N_("Two-factor authentication is off."))
pages.globals_(ACCOUNT_ROLE_LABELS={
    "admin": N_("Administrator"), "commander": N_("Commander"), "responder": N_("Responder"),
    "policy": N_("Policy"), "legal": N_("Legal"), "comms": N_("Communications"), "analyst": N_("Analyst"),
    "viewer": N_("Viewer"),
})


def _start(response: Response, token: str) -> None:
    set_cookie(response, SESSION_COOKIE, token, max_age=get_settings().session_hours * 3600)


def _login_form(request: Request, *, target: str, username: str = "", error: str | None = None,
                ask_code: bool = False, status: int = 200) -> Response:
    return render(request, "auth/login.html", {"next": target, "username": username[:64], "error": error,
                                               "ask_code": ask_code, "sso": _sso_name()}, status=status)


def _code_form(request: Request, *, target: str, pending: str, error: str | None = None,
               status: int = 200) -> Response:
    return render(request, "auth/login_code.html", {"next": target, "pending": pending, "error": error},
                  status=status)


def _signed_in(target: str, token: str, must_change: bool) -> Response:
    response = RedirectResponse("/account/password" if must_change else target, status_code=303)
    _start(response, token)
    return response


async def _login_post(request: Request) -> tuple[FormData, str]:
    form = await request.form()
    posted_token = form.get(CSRF_FIELD)
    if not check_login_token(request, posted_token if isinstance(posted_token, str) else None):
        raise CsrfFailed()
    return form, safe_next(str(form.get("next") or "/"))


def _too_many(_: Translator, exc: TooManyRequests) -> str:
    if exc.extra.get("scope") == "address":
        return _("Too many failed logins from your network. If you use two-factor authentication, enter your "
                 "password with a code from your app to log in now; otherwise wait a few minutes.")
    return _("Too many failed logins. Wait a few minutes and try again.")


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if current_web_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_form(request, target=safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    form, target = await _login_post(request)
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    code = str(form.get("code") or "").strip() or None
    _ = Translator(request_locale(request))
    with unit_of_work() as s:  # commits the failure record too: throttling counts it
        try:
            user: Person = auth.authenticate(s, username, password, ip=client_ip(request), code=code)
            token, _csrf = auth.start_session(s, user, ip=client_ip(request),
                                              user_agent=request.headers.get("user-agent", ""),
                                              method="second_factor" if code else "password")
        except auth.SecondFactorNeeded as needed:
            return _code_form(request, target=target, pending=needed.pending)
        except TooManyRequests as exc:
            return _login_form(request, target=target, username=username, error=_too_many(_, exc),
                               ask_code=exc.extra.get("scope") == "address", status=429)
        except NotAuthenticated as exc:
            error = (_("Wrong code. Enter the current code from your app, or a recovery code.")
                     if exc.extra.get("field") == "code" else _("Wrong username or password."))
            return _login_form(request, target=target, username=username, error=error, ask_code=code is not None,
                               status=401)
    return _signed_in(target, token, user.must_change_password)


@router.post("/login/code")
async def login_code(request: Request) -> Response:
    """The second step of a login: the code from the user's app (or a recovery code)."""
    form, target = await _login_post(request)
    pending, code = str(form.get("pending") or ""), str(form.get("code") or "")
    _ = Translator(request_locale(request))
    with unit_of_work() as s:
        try:
            user = auth.finish_login(s, pending, code, ip=client_ip(request))
            token, _csrf = auth.start_session(s, user, ip=client_ip(request),
                                              user_agent=request.headers.get("user-agent", ""),
                                              method="second_factor")
        except TooManyRequests as exc:
            return _login_form(request, target=target, error=_too_many(_, exc), status=429)
        except NotAuthenticated as exc:
            if exc.extra.get("field") == "pending":
                return _login_form(request, target=target, status=401,
                                   error=_("Your login took too long. Enter your password again."))
            return _code_form(request, target=target, pending=pending, status=401,
                              error=_("Wrong code. Enter the current code from your app, or a recovery code."))
    return _signed_in(target, token, user.must_change_password)


# --- single sign-on ---------------------------------------------------------------------------

OIDC_COOKIE = "rr_oidc"


def _sso_error(_: Translator, exc: oidc.SsoError) -> str:
    return {
        "unreachable": _("The sign-in provider cannot be reached. Try again later, or log in with your password."),
        "state": _("This sign-in did not start here or took too long. Try again."),
        "not_allowed": _("Your account at the sign-in provider may not use rapidresponse. Ask an administrator."),
    }.get(exc.kind) or _("The sign-in provider's answer could not be verified. Try again, or ask an administrator.")


@router.get("/auth/oidc/login")
def oidc_login(request: Request, next: str = "/") -> Response:
    """Send the browser to the provider, keeping state, nonce and PKCE verifier in a signed cookie."""
    if not oidc.enabled():
        return RedirectResponse("/login", status_code=303)
    try:
        url, flow = oidc.start(safe_next(next))
    except oidc.SsoError as exc:
        return _login_form(request, target=safe_next(next), status=exc.status,
                           error=_sso_error(Translator(request_locale(request)), exc))
    response = RedirectResponse(url, status_code=303)
    set_cookie(response, OIDC_COOKIE, flow, max_age=oidc.FLOW_SECONDS)
    return response


@router.get("/auth/oidc/callback")
def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "") -> Response:
    """The provider sends the browser back here with a code; a checked ID token starts a session."""
    if not oidc.enabled():
        return RedirectResponse("/login", status_code=303)
    target = "/"
    try:
        identity, target = oidc.finish(request.cookies.get(OIDC_COOKIE, ""), state=state[:200], code=code[:2000],
                                       error=error)
        target = safe_next(target)
        with unit_of_work() as s:
            user = oidc.sign_in(s, identity)
            token, _csrf = auth.start_session(s, user, ip=client_ip(request),
                                              user_agent=request.headers.get("user-agent", ""), method="sso")
    except oidc.SsoError as exc:
        response = _login_form(request, target=target, status=exc.status,
                               error=_sso_error(Translator(request_locale(request)), exc))
    else:
        response = _signed_in(target, token, False)
    response.delete_cookie(OIDC_COOKIE, path="/")
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


def _sso_name() -> str | None:
    settings = get_settings()
    return settings.oidc_name if settings.oidc_issuer else None


def _qr_svg(uri: str) -> Markup:
    import segno  # only the enrolment page draws one

    return Markup(segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR"))


def _security_page(request: Request, user: WebUser, *, error: str | None = None, codes: list[str] | None = None,
                   status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        state = auth.two_factor_status(s, user.actor)
    qr = _qr_svg(state.setup.uri) if state.setup is not None else None
    return render(request, "auth/security.html", {"state": state, "qr": qr, "error": error, "codes": codes,
                                                  "sso": _sso_name()}, status=status)


@router.get("/account/security")
def security_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The account's sign-in security: the password and the optional second factor."""
    return _security_page(request, user)


@router.post("/account/security/totp")
def start_two_factor(posted: PostedDep) -> Response:
    with unit_of_work() as s:
        auth.begin_two_factor(s, posted.actor)
    return RedirectResponse("/account/security", status_code=303)


@router.post("/account/security/totp/confirm")
def confirm_two_factor(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    try:
        with unit_of_work() as s:
            codes = auth.confirm_two_factor(s, posted.actor, posted.get("code"))
    except DomainError:
        return _security_page(request, posted.user, status=422, error=_(
            "That code is not right. Check that your phone's clock is correct and enter the current code."))
    return _security_page(request, posted.user, codes=codes)


def _proof(posted: Posted) -> dict[str, str | None]:
    return {"code": posted.get("code").strip() or None, "password": posted.get("password") or None}


@router.post("/account/security/recovery-codes")
def renew_recovery_codes(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    try:
        with unit_of_work() as s:
            codes = auth.new_recovery_codes(s, posted.actor, **_proof(posted))
    except DomainError:
        return _security_page(request, posted.user, status=422,
                              error=_("Enter a current code from your app, a recovery code or your password."))
    return _security_page(request, posted.user, codes=codes)


@router.post("/account/security/totp/disable")
def disable_two_factor(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    try:
        with unit_of_work() as s:
            auth.disable_two_factor(s, posted.actor, **_proof(posted))
    except DomainError:
        return _security_page(request, posted.user, status=422,
                              error=_("Enter a current code from your app, a recovery code or your password."))
    return RedirectResponse("/account/security?done=two_factor_off", status_code=303)


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
