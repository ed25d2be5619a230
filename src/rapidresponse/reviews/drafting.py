"""What a review is drafted from: the key moments of the incident's timeline and the figures of
its response (time to detect, declare, acknowledge, mitigate and resolve; exposure before
mitigation; tasks, legal clocks and updates on time or late).

Figures are aggregates read as the system (the drafter may see the incident but not every signal);
nothing here names a person's exposure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from .. import detection, events, incidents, playbooks, requests, signals
from ..auth import SYSTEM
from ..clock import now
from ..errors import NotFound
from ..i18n import Translate
from ..incidents import IncidentSummary, TimelineEntry


@dataclass(frozen=True)
class DraftMoment:
    at: datetime
    kind: str
    text: str
    event_id: int | None


def _kind(entry: TimelineEntry) -> str | None:
    """The kind of key moment a timeline event is, or None when it is not one."""
    t, p = entry.type, entry.payload
    if t == "incident.status_changed":
        return {"mitigated": "mitigated", "resolved": "resolved"}.get(str(p.get("to")), "status")
    return {"incident.declared": "declared", "incident.case_linked": "case", "incident.page_triggered": "page",
            "incident.page_acknowledged": "acknowledged", "incident.severity_overridden": "severity",
            "incident.severity_override_cleared": "severity", "incident.update_sent": "update",
            "incident.request_registered": "request", "incident.request_reply_sent": "reply",
            "incident.request_breached": "breach", "incident.playbook_applied": "other"}.get(t)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


def moments(inc: IncidentSummary, timeline: list[TimelineEntry], cases: list[detection.CaseOut],
            _: Translate) -> list[DraftMoment]:
    """The key moments, oldest first: the first signal and alert behind the incident, then the
    timeline events that mark the response."""
    found: list[DraftMoment] = []
    firsts = [c.first_signal_at for c in cases if c.first_signal_at]
    alerts = [c.alert_at for c in cases if c.alert_at]
    if firsts:
        found.append(DraftMoment(min(firsts), "signal", _("first signal of the trend"), None))
    if alerts:
        found.append(DraftMoment(min(alerts), "alert", _("detection alert raised"), None))
    for entry in timeline:
        kind = _kind(entry)
        if kind is None:
            continue
        text = events.typed(entry.type, "incident", inc.id, entry.payload).describe(_)
        found.append(DraftMoment(entry.at, kind, text[:1000], entry.id))
    return sorted(found, key=lambda m: (m.at, m.event_id or 0))


def linked_cases(session: Session, timeline: list[TimelineEntry]) -> list[detection.CaseOut]:
    """The triage cases linked to the incident (its first signal and alert come from them)."""
    out = []
    for entry in timeline:
        if entry.type == "incident.case_linked" and entry.payload.get("case"):
            try:
                out.append(detection.get_case(session, SYSTEM, int(entry.payload["case"])))
            except (NotFound, ValueError):
                continue
    return out


def figures(session: Session, inc: IncidentSummary, timeline: list[TimelineEntry],
            cases: list[detection.CaseOut]) -> dict[str, Any]:
    """The response in numbers (minutes, counts), as stored on the review and shown in every export."""
    at = now()
    first_signal = min((c.first_signal_at for c in cases if c.first_signal_at), default=None) or inc.detected_at
    alert = min((c.alert_at for c in cases if c.alert_at), default=None)
    acks = [float(e.payload["seconds_to_ack"]) / 60 for e in timeline
            if e.type == "incident.page_acknowledged" and e.payload.get("seconds_to_ack") is not None]
    pages = sum(1 for e in timeline if e.type == "incident.page_triggered")
    exposure_end = inc.mitigated_at or inc.resolved_at or at
    # Signals name their harm as detection's series do (the linked cases' harm, often the incident's
    # type) or by the taxonomy's category: either counts.
    harms = sorted({c.harm for c in cases if c.harm} | set(inc.harm_categories) | {inc.type})
    exposure = signals.exposure(session, SYSTEM, harms=harms, countries=list(inc.countries),
                                languages=list(inc.languages), since=first_signal, until=exposure_end)
    by_country: dict[str, int] = {}
    by_language: dict[str, int] = {}
    for row in exposure:
        by_country[row.country or "?"] = by_country.get(row.country or "?", 0) + row.count
        by_language[row.language or "?"] = by_language.get(row.language or "?", 0) + row.count
    reports = sum(r.count for r in exposure if r.source == "user_report")
    return {
        "first_signal_at": first_signal.isoformat(),
        "alert_at": alert.isoformat() if alert else None,
        "declared_at": inc.declared_at.isoformat(),
        "mitigated_at": inc.mitigated_at.isoformat() if inc.mitigated_at else None,
        "resolved_at": inc.resolved_at.isoformat() if inc.resolved_at else None,
        "time_to_detect_minutes": _minutes(first_signal, alert),
        "time_to_declare_minutes": _minutes(alert or first_signal, inc.declared_at),
        "time_to_acknowledge_minutes": round(statistics.median(acks), 1) if acks else None,
        "pages": pages,
        "pages_acknowledged": len(acks),
        "time_to_mitigate_minutes": _minutes(inc.declared_at, inc.mitigated_at),
        "time_to_resolve_minutes": _minutes(inc.declared_at, inc.resolved_at),
        "exposure": {"until": exposure_end.isoformat(), "mitigated": inc.mitigated_at is not None,
                     "signals": sum(r.count for r in exposure), "reports": reports,
                     "by_country": dict(sorted(by_country.items(), key=lambda kv: -kv[1])),
                     "by_language": dict(sorted(by_language.items(), key=lambda kv: -kv[1]))},
        "tasks": _tasks(session, inc, at),
        "clocks": _clocks(session, inc),
        "updates": _updates(session, inc, timeline),
        "impact": {"countries": list(inc.countries), "languages": list(inc.languages),
                   "severity": inc.severity, "minors": bool(inc.severity_inputs.get("vulnerable")),
                   "reach": inc.severity_inputs.get("reach"), "regulatory": inc.severity_inputs.get("regulatory")},
    }


def _tasks(session: Session, inc: IncidentSummary, at: datetime) -> dict[str, int]:
    counts = {"on_time": 0, "late": 0, "skipped": 0, "open": 0, "overdue": 0}
    for task in incidents.tasks(session, SYSTEM, inc.ref):
        if task.status == "cancelled":
            counts["skipped"] += 1
        elif task.status == "done":
            late = task.due_at is not None and task.completed_at is not None and task.completed_at > task.due_at
            counts["late" if late else "on_time"] += 1
        elif task.due_at is not None and task.due_at < at:
            counts["overdue"] += 1
        else:
            counts["open"] += 1
    return counts


def _clocks(session: Session, inc: IncidentSummary) -> dict[str, Any]:
    rows = requests.for_incident(session, SYSTEM, inc.ref, limit=500)
    met = sum(1 for r in rows if r.answered_at is not None and r.breached_at is None)
    breached = [{"regulator": r.regulator_name, "country": r.country, "due_at": r.clock.due_at.isoformat()
                 if r.clock.due_at else None} for r in rows if r.breached_at is not None]
    return {"requests": len(rows), "met": met, "breached": len(breached), "open": len(rows) - met - len(breached),
            "breaches": breached, "regulators": sorted({r.regulator_name for r in rows})}


def _updates(session: Session, inc: IncidentSummary, timeline: list[TimelineEntry]) -> dict[str, int]:
    sent = sum(1 for u in playbooks.list_updates(session, SYSTEM, inc.ref) if u.status == "sent")
    late = sum(1 for e in timeline if e.type == "incident.update_overdue")
    return {"sent": sent, "late": late, "on_cadence": max(sent - late, 0)}


def impact_text(inc: IncidentSummary, figures: dict[str, Any], _: Translate) -> str:
    """The impact section's first draft: what the figures say, for the author to complete."""
    exposure, clocks, impact = figures["exposure"], figures["clocks"], figures["impact"]
    lines = [_("Severity SEV%(sev)s; countries: %(countries)s; languages: %(languages)s.", sev=inc.severity,
               countries=", ".join(impact["countries"]) or "—", languages=", ".join(impact["languages"]) or "—")]
    until = _("before mitigation") if exposure["mitigated"] else _("so far (not mitigated)")
    lines.append(_("%(signals)s signals, %(reports)s of them user reports, %(until)s.", signals=exposure["signals"],
                   reports=exposure["reports"], until=until))
    if impact["minors"]:
        lines.append(_("Minors or other vulnerable users were involved."))
    if clocks["requests"]:
        lines.append(_("%(n)s regulator requests (%(regulators)s): %(met)s answered in time, %(breached)s breached.",
                       n=clocks["requests"], regulators=", ".join(clocks["regulators"]), met=clocks["met"],
                       breached=clocks["breached"]))
    return "\n".join(f"- {line}" for line in lines)
