"""What every page knows: the user, the UI locale and time zone, the CSRF token, labels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request

from ..auth.permissions import Perm
from ..clock import now
from ..config import get_settings
from ..incidents import severity, vocab
from ..incidents.vocab import N_
from .security import LOCALE_COOKIE, current_web_user, login_nonce, login_token
from .templating import format_time, negotiate_locale, normalise_locale

SEVERITY_LEVELS = (1, 2, 3, 4)

ACCOUNT_ROLE_LABELS = {
    "admin": N_("Administrator"), "commander": N_("Commander"), "responder": N_("Responder"),
    "policy": N_("Policy"), "legal": N_("Legal"), "comms": N_("Communications"), "analyst": N_("Analyst"),
    "viewer": N_("Viewer"),
}
TIMELINE_KIND_LABELS = {
    "notes": N_("Notes"), "status": N_("Status"), "people": N_("People"), "tasks": N_("Tasks"),
    "severity": N_("Severity"), "access": N_("Access log"),
}

# Confirmations after a form post redirects (``?done=<code>``): fixed texts, never user input.
NOTICES = {
    "password": N_("Your password was changed."),
    "declared": N_("The incident was declared."),
    "status": N_("The status was changed."),
    "severity": N_("The severity was overridden."),
    "severity_cleared": N_("The severity is the computed one again."),
    "role": N_("The role was assigned."),
    "linked": N_("The incidents were linked."),
    "merged": N_("The incident was merged."),
    "note": N_("The note was added."),
    "pinned": N_("The note was pinned."),
    "unpinned": N_("The note was unpinned."),
    "task": N_("The task was added."),
    "task_status": N_("The task was updated."),
    "playbook_applied": N_("The playbook was applied."),
    "playbook_saved": N_("The new version of the playbook was saved."),
    "conditions": N_("The conditions were updated."),
    "update_drafted": N_("The draft was saved."),
    "update_edited": N_("The draft was changed."),
    "approval_requested": N_("Approval was requested."),
    "update_sent": N_("The update was queued for sending."),
    "approved": N_("You approved the text."),
    "rejected": N_("You rejected the text."),
    "audience": N_("The audience was saved."),
    "retried": N_("The message will be tried again."),
    "request": N_("The request was registered and its clock started."),
    "outcome": N_("The outcome was recorded."),
    "reply_drafted": N_("The reply was drafted from the templates."),
    "reply_saved": N_("The reply was saved."),
    "reply_submitted": N_("The reply was submitted for legal approval."),
    "reply_approved": N_("You approved the reply; it is logged as sent."),
    "reply_rejected": N_("You rejected the reply; it is back with its author."),
    "decision": N_("The decision was recorded."),
    "profile": N_("The correction was saved; new requests use it, running clocks keep theirs."),
    "appeal": N_("The appeal was recorded."),
}


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

    def pending_approvals() -> int:
        """For the nav badge: approvals waiting for this user (one small query, only when shown)."""
        if user is None or user.must_change_password:
            return 0
        from ..approvals import service as approvals
        from ..db import unit_of_work

        with unit_of_work(read_only=True) as s:
            return approvals.pending_count(s, user.actor)

    def open_alerts() -> int:
        """For the nav badge: alerts waiting for triage."""
        if user is None or user.must_change_password or not user.actor.can(Perm.ALERTS_READ):
            return 0
        from ..db import unit_of_work
        from ..detection import alerts

        with unit_of_work(read_only=True) as s:
            return alerts.open_count(s, user.actor)

    done = request.query_params.get("done", "")
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return {
        "request": request, "path": request.url.path, "here": here, "user": user,
        "actor": user.actor if user else None, "locale": loc, "csrf_token": csrf, "tz": tz,
        "notice": NOTICES.get(done), "when": when,
        "pending_approvals": pending_approvals, "open_alerts": open_alerts, "now_ts": now().timestamp(), "can": can,
        "SEVERITY_LEVELS": SEVERITY_LEVELS,
        "ACCOUNT_ROLE_LABELS": ACCOUNT_ROLE_LABELS, "TIMELINE_KIND_LABELS": TIMELINE_KIND_LABELS,
        "TYPE_LABELS": vocab.TYPE_LABELS, "STATUS_LABELS": vocab.STATUS_LABELS,
        "ROLE_LABELS": vocab.ROLE_LABELS, "TASK_STATUS_LABELS": vocab.TASK_STATUS_LABELS,
        "HARM_LEVELS": severity.HARM_LEVELS, "REACH_LEVELS": severity.REACH_LEVELS,
        "VELOCITY_LEVELS": severity.VELOCITY_LEVELS, "REGULATORY_LEVELS": severity.REGULATORY_LEVELS,
    }
