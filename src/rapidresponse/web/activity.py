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
    if kind.startswith("incident.page_"):
        return _describe_page(locale, kind, p)
    return _coordination(_, kind, p) or kind


def _coordination(_: Translator, kind: str, p: dict[str, Any]) -> str | None:
    """Lines for what playbooks, updates and approvals did on the incident."""
    if kind == "incident.playbook_applied":
        return _("applied the playbook %(playbook)s %(version)s (%(tasks)s tasks)", playbook=p.get("playbook", ""),
                 version=p.get("version", ""), tasks=p.get("tasks", 0))
    if kind == "incident.playbook_failed":
        return _("could not apply a playbook: %(error)s", error=p.get("error", ""))
    if kind == "incident.playbook_conditions":
        return _("set the conditions: %(conditions)s", conditions=", ".join(p.get("conditions") or []) or "—")
    if kind == "incident.playbook_escalated":
        return _("escalated (%(condition)s): pull in %(target)s within %(minutes)s min",
                 condition=p.get("condition", ""), target=p.get("role") or p.get("team") or "",
                 minutes=p.get("within_minutes", ""))
    if kind == "incident.task_due_soon":
        return _("reminded the owner that “%(title)s” is due soon", title=p.get("title", ""))
    if kind == "incident.task_overdue":
        return _("told the commander that “%(title)s” is overdue", title=p.get("title", ""))
    if kind == "incident.update_due":
        return _("reminded the comms lead that a stakeholder update is due")
    if kind == "incident.update_overdue":
        return _("told the commander that the stakeholder update is overdue")
    if kind == "incident.update_drafted":
        return _("drafted an update for %(audience)s: “%(subject)s”", audience=p.get("audience", ""),
                 subject=p.get("subject", ""))
    if kind == "incident.update_edited":
        return _("edited the update “%(subject)s”", subject=p.get("subject", ""))
    if kind == "incident.update_sent":
        return _("sent the update “%(subject)s” to %(audience)s", subject=p.get("subject", ""),
                 audience=p.get("audience", ""))
    if kind == "incident.approval_requested":
        return _("asked %(role)s to approve “%(title)s”", role=p.get("required_role", ""), title=p.get("title", ""))
    if kind == "incident.approval_decided":
        if p.get("decision") == "approved":
            return _("approved “%(title)s”", title=p.get("title", ""))
        return _("rejected “%(title)s”: %(comment)s", title=p.get("title", ""), comment=p.get("comment", ""))
    if kind == "incident.approval_superseded":
        return _("voided the approval of “%(title)s” (%(reason)s)", title=p.get("title", ""),
                 reason=p.get("reason", ""))
    return None


def _describe_page(locale: str, kind: str, p: dict[str, Any]) -> str:
    """On-call pages about the incident (recorded by the on-call domain)."""
    _ = Translator(locale)
    people = ", ".join(p.get("notified") or []) or _("nobody is on call")
    if kind == "incident.page_triggered":
        return _("paged %(team)s: %(people)s", team=p.get("team", ""), people=people)
    if kind == "incident.page_escalated":
        if p.get("exhausted"):
            return _("the page to %(team)s went through every step without an acknowledgement", team=p.get("team", ""))
        return _("escalated the page to %(team)s, step %(step)s: %(people)s", team=p.get("team", ""),
                 step=int(p.get("step") or 0) + 1, people=people)
    if kind == "incident.page_acknowledged":
        return _("acknowledged the page to %(team)s after %(minutes)s min", team=p.get("team", ""),
                 minutes=round(int(p.get("seconds_to_ack") or 0) / 60, 1))
    if kind == "incident.page_resolved":
        return _("resolved the page to %(team)s", team=p.get("team", ""))
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
