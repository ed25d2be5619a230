"""Log in (with a second factor or single sign-on), log out, account security, switch language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from starlette.datastructures import FormData

from .. import events
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from ..errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
)
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
from . import hours, oidc
from . import service as auth
from .permissions import ROLES, Perm
from .schemas import Person, WorkingHoursIn

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


# --- the person's own settings and API tokens --------------------------------------------------

pages.notices(hours_saved=N_("Your working hours are saved."))
pages.notices(settings_saved=N_("Your settings are saved."), token_revoked=N_("The token is revoked."),
              user_updated=N_("The user is updated."))


def _refusal(_: Translator, exc: DomainError) -> str:
    """A refused form's message in the page's language (the service's own words when none fits)."""
    field = exc.extra.get("field")
    if isinstance(exc, Conflict) and field in ("role", "is_active"):
        return _("This is the last active administrator: make someone else an administrator first.")
    if isinstance(exc, Conflict):
        return _("A user with this username already exists.")
    texts = {
        "username": _("A username has 2 to 64 characters: lowercase letters, digits, '.', '_' or '-'."),
        "email": _("That is not an email address."),
        "timezone": _("Unknown time zone. Use a name such as Europe/Berlin or Asia/Almaty."),
        "locale": _("Choose English or Russian."),
        "role": _("Choose one of the roles."),
        "name": _("A token needs a name."),
        "scopes": _("Choose scopes that your role allows."),
        "since": _("The start of the time range is after its end."),
        "display_name": _("A display name has at most 120 characters."),
    }
    return texts.get(str(field), str(exc))


def _settings_page(request: Request, user: WebUser, *, error: str | None = None, form: dict[str, str] | None = None,
                   secret: str | None = None, hours_form: dict[str, object] | None = None,
                   status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        me = auth.find_person(s, user.actor.username)
        tokens = auth.list_tokens(s, user.actor)
        worked = hours.working_hours(s, me.id)
        more, more_context = pages.panels("account.settings", s, user.actor, me, request_locale(request))
    values = form or {"display_name": me.display_name, "email": me.email or "", "locale": me.locale,
                      "timezone": me.timezone}
    return render(request, "auth/settings.html", {
        "me": me, "values": values, "error": error, "tokens": tokens, "secret": secret,
        "scopes": sorted(p.value for p in user.actor.permissions), "now": now(),
        "hours": hours_form or worked.model_dump(), "WEEKDAYS": WEEKDAYS, "account_panels": more,
        **more_context}, status=status)


WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@router.post("/account/working-hours")
def save_working_hours(request: Request, posted: PostedDep) -> Response:
    """The person's own working hours (weekdays and the day's span, in their time zone)."""
    _ = Translator(request_locale(request))
    days = [d for d in posted.getlist("days") if d.isdigit()]
    kept: dict[str, object] = {"days": [int(d) for d in days], "start": posted.get("start"), "end": posted.get("end")}
    try:
        data = WorkingHoursIn.model_validate(kept)
        with unit_of_work() as s:
            hours.set_working_hours(s, posted.actor, data)
    except (ValidationError, DomainError):
        return _settings_page(request, posted.user, status=422, hours_form=kept, error=_(
            "Working hours need a start and an end as HH:MM, not the same time (an end before the start runs "
            "into the next day)."))
    return RedirectResponse("/account/settings?done=hours_saved#hours", status_code=303)


@router.get("/account/settings")
def settings_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The person's own settings: name, language, time zone, email; their API tokens."""
    return _settings_page(request, user)


@router.post("/account/settings")
def save_settings(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    form = {name: posted.get(name).strip() for name in ("display_name", "email", "locale", "timezone")}
    try:
        with unit_of_work() as s:
            auth.update_own_settings(s, posted.actor, display_name=form["display_name"], email=form["email"],
                                     locale=form["locale"], timezone=form["timezone"])
    except DomainError as exc:
        return _settings_page(request, posted.user, error=_refusal(_, exc), form=form, status=422)
    response = RedirectResponse("/account/settings?done=settings_saved", status_code=303)
    set_cookie(response, LOCALE_COOKIE, form["locale"], max_age=365 * 86400)
    return response


def _token_days(value: str) -> int | None:
    value = value.strip()
    if value in ("", "never"):
        return None
    if not value.isdigit() or not 1 <= int(value) <= 3650:
        raise ValidationFailed("the lifetime is a number of days from 1 to 3650", field="days")
    return int(value)


@router.post("/account/tokens")
def create_own_token(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    try:
        days = _token_days(posted.get("days", "90"))
        with unit_of_work() as s:
            _token, secret = auth.create_token(s, posted.actor, name=posted.get("name"),
                                               scopes=posted.getlist("scopes") or None, days=days)
    except DomainError as exc:
        message = (_("The lifetime is a number of days from 1 to 3650.") if exc.extra.get("field") == "days"
                   else _refusal(_, exc))
        return _settings_page(request, posted.user, error=message, status=422)
    return _settings_page(request, posted.user, secret=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_own_token(token_id: int, posted: PostedDep) -> Response:
    with unit_of_work() as s:
        auth.revoke_token(s, posted.actor, token_id)
    return RedirectResponse("/account/settings?done=token_revoked", status_code=303)


# --- user administration -----------------------------------------------------------------------

def _users_page(request: Request, user: WebUser, *, error: str | None = None, form: dict[str, str] | None = None,
                created: tuple[str, str] | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        seen = auth.last_logins(s, user.actor)  # checks users:manage
        people = auth.list_users(s, user.actor)
    return render(request, "auth/users.html", {
        "people": people, "seen": seen, "error": error, "form": form or {}, "created": created,
        "roles": list(ROLES)}, status=status)


@router.get("/admin/users")
def users_page(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """Everyone who can log in: roles, activity; create a user with a one-time password."""
    return _users_page(request, user)


@router.post("/admin/users")
def create_user(request: Request, posted: PostedDep) -> Response:
    _ = Translator(request_locale(request))
    form = {name: posted.get(name).strip() for name in ("username", "display_name", "email", "role")}
    try:
        with unit_of_work() as s:
            person, password = auth.create_user(s, posted.actor, username=form["username"], role=form["role"],
                                                display_name=form["display_name"], email=form["email"] or None)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _users_page(request, posted.user, error=_refusal(_, exc), form=form, status=422)
    return _users_page(request, posted.user, created=(person.username, password))


def _user_page(request: Request, user: WebUser, username: str, *, error: str | None = None,
               password: str | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        seen = auth.last_logins(s, user.actor)  # checks users:manage
        person = auth.find_person(s, username)
        tokens = auth.list_tokens(s, user.actor, person.username)
    return render(request, "auth/user.html", {
        "person": person, "last_login": seen.get(person.id), "tokens": tokens, "error": error,
        "password": password, "roles": list(ROLES), "now": now()}, status=status)


@router.get("/admin/users/{username}")
def user_page(request: Request, username: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _user_page(request, user, username)


def _change(request: Request, posted: Posted, username: str, **changes: object) -> Response:
    _ = Translator(request_locale(request))
    try:
        with unit_of_work() as s:
            auth.update_user(s, posted.actor, username, **changes)  # type: ignore[arg-type]
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        return _user_page(request, posted.user, username, error=_refusal(_, exc), status=409
                          if isinstance(exc, Conflict) else 422)
    return RedirectResponse(f"/admin/users/{username}?done=user_updated", status_code=303)


@router.post("/admin/users/{username}/role")
def set_user_role(request: Request, username: str, posted: PostedDep) -> Response:
    return _change(request, posted, username, role=posted.get("role"))


@router.post("/admin/users/{username}/deactivate")
def deactivate_user(request: Request, username: str, posted: PostedDep) -> Response:
    """Deactivate: their web sessions end and their API tokens are revoked at once."""
    return _change(request, posted, username, is_active=False)


@router.post("/admin/users/{username}/reactivate")
def reactivate_user(request: Request, username: str, posted: PostedDep) -> Response:
    return _change(request, posted, username, is_active=True)


@router.post("/admin/users/{username}/password")
def reset_user_password(request: Request, username: str, posted: PostedDep) -> Response:
    """A generated one-time password, shown once; they must change it when they log in."""
    _ = Translator(request_locale(request))
    try:
        with unit_of_work() as s:
            password = auth.reset_password(s, posted.actor, username)
    except DomainError as exc:
        if isinstance(exc, PermissionDenied | NotFound):
            raise
        return _user_page(request, posted.user, username, status=422, error=_(
            "Change your own password on your account page."))
    return _user_page(request, posted.user, username, password=password)


@router.post("/admin/users/{username}/tokens/{token_id}/revoke")
def revoke_user_token(username: str, token_id: int, posted: PostedDep) -> Response:
    with unit_of_work() as s:
        posted.actor.require(Perm.USERS_MANAGE)
        auth.revoke_token(s, posted.actor, token_id, owner=username)
    return RedirectResponse(f"/admin/users/{username}?done=token_revoked", status_code=303)


# --- the audit view ------------------------------------------------------------------------------

def _moment(value: str, zone: str, field: str) -> datetime | None:
    """A date or date-and-time typed in the viewer's time zone, as UTC; None when empty."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{value[:40]!r} is not a date (YYYY-MM-DD) or date and time", field=field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


AUDIT_FILTERS = ("who", "subject_type", "subject_id", "event_type", "since", "until")


@router.get("/admin/audit")
def audit_page(request: Request, user: Annotated[WebUser, Depends(require_user)], page: int = 1,
               verified: str = "") -> Response:
    """The event log, filtered; and the chain check of ``rapidresponse audit verify``."""
    _ = Translator(request_locale(request))
    filters = {name: request.query_params.get(name, "")[:120] for name in AUDIT_FILTERS}
    error: str | None = None
    rows: list[events.Event] = []
    more = False
    try:
        since = _moment(filters["since"], user.actor.timezone, "since")
        until = _moment(filters["until"], user.actor.timezone, "until")
        if until is not None and len(filters["until"].strip()) == 10:
            until += timedelta(days=1)  # a date alone means up to the end of that day
        with unit_of_work(read_only=True) as s:
            rows, more = auth.audit_log(s, user.actor, who=filters["who"], subject_type=filters["subject_type"],
                                        subject_id=filters["subject_id"], event_type=filters["event_type"],
                                        since=since, until=until, page=max(1, page))
    except ValidationFailed as exc:
        user.actor.require(Perm.AUDIT_VERIFY)
        error = (_("Enter dates as YYYY-MM-DD (or YYYY-MM-DD HH:MM).")
                 if exc.extra.get("field") in ("since", "until") and "not a date" in str(exc) else _refusal(_, exc))
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "auth/audit.html", {
        "rows": rows, "more": more, "page": max(1, page), "filters": filters, "error": error, "query": query,
        "result": None}, status=422 if error else 200)


@router.post("/admin/audit/verify")
def audit_verify(request: Request, posted: PostedDep) -> Response:
    with unit_of_work(read_only=True) as s:
        result = auth.verify_log(s, posted.actor)
    return render(request, "auth/audit.html", {
        "rows": [], "more": False, "page": 1, "filters": dict.fromkeys(AUDIT_FILTERS, ""), "error": None,
        "query": "", "result": result})
