"""Detection pages: the alert queue, an alert with its series chart, triage cases, thresholds with backtest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from .. import incidents, policy, signals, wellness
from ..auth import Actor, Perm
from ..clock import now
from ..db import unit_of_work
from ..errors import DomainError, ValidationFailed
from ..http import Id
from ..i18n import N_
from ..web import pages
from ..web.context import request_locale
from ..web.forms import domain_message, form_action
from ..web.security import Posted, PostedDep, WebUser, require_user
from ..web.templating import Translator, render
from . import chart, service
from .schemas import AlertOut
from .vocab import LIVE

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.badge("alerts", service.open_alert_count)
UserDep = Annotated[WebUser, Depends(require_user)]
STATE_LABELS = {"open": N_("Awaiting triage"), "acknowledged": N_("Acknowledged"), "snoozed": N_("Snoozed"),
                "suppressed": N_("Suppressed"), "dismissed": N_("Dismissed"), "escalated": N_("Case opened")}
CASE_STATUS_LABELS = {"open": N_("In triage"), "dismissed": N_("Dismissed"),
                      "escalated": N_("Escalated to an incident")}
SOURCE_LABELS = {"alert": N_("Alert"), "press": N_("Press"), "regulator": N_("Regulator"),
                 "trusted_flagger": N_("Trusted flagger"), "partner": N_("Partner"), "internal": N_("Internal"),
                 "other": N_("Other")}
Refused = Callable[[str, int], Response]


def _number(value: str, field: str, lo: float, hi: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed(f"{field}: a number is needed", field=field) from None
    if not lo <= number <= hi:
        raise ValidationFailed(f"{field}: between {lo:g} and {hi:g}", field=field)
    return number


# --- alerts ------------------------------------------------------------------------------------------------

def harm_names(locale: str) -> dict[str, str]:
    """Harm categories by slug, named in ``locale``."""
    return {h.slug: (h.name.ru if locale == "ru" else h.name.en) for h in policy.load_taxonomy().harms()}


@pass_context
def harm_name(context: Context, slug: str | None) -> str:
    """A page's name for a harm category (``{{ harm_name(alert.harm) }}``): its slug when the taxonomy has none."""
    return harm_names(context.get("LOCALE", "en")).get(slug or "", slug or "-")


pages.globals_(harm_name=harm_name)


def _harm_names(request: Request) -> dict[str, str]:
    return harm_names(request_locale(request))


def _series(alert: AlertOut, harms: dict[str, str]) -> str:
    """An alert's series (harm · country · language), the harm named."""
    return " · ".join(str(part) for part in (harms.get(alert.harm or "", alert.harm or "-"), alert.country or "-",
                                             alert.language or "-"))


@router.get("/alerts")
def alert_queue(request: Request, user: UserDep,
                state: Annotated[str, Query(max_length=20, pattern=r"^[a-z]*$")] = "live") -> Response:
    user.actor.require(Perm.ALERTS_READ)
    with unit_of_work(read_only=True) as s:
        rows, total = service.list_alerts(s, user.actor, state=state or None, limit=200)
    harms = _harm_names(request)
    return render(request, "detection/alerts.html", {"rows": rows, "total": total, "state": state,
                                                       "series": {a.id: _series(a, harms) for a in rows},
                                                       "STATE_LABELS": STATE_LABELS})


def _samples(s: Session, actor: Actor, alert: AlertOut, view: wellness.SafeView) -> list[dict[str, Any]]:
    """The alert's sample reports as this person sees them: their safe-viewing settings applied (the
    worst terms masked, hidden until revealed)."""
    if not service.may_read_samples(actor, alert.harm):
        return []
    out = []
    for x in alert.samples:
        key = f"signal-{x.get('id')}"
        text = signals.safe_text(s, view, alert.harm, str(x.get("text") or ""), key)
        out.append({**x, "text": text or "", "shown": view.item(alert.harm, key)})
    return out


