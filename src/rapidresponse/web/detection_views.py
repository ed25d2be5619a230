"""Detection pages: the alert queue, an alert with its series chart, triage cases, thresholds with backtest."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from ..auth import Perm
from ..clock import now
from ..db import unit_of_work
from ..detection import alerts, cases, thresholds
from ..detection.harms import may_read_samples
from ..errors import DomainError, ValidationFailed
from ..i18n import N_
from ..incidents.vocab import IncidentType
from . import detection_chart, pages
from .context import request_locale
from .forms import domain_message
from .security import Posted, WebUser, require_post, require_user
from .templating import render

router = APIRouter(include_in_schema=False)
pages.badge("alerts", lambda s, actor: alerts.open_count(s, actor) if actor.can(Perm.ALERTS_READ) else 0)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
STATE_LABELS = {"open": N_("Awaiting triage"), "acknowledged": N_("Acknowledged"), "snoozed": N_("Snoozed"),
                "suppressed": N_("Suppressed"), "dismissed": N_("Dismissed"), "escalated": N_("Case opened")}
CASE_STATUS_LABELS = {"open": N_("In triage"), "dismissed": N_("Dismissed"),
                      "escalated": N_("Escalated to an incident")}
SOURCE_LABELS = {"alert": N_("Alert"), "press": N_("Press"), "regulator": N_("Regulator"),
                 "trusted_flagger": N_("Trusted flagger"), "partner": N_("Partner"), "internal": N_("Internal"),
                 "other": N_("Other")}


def _number(value: str, field: str, lo: float, hi: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed(f"{field}: a number is needed", field=field) from None
    if not lo <= number <= hi:
        raise ValidationFailed(f"{field}: between {lo:g} and {hi:g}", field=field)
    return number


# --- alerts ------------------------------------------------------------------------------------------------

@router.get("/alerts")
def alert_queue(request: Request, user: Annotated[WebUser, Depends(require_user)],
                state: Annotated[str, Query(max_length=20, pattern=r"^[a-z]*$")] = "live") -> Response:
    user.actor.require(Perm.ALERTS_READ)
    with unit_of_work(read_only=True) as s:
        rows, total = alerts.list_alerts(s, user.actor, state=state or None, limit=200)
    return render(request, "detection/alerts.html", {"rows": rows, "total": total, "state": state,
                                                       "STATE_LABELS": STATE_LABELS})


def _alert_page(request: Request, user: WebUser, alert_id: int, *, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        alert = alerts.get(s, user.actor, alert_id)
        end = max(alert.last_bucket + timedelta(hours=3), alert.last_bucket + timedelta(minutes=5))
        end = min(end, max(now(), alert.last_bucket + timedelta(minutes=5)))
        chart = detection_chart.build(s, user.actor, alerts.key_of(alert), end)
        timeline = alerts.timeline(s, user.actor, alert)
        case_id = cases.for_alert(s, alert.id)
    return render(request, "detection/alert.html", {"case_id": case_id,
        "alert": alert, "chart": chart, "timeline": timeline, "series": alerts.series_key(*alerts.key_of(alert)),
        "STATE_LABELS": STATE_LABELS, "live": alert.state in alerts.LIVE, "error": error,
        "can_triage": user.actor.can(Perm.ALERTS_TRIAGE), "can_manage": user.actor.can(Perm.DETECTION_MANAGE),
        "show_samples": may_read_samples(user.actor, alert.harm)},
        status=status)


@router.get("/alerts/{alert_id}")
def alert_detail(request: Request, user: Annotated[WebUser, Depends(require_user)], alert_id: Id) -> Response:
    return _alert_page(request, user, alert_id)


@router.post("/alerts/{alert_id}")
def alert_action(request: Request, posted: Annotated[Posted, Depends(require_post)], alert_id: Id) -> Response:
    action, actor = posted.get("action"), posted.actor
    try:
        with unit_of_work() as s:
            if action == "ack":
                alerts.acknowledge(s, actor, alert_id)
            elif action == "snooze":
                hours = _number(posted.get("hours", "4"), "hours", 0.25, 720)
                alerts.snooze(s, actor, alert_id, until=now() + timedelta(hours=hours),
                              reason=posted.get("reason")[:2000])
            elif action == "suppress":
                days = _number(posted.get("days", "7"), "days", 0.01, 365)
                alerts.suppress(s, actor, alert_id, reason=posted.get("reason")[:2000],
                                expires_at=now() + timedelta(days=days))
            elif action == "dismiss":
                alerts.dismiss(s, actor, alert_id, reason=posted.get("reason")[:2000])
            elif action == "case":
                case = cases.open_from_alert(s, actor, alert_id, title=posted.get("title")[:200])
                return RedirectResponse(f"/cases/{case.id}", status_code=303)
            else:
                raise ValidationFailed("unknown action", field="action")
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _alert_page(request, posted.user, alert_id, error=domain_message(request_locale(request), exc),
                           status=exc.status)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


# --- cases ----------------------------------------------------------------------------------------------------

def _case_list(request: Request, user: WebUser, *, status_filter: str = "", error: str = "",
               values: dict[str, str] | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        rows, total = cases.list_cases(s, user.actor, status=status_filter or None, limit=200)
    return render(request, "detection/cases.html", {
        "rows": rows, "total": total, "status_filter": status_filter, "CASE_STATUS_LABELS": CASE_STATUS_LABELS,
        "SOURCE_LABELS": SOURCE_LABELS, "error": error, "values": values or {},
        "can_triage": user.actor.can(Perm.ALERTS_TRIAGE)}, status=status)


@router.get("/cases")
def case_list(request: Request, user: Annotated[WebUser, Depends(require_user)],
              status: Annotated[str, Query(max_length=20, pattern=r"^[a-z]*$")] = "") -> Response:
    user.actor.require(Perm.ALERTS_READ)
    return _case_list(request, user, status_filter=status)


@router.post("/cases")
def case_create(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    values = {k: posted.get(k) for k in ("source", "title", "description", "harm", "countries", "languages")}
    try:
        with unit_of_work() as s:
            case = cases.open_manual(
                s, posted.actor, source=values["source"], title=values["title"][:200],
                description=values["description"][:20_000], harm=values["harm"].strip()[:60],
                countries=[c.strip() for c in values["countries"].split(",") if c.strip()][:60],
                languages=[c.strip() for c in values["languages"].split(",") if c.strip()][:30])
            case_id = case.id
    except DomainError as exc:
        return _case_list(request, posted.user, error=domain_message(request_locale(request), exc), values=values,
                          status=exc.status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _case_page(request: Request, user: WebUser, case_id: int, *, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        case = cases.get(s, user.actor, case_id)
        page: dict[str, Any] = {
            "case": case, "timeline": cases.timeline(s, user.actor, case), "draft": cases.draft(case),
            "incident_ref": cases.incident_ref(s, user.actor, case), "metrics": cases.metrics(case),
            "types": [t.value for t in IncidentType], "error": error, "CASE_STATUS_LABELS": CASE_STATUS_LABELS,
            "SOURCE_LABELS": SOURCE_LABELS, "can_triage": user.actor.can(Perm.ALERTS_TRIAGE),
            "can_declare": user.actor.can(Perm.INCIDENTS_DECLARE)}
    return render(request, "detection/case.html", page, status=status)


@router.get("/cases/{case_id}")
def case_detail(request: Request, user: Annotated[WebUser, Depends(require_user)], case_id: Id) -> Response:
    return _case_page(request, user, case_id)


@router.post("/cases/{case_id}")
def case_action(request: Request, posted: Annotated[Posted, Depends(require_post)], case_id: Id) -> Response:
    action, actor = posted.get("action"), posted.actor
    try:
        with unit_of_work() as s:
            if action == "assign":
                cases.assign(s, actor, case_id, posted.get("username")[:64])
            elif action == "note":
                cases.note(s, actor, case_id, posted.get("body")[:20_000])
            elif action == "dismiss":
                cases.dismiss(s, actor, case_id, posted.get("reason")[:2000])
            elif action == "escalate":
                incident = cases.escalate(
                    s, actor, case_id, into=posted.get("into").strip()[:40] or None,
                    overrides={"title": posted.get("title")[:200], "type": posted.get("type")[:40],
                               "summary": posted.get("summary")[:20_000]})
                return RedirectResponse(f"/incidents/{incident.ref}", status_code=303)
            else:
                raise ValidationFailed("unknown action", field="action")
    except DomainError as exc:
        if exc.status == 404 and action != "escalate":
            raise
        return _case_page(request, posted.user, case_id, error=domain_message(request_locale(request), exc),
                          status=exc.status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# --- thresholds -------------------------------------------------------------------------------------------------

def _thresholds(request: Request, user: WebUser, *, family: str = "", threshold: str = "", error: str = "",
                status: int = 200) -> Response:
    result = None
    with unit_of_work(read_only=True) as s:
        rows = thresholds.list_thresholds(s, user.actor)
        rules = alerts.list_rules(s, user.actor)
        if family and threshold and not error:
            try:
                result = thresholds.backtest(s, user.actor, family, _number(threshold, "threshold", 0.0, 1.0))
            except DomainError as exc:
                error, status = domain_message(request_locale(request), exc), exc.status
    return render(request, "detection/thresholds.html", {
        "rows": rows, "rules": rules, "family": family, "threshold": threshold, "result": result, "error": error,
        "can_manage": user.actor.can(Perm.DETECTION_MANAGE)}, status=status)


@router.get("/detection/thresholds")
def threshold_editor(request: Request, user: Annotated[WebUser, Depends(require_user)],
                     family: Annotated[str, Query(max_length=60)] = "",
                     threshold: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Thresholds per family; with ``family`` and ``threshold``, the backtest of that value (30 days)."""
    user.actor.require(Perm.ALERTS_READ)
    return _thresholds(request, user, family=family.strip(), threshold=threshold.strip())


