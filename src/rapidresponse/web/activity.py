"""Human-readable, translated lines for incident events (dashboard activity and the timeline)."""

from __future__ import annotations

from typing import Any

from .. import events
from ..i18n import N_
from .templating import Translator, gettext


def _label(locale: str, labels: dict[str, str], value: Any) -> str:
    key = str(value or "")
    return gettext(locale, labels[key]) if key in labels else key


def describe(locale: str, kind: str, payload: dict[str, Any], *, subject_type: str = "incident",
             subject_id: str | int = "") -> str:
    """What happened, without the actor or the time (the page shows those beside it)."""
    _ = Translator(locale)
    event = events.typed(kind, subject_type, subject_id, payload)
    if not isinstance(event, events.UnknownEvent):
        return event.describe(_)
    p = payload
    if kind.startswith("incident.request_"):
        return _request(locale, kind.removeprefix("incident.request_"), p)
    return kind


OUTCOME_LABELS = {"removed_globally": N_("Removed globally"),
                  "restricted_in_country": N_("Restricted in the country"), "no_action": N_("No action")}


def _request(locale: str, kind: str, p: dict[str, Any]) -> str:
    """Lines for regulator requests linked to the incident."""
    _ = Translator(locale)
    req = f"REQ-{p.get('request_id', '?')}"
    texts = {
        "registered": lambda: _("registered %(req)s from %(regulator)s (%(country)s); the legal clock runs",
                                req=req, regulator=p.get("regulator_name") or p.get("regulator", ""),
                                country=p.get("country", "")),
        "outcome": lambda: _("recorded an outcome on %(req)s: %(outcome)s", req=req,
                             outcome=_label(locale, OUTCOME_LABELS, p.get("outcome"))),
        "reply_drafted": lambda: _("drafted the reply to %(req)s", req=req),
        "reply_edited": lambda: _("edited the reply to %(req)s", req=req),
        "reply_submitted": lambda: _("submitted the reply to %(req)s for legal approval", req=req),
        "reply_rejected": lambda: _("the reply to %(req)s was not approved", req=req),
        "reply_sent": lambda: _("the approved reply to %(req)s was logged as sent", req=req),
        "deadline_warning": lambda: _("%(req)s has used %(percent)s%% of its legal clock", req=req,
                                      percent=p.get("percent", "?")),
        "breached": lambda: _("the legal deadline of %(req)s passed; legal was escalated", req=req),
    }
    return texts[kind]() if kind in texts else req
