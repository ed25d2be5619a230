"""Triage cases: opened from an alert or from a manual report (press, regulator, partner…); assigned,
annotated, dismissed with a reason, or escalated into an incident pre-filled from the case (or linked to
an incident that already exists). Declaring goes through the incidents service, so the ``incident.declared``
event pages on-call exactly as any other declaration does, and the restricted rule applies as usual.

For metrics a case keeps the first signal's time, the alert's time and the declaration time; time to detect
is alert − first signal, time to declare is declaration − alert (− first signal for a manual case).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from .. import auth, events, incidents, signals, wellness
from ..auth import Actor, Perm
from ..clock import now
from ..db import paged
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..i18n import N_, Translate, english
from ..incidents import IncidentCreate, IncidentSummary
from . import alerts
from .events import CaseAssigned, CaseDismissed, CaseEscalated, CaseEvent, CaseLinked, CaseNoted, CaseOpened
from .harms import incident_type_for
from .models import Case
from .vocab import CASE_STATUSES, LIVE, SOURCES

BUCKET = timedelta(minutes=5)


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationFailed(f"{field}: NUL bytes are not allowed", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{field}: at most {limit} characters", field=field)
    if required and not value:
        raise ValidationFailed(f"{field} is required", field=field)
    return value


def _incident_data(fields: dict[str, Any]) -> IncidentCreate:
    """The incident fields, checked as a declaration checks them (a bad value is a 422, not a crash)."""
    try:
        return IncidentCreate.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(f"{where}: {first['msg']}" if where else first["msg"], field=where) from None


def _record(session: Session, actor: Actor, case: Case, kind: type[CaseEvent], **payload: Any) -> None:
    events.record(session, actor, kind(subject_id=case.id, **payload))


def get(session: Session, actor: Actor, case_id: int, *, lock: bool = False) -> Case:
    actor.require(Perm.ALERTS_READ)
    q = select(Case).where(Case.id == case_id)
    case = session.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def for_alert(session: Session, alert_id: int) -> int | None:
    """The id of the case opened from this alert, if any."""
    found: int | None = session.execute(select(Case.id).where(Case.alert_id == alert_id)).scalar_one_or_none()
    return found


def list_cases(session: Session, actor: Actor, *, status: str | None = None, assignee: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[Case], int]:
    actor.require(Perm.ALERTS_READ)
    conds: list[ColumnElement[bool]] = []
    if status:
        if status not in CASE_STATUSES:
            raise ValidationFailed(f"status must be one of {', '.join(CASE_STATUSES)}", field="status")
        conds.append(Case.status == status)
    if assignee:
        conds.append(Case.assignee == assignee)
    total = session.execute(select(func.count()).select_from(Case).where(*conds)).scalar_one()
    rows = session.execute(paged(select(Case).where(*conds).order_by(Case.opened_at.desc(), Case.id.desc()),
                                 limit, offset)).scalars()
    return list(rows), total


ALERT_DESCRIPTION = N_("Alert #%(alert)s: %(observed)s reports in a 5-minute bucket against %(expected)s expected "
                       "(score %(score)s).")
"""The description the product writes for a case it opens from an alert (stored in English, read in any language)."""
_ALERT_DESCRIPTION = re.compile(r"Alert #(?P<alert>\d+): (?P<observed>\d+) reports in a 5-minute bucket against "
                                r"(?P<expected>[\d.]+) expected \(score (?P<score>[\d.]+)\)\.")


def described(description: str, _: Translate) -> str | None:
    """A case's description in the reader's language when the product wrote it (a case opened from an alert);
    None when people wrote it, to be shown as they wrote it."""
    found = _ALERT_DESCRIPTION.fullmatch(description.strip())
    return _(ALERT_DESCRIPTION, **found.groupdict()) if found else None


def open_from_alert(session: Session, actor: Actor, alert_id: int, *, title: str = "") -> Case:
    actor.require(Perm.ALERTS_TRIAGE)
    alert = alerts.get(session, actor, alert_id, lock=True)
    if alert.state not in LIVE:
        raise InvalidTransition(f"alert {alert_id} is {alert.state}; a case is opened from a live alert")
    key = alerts.key_of(alert)
    skey = alerts.series_key(*key)
    at = now()
    since = alert.first_signal_at or alert.first_bucket
    case = Case(title=_text(title, "title", 200, required=False) or f"Spike: {skey}", source="alert",
                description=english(ALERT_DESCRIPTION, alert=alert.id, observed=alert.observed,
                                    expected=f"{alert.expected:.1f}", score=f"{alert.peak_score:.2f}"),
                status="open", alert_id=alert.id, harm=alert.harm, countries=[c for c in [alert.country] if c],
                languages=[lang for lang in [alert.language] if lang], series=[skey],
                signal_ids=signals.slice_signal_ids(session, key, since, alert.last_bucket + BUCKET),
                first_signal_at=alert.first_signal_at, alert_at=alert.raised_at, opened_at=at,
                opened_by=actor.label, updated_at=at)
    session.add(case)
    session.flush()
    alerts.mark_escalated(session, actor, alert.id, case.id)
    _record(session, actor, case, CaseOpened, source="alert", alert=alert.id, series=skey)
    return case


def open_manual(session: Session, actor: Actor, *, source: str, title: str, description: str = "",
                harm: str = "", countries: list[str] | None = None, languages: list[str] | None = None,
                first_signal_at: datetime | None = None) -> Case:
    actor.require(Perm.ALERTS_TRIAGE)
    if source not in SOURCES or source == "alert":
        raise ValidationFailed(f"source must be one of {', '.join(s for s in SOURCES if s != 'alert')}",
                               field="source")
    at = now()
    if first_signal_at is not None and (first_signal_at.tzinfo is None or first_signal_at > at):
        raise ValidationFailed("first_signal_at must be an aware time, not in the future", field="first_signal_at")
    data = _incident_data({"title": _text(title, "title", 200), "type": "other",
                           "harm_categories": [harm] if harm else [],
                           "countries": countries or [], "languages": languages or []})
    case = Case(title=data.title, source=source, description=_text(description, "description", 20_000,
                                                                   required=False),
                status="open", harm=harm, countries=data.countries, languages=data.languages, series=[],
                signal_ids=[], first_signal_at=first_signal_at or at, opened_at=at, opened_by=actor.label,
                updated_at=at)
    session.add(case)
    session.flush()
    _record(session, actor, case, CaseOpened, source=source, title=case.title)
    return case


def _open_case(session: Session, actor: Actor, case_id: int) -> Case:
    actor.require(Perm.ALERTS_TRIAGE)
    case = get(session, actor, case_id, lock=True)
    if case.status != "open":
        raise InvalidTransition(f"case {case_id} is {case.status}")
    return case


def assign(session: Session, actor: Actor, case_id: int, username: str, *, confirm: bool = False) -> Case:
    """Give the case to ``username``. A case of high-intensity harm goes only to someone with room in
    their exposure budget, unless they take it themselves and confirm."""
    case = _open_case(session, actor, case_id)
    name = _text(username, "username", 64)
    user = auth.find_person(session, name)
    wellness.check_assignment(session, actor, user.id, case.harm or None, confirm=confirm)
    case.assignee, case.updated_at = user.username, now()
    _record(session, actor, case, CaseAssigned, username=user.username)
    return case


def suggested_assignees(session: Session, actor: Actor, case_id: int, *, limit: int = 5) -> list[str]:
    """Who could triage the case, those with the most room in their exposure budget for its harm first
    (nothing about how much anybody has seen: only the order)."""
    case = get(session, actor, case_id)
    triagers = _triagers(session)
    order = wellness.choose(session, [p.id for p in triagers], case.harm or None)
    left = wellness.room(session, order, case.harm or None)
    names = {p.id: p.username for p in triagers}
    return [names[i] for i in order if left[i] > 0][:limit]


def _triagers(session: Session) -> list[auth.Person]:
    return [p for p in auth.active_people(session) if Perm.ALERTS_TRIAGE in auth.ROLES.get(p.role, frozenset())]


def distribute(session: Session, actor: Actor, *, limit: int = 1000) -> list[tuple[int, str | None]]:
    """Give every open, unassigned case (oldest first) to a triager: high-intensity harms to whoever has
    the most room in their exposure budget, counting what this run gives out; the rest evenly. A case
    nobody has room for stays unassigned. Returns (case id, assignee or None)."""
    actor.require(Perm.ALERTS_TRIAGE)
    waiting = list(session.execute(select(Case).where(Case.status == "open", Case.assignee.is_(None))
                                   .order_by(Case.opened_at, Case.id).limit(limit).with_for_update()).scalars())
    people = _triagers(session)
    names = {p.id: p.username for p in people}
    chosen = wellness.plan(session, [p.id for p in people], [c.harm or None for c in waiting])
    out: list[tuple[int, str | None]] = []
    for case, user_id in zip(waiting, chosen, strict=True):
        if user_id is not None:
            case.assignee, case.updated_at = names[user_id], now()
            _record(session, actor, case, CaseAssigned, username=names[user_id])
        out.append((case.id, names.get(user_id) if user_id is not None else None))
    return out


def note(session: Session, actor: Actor, case_id: int, body: str) -> Case:
    actor.require(Perm.ALERTS_TRIAGE)
    case = get(session, actor, case_id, lock=True)
    text = _text(body, "body", 20_000)
    case.updated_at = now()
    _record(session, actor, case, CaseNoted, body=text)
    return case


def dismiss(session: Session, actor: Actor, case_id: int, reason: str) -> Case:
    case = _open_case(session, actor, case_id)
    case.status, case.reason, case.updated_at = "dismissed", _text(reason, "reason", 2000), now()
    _record(session, actor, case, CaseDismissed, reason=case.reason)
    wellness.record(session, actor, case.harm or None, "review")  # deciding a case is reviewing its content
    return case


def draft(case: Case) -> dict[str, Any]:
    """The incident an escalation declares, pre-filled from the case (the form starts from this)."""
    lines = [case.description] if case.description else []
    if case.series:
        lines.append("Triggering series: " + ", ".join(case.series))
    if case.signal_ids:
        lines.append(f"Linked signals: {len(case.signal_ids)} (first #{case.signal_ids[0]})")
    return {"title": case.title[:200], "type": incident_type_for(case.harm), "summary": "\n".join(lines),
            "harm_categories": [case.harm] if case.harm else [], "countries": list(case.countries),
            "languages": list(case.languages), "source_description": f"Triage case #{case.id} ({case.source})",
            "detected_at": case.alert_at or case.first_signal_at}


def escalate(session: Session, actor: Actor, case_id: int, *, overrides: dict[str, Any] | None = None,
             into: str | None = None) -> IncidentSummary:
    """Declare an incident from the case (``overrides`` change the draft), or link it to ``into``."""
    case = _open_case(session, actor, case_id)
    at = now()
    if into:
        actor.require(Perm.INCIDENTS_UPDATE)
        incident = incidents.get(session, actor, _text(into, "into", 40))
        declared_at = at
    else:
        fields = {**draft(case), **{k: v for k, v in (overrides or {}).items() if v not in (None, "")}}
        if fields.get("detected_at") and fields["detected_at"] > at:
            fields["detected_at"] = at
        incident = incidents.declare(session, actor, _incident_data(fields), take_command=True)
        declared_at = incident.declared_at
    case.status, case.incident_id, case.declared_at, case.updated_at = "escalated", incident.id, declared_at, at
    events.record(session, actor, CaseLinked(subject_id=incident.id, ref=incident.ref, case=case.id,
                                             source=case.source, series=list(case.series),
                                             signals=len(case.signal_ids), signal_ids=case.signal_ids[:50],
                                             alert=case.alert_id, linked=bool(into)))
    _record(session, actor, case, CaseEscalated, incident=incident.id, linked=bool(into))
    wellness.record(session, actor, case.harm or None, "review", incident_ref=incident.ref)
    return incident


def incident_ref(session: Session, actor: Actor, case: Case) -> str | None:
    """The ref of the case's incident, if the actor may know of it (restricted incidents stay hidden)."""
    if case.incident_id is None or not incidents.visible_ids(session, actor, {case.incident_id}):
        return None
    return incidents.get_by_id(session, actor, case.incident_id).ref


def metrics(case: Case) -> dict[str, float | None]:
    def minutes(a: datetime | None, b: datetime | None) -> float | None:
        return round((b - a).total_seconds() / 60.0, 1) if a and b else None

    return {"time_to_detect_minutes": minutes(case.first_signal_at, case.alert_at),
            "time_to_declare_minutes": minutes(case.alert_at or case.first_signal_at, case.declared_at),
            "first_signal_to_declare_minutes": minutes(case.first_signal_at, case.declared_at)}


def timeline(session: Session, actor: Actor, case: Case) -> list[events.Event]:
    actor.require(Perm.ALERTS_READ)
    return events.for_subject(session, "case", case.id)
