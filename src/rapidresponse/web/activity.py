"""Human-readable, translated lines for incident events (dashboard activity and the timeline)."""

from __future__ import annotations

from typing import Any

from ..i18n import N_
from ..incidents import vocab
from .templating import Translator, gettext


def _label(locale: str, labels: dict[str, str], value: Any) -> str:
    key = str(value or "")
    return gettext(locale, labels[key]) if key in labels else key


def describe(locale: str, kind: str, payload: dict[str, Any]) -> str:
    """What happened, without the actor or the time (the page shows those beside it)."""
    _ = Translator(locale)
    status = lambda v: _label(locale, vocab.STATUS_LABELS, v)  # noqa: E731
    role = lambda v: _label(locale, vocab.ROLE_LABELS, v)  # noqa: E731
    p = payload
    if kind == "incident.declared":
        return _("declared the incident “%(title)s” (SEV%(sev)s, %(type)s)", title=p.get("title", ""),
                 sev=p.get("severity", "?"), type=_label(locale, vocab.TYPE_LABELS, p.get("type")))
    if kind == "incident.status_changed":
        text = _("changed the status from %(old)s to %(new)s", old=status(p.get("from")), new=status(p.get("to")))
        return f"{text}: {p['reason']}" if p.get("reason") else text
    if kind == "incident.severity_overridden":
        return _("overrode the severity to SEV%(sev)s (computed SEV%(computed)s): %(reason)s",
                 sev=p.get("severity"), computed=p.get("computed"), reason=p.get("reason", ""))
    if kind == "incident.severity_override_cleared":
        return _("returned to the computed severity SEV%(sev)s", sev=p.get("severity"))
    if kind == "incident.updated":
        changes = p.get("changes") or {}
        if "severity" in changes:
            return _("updated the details; severity is now SEV%(sev)s", sev=changes["severity"])
        return _("updated the details (%(fields)s)", fields=", ".join(sorted(changes)))
    if kind == "incident.member_added":
        return _("added %(user)s as %(role)s", user=p.get("username", ""), role=role(p.get("role")))
    if kind == "incident.member_removed":
        return _("removed %(user)s from the role %(role)s", user=p.get("username", ""), role=role(p.get("role")))
    if kind == "incident.command_handed_over":
        return _("handed over command from %(old)s to %(new)s", old=p.get("from", ""), new=p.get("to", ""))
    if kind == "incident.role_reassigned":
        return _("reassigned %(role)s from %(old)s to %(new)s", role=role(p.get("role")),
                 old=p.get("from", ""), new=p.get("to", ""))
    if kind == "incident.linked":
        return _("linked this incident with %(other)s", other=p.get("other", ""))
    if kind == "incident.merged":
        return _("merged this incident into %(other)s: %(reason)s", other=p.get("into", ""),
                 reason=p.get("reason", ""))
    if kind == "incident.merged_from":
        return _("merged %(other)s into this incident", other=p.get("other", ""))
    if kind == "incident.note_added":
        return _("added a note")
    if kind == "incident.note_pinned":
        return _("pinned a note")
    if kind == "incident.note_unpinned":
        return _("unpinned a note")
    if kind == "incident.task_added":
        if p.get("owner"):
            return _("added the task “%(title)s” for %(owner)s", title=p.get("title", ""), owner=p["owner"])
        return _("added the task “%(title)s”", title=p.get("title", ""))
    if kind == "incident.task_updated":
        if "status" in p:
            return _("set the task “%(title)s” to %(status)s", title=p.get("title", ""),
                     status=_label(locale, vocab.TASK_STATUS_LABELS, p["status"]))
        return _("updated the task “%(title)s”", title=p.get("title", ""))
    if kind == "incident.viewed":
        return _("viewed this restricted incident")
    if kind.startswith("incident.request_"):
        return _request(locale, kind.removeprefix("incident.request_"), p)
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