def _trend_labels(s: Session, alert: AlertOut, view: wellness.SafeView) -> list[dict[str, Any]]:
    """The trends behind the alert, their labels as this person's settings show them ("" when hidden)."""
    return [{**t, "label": signals.safe_text(s, view, alert.harm, str(t.get("label") or ""), f"trend-{t.get('id')}")
             or ""} for t in (alert.trends or [])]


def _alert_page(request: Request, user: WebUser, alert_id: int, *, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        alert = service.get_alert(s, user.actor, alert_id)
        end = max(alert.last_bucket + timedelta(hours=3), alert.last_bucket + timedelta(minutes=5))
        end = min(end, max(now(), alert.last_bucket + timedelta(minutes=5)))
        key = (alert.harm, alert.country, alert.language)
        series_chart = chart.build(service.series_data(s, user.actor, key, end), timezone=user.actor.timezone)
        timeline = service.alert_history(s, user.actor, alert_id)
        case_id = service.case_of_alert(s, user.actor, alert_id)
        view = wellness.safe_view(s, user.actor, request.query_params.get("revealed"))  # the settings, read once
        samples = _samples(s, user.actor, alert, view)
        standing = wellness.standing(s, user.actor) if samples and user.actor.user_id is not None else None
        trend_labels = _trend_labels(s, alert, view)
    return render(request, "detection/alert.html", {
        "samples": samples, "standing": standing, "trend_labels": trend_labels,
        "case_id": case_id, "alert": alert, "chart": series_chart, "timeline": timeline,
        "series": _series(alert, _harm_names(request)),
        "STATE_LABELS": STATE_LABELS, "live": alert.state in LIVE, "error": error,
        "can_triage": user.actor.can(Perm.ALERTS_TRIAGE), "can_manage": user.actor.can(Perm.DETECTION_MANAGE),
        "show_samples": service.may_read_samples(user.actor, alert.harm)}, status=status)


@router.get("/alerts/{alert_id}")
def alert_detail(request: Request, user: UserDep, alert_id: Id) -> Response:
    return _alert_page(request, user, alert_id)


def _alert_call(posted: Posted, alert_id: int) -> Callable[[Session, None], Any]:
    """What the alert form's ``action`` does (an unknown action is refused)."""
    action, actor = posted.get("action"), posted.actor

    def call(s: Session, _: None) -> Any:
        if action == "ack":
            return service.acknowledge(s, actor, alert_id)
        if action == "snooze":
            hours = _number(posted.get("hours", "4"), "hours", 0.25, 720)
            return service.snooze(s, actor, alert_id, until=now() + timedelta(hours=hours),
                                  reason=posted.get("reason")[:2000])
        if action == "suppress":
            days = _number(posted.get("days", "7"), "days", 0.01, 365)
            return service.suppress(s, actor, alert_id, reason=posted.get("reason")[:2000],
                                    expires_at=now() + timedelta(days=days))
        if action == "dismiss":
            return service.dismiss(s, actor, alert_id, reason=posted.get("reason")[:2000])
        if action == "case":
            return service.open_case_from_alert(s, actor, alert_id, title=posted.get("title")[:200])
        raise ValidationFailed("unknown action", field="action")

    return call


@router.post("/alerts/{alert_id}")
def alert_action(request: Request, posted: PostedDep, alert_id: Id) -> Response:
    def refused(message: str, status: int) -> Response:
        return _alert_page(request, posted.user, alert_id, error=message, status=status)

    def redirect(s: Session, done: Any) -> str:
        return f"/cases/{done.id}" if posted.get("action") == "case" else f"/alerts/{alert_id}"

    return form_action(request, build=lambda: None, call=_alert_call(posted, alert_id), redirect=redirect,
                       refused=refused)


# --- cases ----------------------------------------------------------------------------------------------------

def _case_list(request: Request, user: WebUser, *, status_filter: str = "", error: str = "",
               values: dict[str, str] | None = None, status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        rows, total = service.list_cases(s, user.actor, status=status_filter or None, limit=200)
    return render(request, "detection/cases.html", {
        "rows": rows, "total": total, "status_filter": status_filter, "CASE_STATUS_LABELS": CASE_STATUS_LABELS,
        "SOURCE_LABELS": SOURCE_LABELS, "error": error, "values": values or {},
        "can_triage": user.actor.can(Perm.ALERTS_TRIAGE)}, status=status)


@router.get("/cases")
def case_list(request: Request, user: UserDep,
              status: Annotated[str, Query(max_length=20, pattern=r"^[a-z]*$")] = "") -> Response:
    user.actor.require(Perm.ALERTS_READ)
    return _case_list(request, user, status_filter=status)


def _items(value: str, most: int) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()][:most]


@router.post("/cases")
def case_create(request: Request, posted: PostedDep) -> Response:
    values = {k: posted.get(k) for k in ("source", "title", "description", "harm", "countries", "languages")}

    def refused(message: str, status: int) -> Response:
        return _case_list(request, posted.user, error=message, values=values, status=status)

    return form_action(
        request, build=lambda: values, refused=refused, not_found="refuse",
        call=lambda s, v: service.open_manual_case(
            s, posted.actor, source=v["source"], title=v["title"][:200], description=v["description"][:20_000],
            harm=v["harm"].strip()[:60], countries=_items(v["countries"], 60), languages=_items(v["languages"], 30)),
        redirect=lambda s, case: f"/cases/{case.id}")


def _case_page(request: Request, user: WebUser, case_id: int, *, error: str = "", status: int = 200) -> Response:
    with unit_of_work(read_only=True) as s:
        case = service.get_case(s, user.actor, case_id)
        view = wellness.safe_view(s, user.actor, request.query_params.get("revealed"))
        shown = view.item(case.harm or None, f"case-{case_id}")
        description = signals.safe_text(s, view, case.harm or None, case.description, f"case-{case_id}")
        draft = service.case_draft(s, user.actor, case_id)
        if description is None and case.description:  # the report's words wait behind the reveal, in the draft too
            draft = {**draft, "summary": str(draft.get("summary", "")).replace(case.description, "").strip()}
        ours = service.case_description(description, Translator(request_locale(request))) if description else None
        page: dict[str, Any] = {
            "case": case, "timeline": service.case_history(s, user.actor, case_id), "shown": shown, "ours": ours,
            "description": description, "standing": wellness.standing(s, user.actor) if user.actor.user_id else None,
            "draft": draft, "incident_ref": case.incident,
            "metrics": case.metrics, "types": [t.value for t in incidents.IncidentType], "error": error,
            "CASE_STATUS_LABELS": CASE_STATUS_LABELS, "SOURCE_LABELS": SOURCE_LABELS,
            "can_triage": user.actor.can(Perm.ALERTS_TRIAGE), "can_declare": user.actor.can(Perm.INCIDENTS_DECLARE),
            "suggested": service.suggested_assignees(s, user.actor, case_id) if case.status == "open" else []}
    return render(request, "detection/case.html", page, status=status)


@router.get("/cases/{case_id}")
def case_detail(request: Request, user: UserDep, case_id: Id) -> Response:
    return _case_page(request, user, case_id)


def _change_case(s: Session, posted: Posted, case_id: int) -> Any:
    """What the case form's ``action`` does (an unknown action is refused)."""
    action, actor = posted.get("action"), posted.actor
    if action == "assign":
        return service.assign_case(s, actor, case_id, posted.get("username")[:64], confirm=posted.get("confirm") == "1")
    if action == "note":
        return service.note_case(s, actor, case_id, posted.get("body")[:20_000])
    if action == "dismiss":
        return service.dismiss_case(s, actor, case_id, posted.get("reason")[:2000])
    if action == "escalate":
        return service.escalate_case(
            s, actor, case_id, into=posted.get("into").strip()[:40] or None,
            overrides={"title": posted.get("title")[:200], "type": posted.get("type")[:40],
                       "summary": posted.get("summary")[:20_000]})
    raise ValidationFailed("unknown action", field="action")


@router.post("/cases/{case_id}")
def case_action(request: Request, posted: PostedDep, case_id: Id) -> Response:
    escalate = posted.get("action") == "escalate"
    try:
        with unit_of_work() as s:
            done = _change_case(s, posted, case_id)
    except DomainError as exc:
        if exc.status == 404 and not escalate:
            raise
        # escalating into an incident that does not exist (or is hidden) is refused on the case page, a 404
        return _case_page(request, posted.user, case_id, error=domain_message(request_locale(request), exc),
                          status=exc.status)
    return RedirectResponse(f"/incidents/{done.ref}" if escalate else f"/cases/{case_id}", status_code=303)


# --- thresholds -------------------------------------------------------------------------------------------------

def _thresholds(request: Request, user: WebUser, *, family: str = "", threshold: str = "", error: str = "",
                status: int = 200) -> Response:
    result = None
    with unit_of_work(read_only=True) as s:
        rows = service.list_thresholds(s, user.actor)
        rules = service.list_suppressions(s, user.actor)
        if family and threshold and not error:
            try:
                result = service.backtest(s, user.actor, family, _number(threshold, "threshold", 0.0, 1.0))
            except DomainError as exc:
                error, status = domain_message(request_locale(request), exc), exc.status
    return render(request, "detection/thresholds.html", {
        "rows": rows, "rules": rules, "family": family, "threshold": threshold, "result": result, "error": error,
        "can_manage": user.actor.can(Perm.DETECTION_MANAGE)}, status=status)


@router.get("/detection/thresholds")
def threshold_editor(request: Request, user: UserDep, family: Annotated[str, Query(max_length=60)] = "",
                     threshold: Annotated[str, Query(max_length=20)] = "") -> Response:
    """Thresholds per family; with ``family`` and ``threshold``, the backtest of that value (30 days)."""
    user.actor.require(Perm.ALERTS_READ)
    return _thresholds(request, user, family=family.strip(), threshold=threshold.strip())


def _threshold_refused(request: Request, user: WebUser) -> Refused:
    def refused(message: str, status: int) -> Response:
        return _thresholds(request, user, error=message, status=status)

    return refused


@router.post("/detection/thresholds")
def threshold_save(request: Request, posted: PostedDep) -> Response:
    family, value = posted.get("family").strip()[:60], posted.get("threshold").strip()[:20]
    return form_action(
        request, build=lambda: None, not_found="refuse",
        call=lambda s, _: service.set_threshold(s, posted.actor, family, _number(value, "threshold", 0.0, 1.0)),
        redirect=lambda s, _: f"/detection/thresholds?family={family}&threshold={value}",
        refused=_threshold_refused(request, posted.user))


@router.post("/detection/suppressions")
def suppression_add(request: Request, posted: PostedDep) -> Response:
    def call(s: Session, _: None) -> Any:
        days = _number(posted.get("days", "7"), "days", 0.01, 365)
        return service.add_suppression(
            s, posted.actor, harm=posted.get("harm", "*")[:60] or "*", country=posted.get("country", "*")[:8] or "*",
            language=posted.get("language", "*")[:16] or "*", reason=posted.get("reason")[:2000],
            expires_at=now() + timedelta(days=days))

    return form_action(request, build=lambda: None, call=call, redirect=lambda s, _: "/detection/thresholds",
                       refused=_threshold_refused(request, posted.user), not_found="refuse")


@router.post("/detection/suppressions/{suppression_id}/lift")
def suppression_lift(request: Request, posted: PostedDep, suppression_id: Id) -> Response:
    return form_action(request, build=lambda: None,
                       call=lambda s, _: service.lift_suppression(s, posted.actor, suppression_id),
                       redirect=lambda s, _: "/detection/thresholds", refused=_threshold_refused(request, posted.user))


@router.post("/cases/{case_id}/reveal")
def reveal_case(request: Request, case_id: Id, posted: PostedDep) -> Response:
    """Reveal a case's report text and log the exposure (its harm class and intensity, never its words)."""
    with unit_of_work() as s:
        case = service.get_case(s, posted.actor, case_id)
        wellness.record(s, posted.actor, case.harm or None, "reveal")
    return RedirectResponse(f"/cases/{case_id}?revealed=case-{case_id}", status_code=303)
