"""Analytics pages: the overview of the team's metrics (filters, comparison with the previous period,
charts each with its table and a CSV download) and the SQL console (run, chart, download, save and
share queries, history, the schema browser)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from pydantic import ValidationError

from ..auth import ROLES, Perm
from ..db import unit_of_work
from ..errors import DomainError
from ..i18n import N_
from ..web import pages
from ..web.errors import html_error
from ..web.forms import form_action
from ..web.security import Posted, PostedDep, WebUser, require_user, safe_next
from ..web.templating import render
from . import charts, service, sql
from .schemas import MetricFilter, MetricOut, ParamIn, QueryIn, SavedQueryIn

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
pages.notices(query_saved=N_("The query was saved."), query_deleted=N_("The query was deleted."),
              analytics_synced=N_("The warehouse is up to date."))
pages.globals_(STAGE_LABELS={"detect": N_("Time to detect"), "declare": N_("Time to declare"),
                             "acknowledge": N_("Time to acknowledge"), "mitigate": N_("Time to mitigate"),
                             "resolve": N_("Time to resolve")},
               DIMENSION_LABELS={"harm": N_("Harm"), "country": N_("Country"), "language": N_("Language"),
                                 "severity": N_("Severity"), "source": N_("Source"), "team": N_("Team")})
pages.globals_(INCIDENT_SOURCE_LABELS={"detection": N_("Detection (a triage case)"),
                                      "regulator": N_("Regulator request"), "manual": N_("Declared by hand")})
FILTERS = ("start", "end", "harm", "country", "language", "severity", "team")
UserDep = Annotated[WebUser, Depends(require_user)]


def _filter(request: Request) -> MetricFilter:
    values = {k: request.query_params.get(k, "").strip() for k in FILTERS}
    return MetricFilter.model_validate({k: v for k, v in values.items() if v})


def _query_string(flt: MetricFilter) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in flt.model_dump().items() if v is not None})


@router.get("/analytics")
def overview(request: Request, user: UserDep) -> Response:
    try:
        flt = _filter(request)
    except ValidationError as exc:
        return html_error(request, 422, "Refused", str(exc.errors()[0]["msg"]))
    try:
        with unit_of_work(read_only=True) as s:
            out = service.overview(s, user.actor, flt)
            figures = service.metrics_of(s, user.actor, ["weekly", "by_harm", "by_country", "by_severity",
                                                         "by_source", "heatmap", "oncall_load", "deadlines"], flt)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    weekly = figures["weekly"].rows
    by_country = {str(r[0]): int(r[1]) for r in figures["by_country"].rows}
    return render(request, "analytics/overview.html", {
        "o": out, "flt": flt, "qs": _query_string(flt), "figures": figures,
        "trend": charts.line([(r[0], float(r[1])) for r in weekly]),
        "harm_bars": charts.bars(sorted(((str(r[0]), int(r[1])) for r in figures["by_harm"].rows),
                                        key=lambda kv: -kv[1])[:15]),
        "severity_bars": charts.bars([(f"SEV{r[0]}", int(r[1])) for r in figures["by_severity"].rows]),
        "source_bars": charts.bars([(str(r[0]), int(r[1])) for r in figures["by_source"].rows]),
        "tiles": charts.tiles(by_country),
        "heat": charts.heatmap([(str(r[0]), str(r[1]), int(r[2])) for r in figures["heatmap"].rows]),
        "values": {k: request.query_params.get(k, "") for k in FILTERS},
    })


METRIC_LABELS = {"response_times": N_("Response times"), "exposure": N_("Exposure before mitigation"),
                 "oncall_load": N_("On-call load"), "deadlines": N_("Regulator deadlines"),
                 "cadence": N_("Stakeholder updates"), "recurrence": N_("Recurrence"),
                 "weekly": N_("Incidents per week"), "heatmap": N_("Harm × country"),
                 "signals_daily": N_("Signals per day"), "by_harm": N_("By harm"), "by_country": N_("By country"),
                 "by_language": N_("By language"), "by_severity": N_("By severity"), "by_source": N_("By source"),
                 "by_team": N_("By team")}
pages.globals_(METRIC_LABELS=METRIC_LABELS)


def code_spans(text: str) -> Markup:
    """A documentation line with its `quoted` names (columns, values) set as code."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts))


pages.globals_(code_spans=code_spans)


def _metric(request: Request, user: WebUser, metric: str) -> tuple[MetricFilter, MetricOut] | Response:
    """The metric under the page's filters, or the error page that says why not."""
    try:
        flt = _filter(request)
        with unit_of_work(read_only=True) as s:
            return flt, service.metric(s, user.actor, metric[:40], flt)
    except ValidationError as exc:
        return html_error(request, 422, "Refused", str(exc.errors()[0]["msg"]))
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)


