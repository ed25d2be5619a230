"""Human-readable, translated lines for incident events (dashboard activity and the timeline)."""

from __future__ import annotations

from typing import Any

from .. import events
from .templating import Translator


def describe(locale: str, kind: str, payload: dict[str, Any], *, subject_type: str = "incident",
             subject_id: str | int = "") -> str:
    """What happened, without the actor or the time (the page shows those beside it)."""
    _ = Translator(locale)
    event = events.typed(kind, subject_type, subject_id, payload)
    if not isinstance(event, events.UnknownEvent):
        return event.describe(_)
    p = payload
    if kind.startswith("incident.page_"):
        return _describe_page(locale, kind, p)
    if kind == "incident.case_linked":
        text = (_("linked triage case #%(case)s", case=p.get("case", "")) if p.get("linked")
                else _("declared from triage case #%(case)s", case=p.get("case", "")))
        series = ", ".join(p.get("series") or [])
        return _("%(text)s (series %(series)s, %(n)s signals)", text=text, series=series,
                 n=p.get("signals", 0)) if series else text
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