@router.post("/detection/thresholds")
def threshold_save(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    family, value = posted.get("family").strip()[:60], posted.get("threshold").strip()[:20]
    try:
        with unit_of_work() as s:
            thresholds.set_threshold(s, posted.actor, family, _number(value, "threshold", 0.0, 1.0))
    except DomainError as exc:
        return _thresholds(request, posted.user, error=domain_message(request_locale(request), exc),
                           status=exc.status)
    return RedirectResponse(f"/detection/thresholds?family={family}&threshold={value}", status_code=303)


@router.post("/detection/suppressions")
def suppression_add(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    try:
        with unit_of_work() as s:
            days = _number(posted.get("days", "7"), "days", 0.01, 365)
            alerts.add_rule(s, posted.actor, harm=posted.get("harm", "*")[:60] or "*",
                            country=posted.get("country", "*")[:8] or "*",
                            language=posted.get("language", "*")[:16] or "*", reason=posted.get("reason")[:2000],
                            expires_at=now() + timedelta(days=days))
    except DomainError as exc:
        return _thresholds(request, posted.user, error=domain_message(request_locale(request), exc),
                           status=exc.status)
    return RedirectResponse("/detection/thresholds", status_code=303)


@router.post("/detection/suppressions/{suppression_id}/lift")
def suppression_lift(request: Request, posted: Annotated[Posted, Depends(require_post)],
                     suppression_id: Id) -> Response:
    try:
        with unit_of_work() as s:
            alerts.lift_rule(s, posted.actor, suppression_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _thresholds(request, posted.user, error=domain_message(request_locale(request), exc),
                           status=exc.status)
    return RedirectResponse("/detection/thresholds", status_code=303)
