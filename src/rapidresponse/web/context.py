"""What every page knows: the user, the UI locale and time zone, the CSRF token, labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from ..auth import Perm
from ..clock import now
from ..config import get_settings
from ..db import unit_of_work
from ..i18n import N_
from . import pages
from .security import LOCALE_COOKIE, current_web_user, login_nonce, login_token
from .templating import format_time, negotiate_locale, normalise_locale

# Confirmations after a form post redirects (``?done=<code>``): fixed texts, never user input.
# Each domain's views add theirs (see :mod:`.pages`).
pages.notices(password=N_("Your password was changed."))


def request_locale(request: Request) -> str:
    """The user's preference; else the language cookie; else Accept-Language."""
    user = current_web_user(request)
    if user is not None:
        return normalise_locale(user.actor.locale) or "en"
    return normalise_locale(request.cookies.get(LOCALE_COOKIE)) or negotiate_locale(
        request.headers.get("accept-language"))


def page_context(request: Request, *, locale: str | None = None) -> dict[str, Any]:
    user = current_web_user(request)
    loc = locale or request_locale(request)
    if user is not None:
        csrf, tz = user.csrf_token, user.actor.timezone
    else:
        nonce, fresh = login_nonce(request)
        if fresh:
            request.state.login_nonce = nonce
        csrf, tz = login_token(nonce), get_settings().default_timezone

    def when(value: datetime | str | None) -> str:
        return format_time(value, tz)

    def can(perm: str) -> bool:
        return user is not None and user.actor.can(Perm(perm))

    def badge(name: str) -> int:
        """A navigation badge's count (one small query, only when the layout shows it)."""
        count = pages.BADGES.get(name)
        if user is None or user.must_change_password or count is None:
            return 0
        with unit_of_work(read_only=True) as s:
            return count(s, user.actor)

    done = request.query_params.get("done", "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "request": request, "path": request.url.path, "here": here, "user": user,
        "actor": user.actor if user else None, "locale": loc, "csrf_token": csrf, "tz": tz,
        "notice": pages.NOTICES.get(done), "when": when, "badge": badge, "now_ts": now().timestamp(), "can": can,
    }