@router.get("/analytics/metrics/{metric}.csv")
def metric_csv(request: Request, metric: str, user: UserDep) -> Response:
    """A chart's table as CSV (the same filters as the page)."""
    found = _metric(request, user, metric)
    if isinstance(found, Response):
        return found
    _flt, out = found
    return Response(sql.encode(sql.rows_table(out.columns, out.rows), "csv"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{out.name}-{out.start}-{out.end}.csv"'})


@router.get("/analytics/metrics/{metric}")
def metric_page(request: Request, metric: str, user: UserDep) -> Response:
    """One metric: its chart, its table for the period and the period before, and its CSV."""
    found = _metric(request, user, metric)
    if isinstance(found, Response):
        return found
    flt, out = found
    return render(request, "analytics/metric.html", {
        "metric": out, "label": METRIC_LABELS.get(out.name, out.name), "qs": _query_string(flt),
        "quick": charts.quick(out.columns, out.rows), "values": {k: request.query_params.get(k, "") for k in FILTERS},
        "names": list(METRIC_LABELS)})


@router.post("/analytics/sync")
def sync_now(request: Request, posted: PostedDep) -> Response:
    """Bring the warehouse up to date now, then back to the page the button was on."""
    back = safe_next(posted.get("next"), "/analytics")
    return form_action(request, build=lambda: None, call=lambda s, _none: service.sync_now(s, posted.actor),
                       redirect=lambda _s, _out: back + ("&" if "?" in back else "?") + "done=analytics_synced")


# --- the SQL console ----------------------------------------------------------------------------------


def console_page(request: Request, user: WebUser, *, sql_text: str = "", result: Any = None, error: str = "",
                 params: str = "", failed: str = "", values: dict[str, str] | None = None,
                 status: int = 200) -> Response:
    actor = user.actor
    try:
        with unit_of_work(read_only=True) as s:
            saved = service.list_queries(s, actor)
            recent = service.history(s, actor, limit=20)
        tables = service.tables(actor)
    except DomainError as exc:
        return html_error(request, exc.status, exc.title, exc.detail)
    chosen = request.query_params.get("q", "")
    if not sql_text and chosen:
        picked = next((q for q in saved if q.key == chosen), None)
        if picked is not None:
            sql_text = picked.sql
            params = "\n".join(f"{p['name']}={p.get('default') or ''}" for p in picked.parameters)
    out = service.result_out(result) if result is not None else None
    quick = charts.quick(out.columns, out.rows) if out else None
    return render(request, "analytics/console.html", {
        "sql": sql_text or "SELECT harm, count(*) AS incidents\nFROM incidents\nGROUP BY harm\nORDER BY incidents DESC",
        "params": params, "result": out, "quick": quick, "error": error, "saved": saved, "recent": recent,
        "tables": tables, "failed": failed, "values": values or {}, "chosen": chosen,
        "roles": sorted(ROLES), "restricted": not actor.can(Perm.INCIDENTS_RESTRICTED)}, status=status)


def _params(text: str) -> dict[str, str]:
    """``name=value`` lines (the console's parameter box) as a dict."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip():
            name, _, value = line.partition("=")
            out[name.strip()] = value.strip()
    return out


@router.get("/analytics/sql")
def console(request: Request, user: UserDep) -> Response:
    return console_page(request, user)


def _run(posted: Posted) -> tuple[Any, str]:
    """The console form's query run: its result, or the reason it was refused."""
    try:
        data = QueryIn(sql=posted.get("sql"), params=_params(posted.get("params")))
    except ValidationError as exc:
        return None, str(exc.errors()[0]["msg"])
    try:
        with unit_of_work() as s:
            return service.run_query(s, posted.actor, data), ""
    except DomainError as exc:
        return None, exc.detail


@router.post("/analytics/sql")
def run(request: Request, posted: PostedDep) -> Response:
    """Run the query and show its rows (and a quick chart when they have the shape of one)."""
    result, error = _run(posted)
    return console_page(request, posted.user, sql_text=posted.get("sql"), params=posted.get("params"),
                        result=result, error=error, status=200 if not error else 400)


@router.post("/analytics/sql/download")
def download(request: Request, posted: PostedDep) -> Response:
    fmt = posted.get("format", "csv")
    if fmt not in sql.MEDIA:
        return html_error(request, 422, "Refused", "choose csv, json or parquet")
    result, error = _run(posted)
    if error:
        return console_page(request, posted.user, sql_text=posted.get("sql"), params=posted.get("params"),
                            error=error, status=400)
    media, extension = sql.MEDIA[fmt]
    return Response(sql.encode(result.table, fmt), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="query-{date.today()}.{extension}"'})


@router.post("/analytics/queries")
def save(request: Request, posted: PostedDep) -> Response:
    """Save the console's query (name, description, parameters with defaults, a role to share it with)."""
    def build() -> SavedQueryIn:
        return SavedQueryIn(name=posted.get("name"), description=posted.get("description"),
                            sql=posted.get("sql"), shared_with=posted.get("shared_with") or None,
                            parameters=[ParamIn(name=k, default=v) for k, v in _params(posted.get("params")).items()])

    def refused(message: str, status: int) -> Response:
        return console_page(request, posted.user, sql_text=posted.get("sql"), params=posted.get("params"),
                            failed="save", error=message, values={"name": posted.get("name"),
                                                                  "description": posted.get("description")},
                            status=status)

    return form_action(request, build=build, call=lambda s, d: service.save_query(s, posted.actor, d),
                       redirect=lambda _s, q: f"/analytics/sql?q={q.key}&done=query_saved", refused=refused)


@router.post("/analytics/queries/{key}/delete")
def delete(request: Request, key: str, posted: PostedDep) -> Response:
    return form_action(request, build=lambda: key[:60], call=lambda s, k: service.delete_query(s, posted.actor, k),
                       redirect=lambda _s, _r: "/analytics/sql?done=query_deleted")

