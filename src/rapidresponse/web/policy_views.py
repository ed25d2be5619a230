"""Policy pages: the REECA overview map, country profiles, the harm taxonomy and the decision log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from ..auth import Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..policy import decision_service as decisions
from ..policy import overrides, sor_export
from ..policy import request_service as requests
from ..policy.countries import get_country
from ..policy.overview import IncidentRules, incident_rules, tile_map
from ..policy.schemas import AppealCreate, AppealDecide, DecisionCreate, DecisionFilter, RequestFilter
from ..policy.taxonomy import load_taxonomy
from . import pages
from .context import request_locale
from .forms import domain_message, field_errors, split_list
from .security import Posted, WebUser, require_post, require_user
from .templating import Translator, render

router = APIRouter(include_in_schema=False)
pages.notices(decision=N_("The decision was recorded."),
              profile=N_("The correction was saved; new requests use it, running clocks keep theirs."),
              appeal=N_("The appeal was recorded."))
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ACTION_LABELS = {
    "remove": N_("Remove"), "geo_restrict": N_("Geo-restrict"), "age_restrict": N_("Age-restrict"),
    "reduce_reach": N_("Reduce reach"), "label": N_("Label"), "account_suspend": N_("Suspend the account"),
    "account_terminate": N_("Terminate the account"),
}
APPEAL_LABELS = {"open": N_("Under review"), "upheld": N_("Upheld"), "reversed": N_("Reversed"),
                 "modified": N_("Modified")}


def _read(user: WebUser) -> None:
    user.actor.require(Perm.POLICY_READ)


@router.get("/policy")
def overview(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    _read(user)
    return render(request, "policy/overview.html", {"tiles": tile_map()})


Code = Annotated[str, Path(min_length=2, max_length=2)]


def _country_page(request: Request, user: WebUser, code: str, *, failed: str = "", error: str = "",
                  status: int = 200) -> Response:
    _read(user)
    return render(request, "policy/country.html", {"p": get_country(code), "failed": failed, "error": error,
                                                   "can_manage": user.actor.can(Perm.POLICY_MANAGE)}, status=status)


@router.get("/policy/countries/{code}")
def country(request: Request, code: Code, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _country_page(request, user, code)


@router.post("/policy/countries/{code}/deadlines/{name}")
def correct_deadline(request: Request, code: Code, name: Annotated[str, Path(max_length=60)],
                     posted: Annotated[Posted, Depends(require_post)]) -> Response:
    """A policy team's correction of one statutory deadline, saved as override data."""
    raw = posted.get("hours").strip().replace(",", ".")
    try:
        hours = float(raw) if raw else None
        with unit_of_work() as s:
            overrides.correct_deadline(s, posted.actor, code, name, hours=hours, time=posted.get("time"),
                                       confidence=posted.get("confidence"), notes=posted.get("notes")[:2000])
    except ValueError:
        _ = Translator(request_locale(request))
        return _country_page(request, posted.user, code, failed=name, error=_("Hours must be a number."), status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _country_page(request, posted.user, code, failed=name,
                             error=domain_message(request_locale(request), exc), status=exc.status)
    return RedirectResponse(f"/policy/countries/{code.upper()}?done=profile#deadlines", status_code=303)


@router.get("/policy/taxonomy")
def taxonomy(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    _read(user)
    return render(request, "policy/taxonomy.html", {"t": load_taxonomy()})


# --- the incident page's section ----------------------------------------------------------------

def incident_section(session: Any, actor: Any, inc: Any, locale: str) -> dict[str, Any]:
    """The applicable-rules checklist and the incident's regulator requests, for the incident page."""
    if not actor.can(Perm.POLICY_READ):
        return {"policy": {"rules": None, "requests": []}}
    rules: IncidentRules = incident_rules(session, actor, inc.ref)
    reqs, _ = requests.list_requests(session, actor, RequestFilter(incident=inc.ref, limit=50))
    return {"policy": {"rules": rules, "requests": [(r, requests.clock_state(r)) for r in reqs],
                       "regulator_name": requests.regulator_name}}


pages.panel("incident.side", "policy/_incident_rules.html", incident_section, order=10)


# --- the decision log ---------------------------------------------------------------------------

def _decisions_page(request: Request, user: WebUser, *, values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, status: int = 200) -> Response:
    actor = user.actor
    eu_only = request.query_params.get("eu") == "1"
    with unit_of_work(read_only=True) as s:
        rows, total = decisions.list_decisions(s, actor, DecisionFilter(eu_only=eu_only, limit=200))
        appeals = decisions.appeals(s, [d.id for d in rows])
        names = decisions.usernames(s, {d.decided_by_id for d in rows})
        sor = decisions.build_sor(s, actor) if actor.can(Perm.POLICY_MANAGE) else None
    rejected = {d.id: [i for i in issues if i.level == "error"] for d, issues in sor.rejected} if sor else {}
    return render(request, "policy/decisions.html", {
        "rows": rows, "total": total, "appeals": appeals, "names": names, "eu_only": eu_only, "sor": sor,
        "rejected": rejected, "affects_eu": decisions.affects_eu, "ACTION_LABELS": ACTION_LABELS,
        "APPEAL_LABELS": APPEAL_LABELS, "v": values or {}, "errors": errors or {},
        "harms": load_taxonomy().harms(), "can_manage": actor.can(Perm.POLICY_MANAGE),
    }, status=status)


@router.get("/decisions")
def decision_log(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    return _decisions_page(request, user)


@router.post("/decisions/new")
def record_decision(request: Request, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    locale = request_locale(request)
    values = {k: posted.get(k) for k in posted.form if k != "csrf_token"}
    data: dict[str, Any] = {k: posted.get(k) for k in (
        "puid", "content_url", "content_type", "content_date", "action", "ground", "policy_clause", "legal_ground",
        "explanation", "harm", "automated_decision", "source_type", "source_identity", "facts")}
    data["territorial_scope"] = split_list(posted.get("territorial_scope"))
    data["automated_detection"] = posted.get("automated_detection") == "1"
    data["content_language"] = posted.get("content_language") or None
    data["incident"] = posted.get("incident").strip() or None
    data = {k: v for k, v in data.items() if v != ""}
    try:
        body = DecisionCreate.model_validate(data)
        with unit_of_work() as s:
            decisions.record_decision(s, posted.actor, body)
    except ValidationError as exc:
        return _decisions_page(request, posted.user, values=values, errors=field_errors(locale, exc), status=422)
    except DomainError as exc:
        field = str(exc.extra.get("field", "form"))
        return _decisions_page(request, posted.user, values=values, errors={field: domain_message(locale, exc)},
                               status=exc.status)
    return RedirectResponse("/decisions?done=decision", status_code=303)


def _appeal_action(request: Request, posted: Posted, fn: Any) -> Response:
    locale = request_locale(request)
    try:
        with unit_of_work() as s:
            fn(s)
    except ValidationError as exc:
        return _decisions_page(request, posted.user, errors={"appeal": next(iter(field_errors(locale, exc).values()))},
                               status=422)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _decisions_page(request, posted.user, errors={"appeal": domain_message(locale, exc)},
                               status=exc.status)
    return RedirectResponse("/decisions?done=appeal", status_code=303)


@router.post("/decisions/{decision_id}/appeals")
def file_appeal(request: Request, decision_id: Id, posted: Annotated[Posted, Depends(require_post)]) -> Response:
    def run(s: Any) -> None:
        data = AppealCreate.model_validate({"appellant": posted.get("appellant"), "reason": posted.get("reason")})
        decisions.file_appeal(s, posted.actor, decision_id, data)

    return _appeal_action(request, posted, run)


@router.post("/decisions/{decision_id}/appeals/{appeal_id}")
def decide_appeal(request: Request, decision_id: Id, appeal_id: Id,
                  posted: Annotated[Posted, Depends(require_post)]) -> Response:
    def run(s: Any) -> None:
        data = AppealDecide.model_validate({"status": posted.get("status"), "note": posted.get("note")})
        decisions.decide_appeal(s, posted.actor, decision_id, appeal_id, data)

    return _appeal_action(request, posted, run)


@router.get("/decisions/sor.csv")
def sor_csv(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """The valid statements of reasons as CSV (one column per Transparency Database field)."""
    with unit_of_work(read_only=True) as s:
        result = decisions.build_sor(s, user.actor)
    return Response(sor_export.csv_text([st for _, st in result.valid]), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="statements-of-reasons.csv"'})

