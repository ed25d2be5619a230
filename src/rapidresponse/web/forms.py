"""Form parsing and friendly, translated validation messages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ..db import unit_of_work
from ..errors import DomainError, NotFound
from . import pages
from .context import request_locale
from .errors import html_error
from .security import Posted
from .templating import Translator, zone

_SPLIT = re.compile(r"[\s,;]+")


def split_list(value: str) -> list[str]:
    """``"RU, kz  by"`` → ``["RU", "kz", "by"]``."""
    return [part for part in _SPLIT.split(value.strip()) if part]


def parse_local_datetime(value: str, tz: str) -> datetime | None:
    """A ``datetime-local`` input in the user's zone → aware UTC; ValueError when malformed."""
    value = value.strip()
    if not value:
        return None
    local = datetime.fromisoformat(value)
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone(tz))
    return local.astimezone(UTC)


def _message(locale: str, field: str, err: dict[str, Any]) -> str:
    _ = Translator(locale)
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = value if isinstance(value, str) else ""
    if kind in ("string_too_short", "missing") and ctx.get("min_length", 1) <= 1:
        return _("This field is required.")
    if kind == "string_too_short":
        return _("This is too short (at least %(min)s characters).", min=ctx.get("min_length"))
    if kind in ("string_too_long", "too_long"):
        return _("This is too long (at most %(max)s).", max=ctx.get("max_length"))
    if kind == "enum" or kind == "literal_error":
        return _("Choose a value from the list.")
    if field in ("countries", "country"):
        return _("%(value)s is not an ISO 3166-1 country code (e.g. RU, KZ, UZ).", value=shown)
    if field in ("languages", "language"):
        return _("%(value)s is not a language tag (e.g. ru, kk, uz-Latn).", value=shown)
    if field == "harm_categories":
        return _("%(value)s: use lowercase letters, digits, '_', '.' or '-'.", value=shown)
    if kind.startswith(("int_", "greater_than", "less_than")):
        return _("Choose a value from the list.")
    return str(err.get("msg", _("This value is not valid.")))


def field_errors(locale: str, exc: ValidationError) -> dict[str, str]:
    """``{field: message}``, the first message per top-level field."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ("form",)
        field = str(loc[0])
        if field == "severity" and len(loc) > 1:
            field = f"severity_{loc[1]}"
        out.setdefault(field, _message(locale, field, dict(err)))
    return out


def domain_message(locale: str, exc: DomainError) -> str:
    """A service's refusal, as a sentence for the form (service details are in English)."""
    _ = Translator(locale)
    titles = {
        403: _("Your role does not allow this."),
        404: _("Not found:"),
        409: _("Not possible right now:"),
        422: _("Please check the form:"),
        429: _("Too many attempts:"),
    }
    prefix = titles.get(exc.status, _("Error:"))
    if exc.status == 403:
        return prefix
    return f"{prefix} {exc.detail}"


class FormError(ValueError):
    """A check a view makes before calling the service; its message is already translated."""


D = TypeVar("D")
R = TypeVar("R")
Refused = Callable[[str, int], Response]
"""Re-render the page with the form's error ``message`` and HTTP ``status``."""


def refusal_message(locale: str, exc: Exception) -> str:
    """One translated line for why a form was not accepted."""
    if isinstance(exc, ValidationError):
        return "; ".join(field_errors(locale, exc).values())
    if isinstance(exc, DomainError):
        return domain_message(locale, exc)
    if isinstance(exc, FormError):
        return str(exc)
    _ = Translator(locale)
    return _("Enter a valid date and time.")


def form_action(request: Request, *, build: Callable[[], D], call: Callable[[Session, D], R],
                redirect: Callable[[Session, R], str], refused: Refused | None = None,
                not_found: str = "raise") -> Response:
    """The shape of every form post: validate with ``build``, run ``call`` in one unit of work,
    redirect (303) to ``redirect(session, result)``.

    A refusal (the form does not validate, or the service refuses) changes nothing and re-renders the
    page through ``refused``, or shows the plain error page when there is none. A service's NotFound
    is the plain 404 page, unless ``not_found="refuse"`` (the page itself then answers 404 when what
    it shows is gone).
    """
    locale = request_locale(request)
    try:
        data = build()
    except ValueError as exc:  # ValidationError, FormError, a malformed date
        return _refuse(request, refused, refusal_message(locale, exc), 422)
    try:
        with unit_of_work() as s:
            result = call(s, data)
            target = redirect(s, result)
    except NotFound as exc:
        if not_found == "raise":
            raise
        return _refuse(request, refused, refusal_message(locale, exc), 422)
    except (DomainError, ValidationError) as exc:
        status = exc.status if isinstance(exc, DomainError) else 422
        return _refuse(request, refused, refusal_message(locale, exc), status)
    return RedirectResponse(target, status_code=303)


def _refuse(request: Request, refused: Refused | None, message: str, status: int) -> Response:
    if refused is not None:
        return refused(message, status)
    return html_error(request, status, "Refused", message)


def subject_action(request: Request, posted: Posted, *, slot: str, key: str, form: str, build: Callable[[], D],
                   call: Callable[[Session, D], R], redirect: Callable[[Session, R], str]) -> Response:
    """A form on a subject's page (an incident, say, under ``slot``): a refusal shows that page again
    with the message beside form ``form`` and the input kept; a subject that is gone (or never visible)
    gets the page's own 404."""
    values = kept_values(posted.form)

    def refused(message: str, status: int) -> Response:
        return pages.page(slot)(request, posted.user, key, failed=form, error=message, values=values, status=status)

    return form_action(request, build=build, call=call, redirect=redirect, refused=refused, not_found="refuse")


def kept_values(form: Any) -> dict[str, str]:
    """What the user typed, to fill the form again after a refusal (never the CSRF token)."""
    return {k: str(form.get(k)) for k in form if k != "csrf_token"}
