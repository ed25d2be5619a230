"""REST API: alerts (and suppression rules), triage cases, thresholds per series family with a backtest."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from ..clock import now
from ..db import unit_of_work
from ..http import ActorDep, Id
from ..schemas import IsoDateTime
from . import service
from .schemas import (
    AlertOut,
    AlertPage,
    AssignIn,
    BacktestHitOut,
    BacktestIn,
    BacktestOut,
    CaseIn,
    CaseOut,
    CasePage,
    DismissIn,
    EscalateIn,
    Family,
    NoteIn,
    OpenCaseIn,
    SnoozeIn,
    SuppressIn,
    SuppressionIn,
    SuppressionOut,
    ThresholdIn,
    ThresholdOut,
)

router = APIRouter(prefix="/api/v1", tags=["detection"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Slug = Annotated[str | None, Query(max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


# --- alerts ------------------------------------------------------------------------------------------------

@router.get("/alerts", response_model=AlertPage)
def list_alerts(actor: ActorDep, state: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z]+$")] = None,
                harm: Slug = None, country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
                limit: Limit = 100, offset: Offset = 0) -> AlertPage:
    """Alerts, newest first; ``state=live`` for open, acknowledged and snoozed ones."""
    with unit_of_work(read_only=True) as s:
        items, total = service.list_alerts(s, actor, state=state, harm=harm, country=country, limit=limit,
                                           offset=offset)
        return AlertPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(actor: ActorDep, alert_id: Id) -> AlertOut:
    with unit_of_work(read_only=True) as s:
        return service.get_alert(s, actor, alert_id)


@router.post("/alerts/{alert_id}/ack", response_model=AlertOut)
def ack_alert(actor: ActorDep, alert_id: Id) -> AlertOut:
    with unit_of_work() as s:
        return service.acknowledge(s, actor, alert_id)


@router.post("/alerts/{alert_id}/snooze", response_model=AlertOut)
def snooze_alert(actor: ActorDep, alert_id: Id, body: SnoozeIn) -> AlertOut:
    with unit_of_work() as s:
        return service.snooze(s, actor, alert_id, until=body.until, reason=body.reason)


@router.post("/alerts/{alert_id}/suppress", response_model=AlertOut)
def suppress_alert(actor: ActorDep, alert_id: Id, body: SuppressIn) -> AlertOut:
    """Close the alert and keep its series quiet until ``expires_at`` (a suppression rule)."""
    with unit_of_work() as s:
        return service.suppress(s, actor, alert_id, reason=body.reason, expires_at=body.expires_at)[0]


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertOut)
def dismiss_alert(actor: ActorDep, alert_id: Id, body: DismissIn) -> AlertOut:
    with unit_of_work() as s:
        return service.dismiss(s, actor, alert_id, reason=body.reason)


@router.post("/alerts/{alert_id}/case", response_model=CaseOut, status_code=201)
def open_case(actor: ActorDep, alert_id: Id, body: OpenCaseIn) -> CaseOut:
    """Open a triage case from a live alert (the alert becomes ``escalated``)."""
    with unit_of_work() as s:
        return service.open_case_from_alert(s, actor, alert_id, title=body.title)


# --- suppression rules -------------------------------------------------------------------------------------------

@router.get("/detection/suppressions", response_model=list[SuppressionOut])
def list_suppressions(actor: ActorDep, all: bool = False) -> list[SuppressionOut]:
    with unit_of_work(read_only=True) as s:
        return service.list_suppressions(s, actor, include_inactive=all)


@router.post("/detection/suppressions", response_model=SuppressionOut, status_code=201)
def add_suppression(actor: ActorDep, body: SuppressionIn) -> SuppressionOut:
    with unit_of_work() as s:
        return service.add_suppression(s, actor, harm=body.harm, country=body.country, language=body.language,
                                       reason=body.reason, expires_at=body.expires_at)


@router.delete("/detection/suppressions/{suppression_id}", status_code=204)
def lift_suppression(actor: ActorDep, suppression_id: Id) -> Response:
    with unit_of_work() as s:
        service.lift_suppression(s, actor, suppression_id)
    return Response(status_code=204)


# --- cases ------------------------------------------------------------------------------------------------------

@router.get("/cases", response_model=CasePage)
def list_cases(actor: ActorDep, status: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z]+$")] = None,
               assignee: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00]*$")] = None,
               limit: Limit = 100, offset: Offset = 0) -> CasePage:
    with unit_of_work(read_only=True) as s:
        items, total = service.list_cases(s, actor, status=status, assignee=assignee, limit=limit, offset=offset)
        return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.post("/cases", response_model=CaseOut, status_code=201)
def create_case(actor: ActorDep, body: CaseIn) -> CaseOut:
    """Open a case from a manual report (press, regulator, trusted flagger, partner…)."""
    with unit_of_work() as s:
        return service.open_manual_case(s, actor, source=body.source, title=body.title,
                                        description=body.description, harm=body.harm, countries=body.countries,
                                        languages=body.languages, first_signal_at=body.first_signal_at)


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(actor: ActorDep, case_id: Id) -> CaseOut:
    """A case with its metrics: time to detect (first signal → alert) and to declare (alert → incident)."""
    with unit_of_work(read_only=True) as s:
        return service.get_case(s, actor, case_id)


@router.post("/cases/{case_id}/assign", response_model=CaseOut)
def assign_case(actor: ActorDep, case_id: Id, body: AssignIn) -> CaseOut:
    with unit_of_work() as s:
        return service.assign_case(s, actor, case_id, body.username, confirm=body.confirm)


@router.post("/cases/{case_id}/notes", response_model=CaseOut)
def note_case(actor: ActorDep, case_id: Id, body: NoteIn) -> CaseOut:
    with unit_of_work() as s:
        return service.note_case(s, actor, case_id, body.body)


@router.post("/cases/{case_id}/dismiss", response_model=CaseOut)
def dismiss_case(actor: ActorDep, case_id: Id, body: DismissIn) -> CaseOut:
    with unit_of_work() as s:
        return service.dismiss_case(s, actor, case_id, body.reason)


@router.post("/cases/{case_id}/escalate", response_model=CaseOut)
def escalate_case(actor: ActorDep, case_id: Id, body: EscalateIn) -> CaseOut:
    """Declare an incident pre-filled from the case (harm, type, countries, languages, series, signals), which
    pages on-call like any declaration; or link the case to an existing incident with ``into``."""
    with unit_of_work() as s:
        service.escalate_case(s, actor, case_id, into=body.into,
                              overrides={"title": body.title, "type": body.type, "summary": body.summary})
        return service.get_case(s, actor, case_id)


# --- series -------------------------------------------------------------------------------------------------

class SeriesPoint(BaseModel):
    bucket: datetime
    count: int
    expected: float
    low: float
    high: float


class SeriesCrossing(BaseModel):
    bucket: datetime
    score: float
    observed: int
    alert_id: int


class SeriesOut(BaseModel):
    harm: str
    country: str
    language: str
    start: datetime
    end: datetime
    points: list[SeriesPoint]
    crossings: list[SeriesCrossing]


@router.get("/detection/series", response_model=SeriesOut)
def get_series(actor: ActorDep, harm: Annotated[str, Query(max_length=60, pattern=r"^[A-Za-z0-9_.-]*$")],
               country: Annotated[str, Query(max_length=2, pattern=r"^([A-Za-z]{2})?$")] = "",
               language: Annotated[str, Query(max_length=16, pattern=r"^[A-Za-z0-9-]*$")] = "",
               hours: Annotated[int, Query(ge=1, le=service.MAX_SERIES_HOURS)] = 24,
               until: IsoDateTime | None = None) -> SeriesOut:
    """One harm × country × language series ("" for unknown) per 5-minute bucket, with the expected count
    (median of the same time of day over the last week), its band and the alert crossings."""
    with unit_of_work(read_only=True) as s:
        d = service.series_data(s, actor, (harm, country.upper(), language), until or now(), hours)
    return SeriesOut(harm=harm, country=country.upper(), language=language, start=d.start, end=d.end,
                     points=[SeriesPoint(bucket=t, count=int(v), expected=float(e), low=float(lo), high=float(hi))
                             for t, v, e, lo, hi in zip(d.times, d.values, d.expected, d.low, d.high, strict=True)],
                     crossings=[SeriesCrossing(bucket=c.bucket, score=c.score, observed=c.observed,
                                               alert_id=c.alert_id) for c in d.crossings])


# --- thresholds ---------------------------------------------------------------------------------------------------

class ThresholdList(BaseModel):
    items: list[ThresholdOut]


@router.get("/detection/thresholds", response_model=ThresholdList)
def list_thresholds(actor: ActorDep) -> ThresholdList:
    with unit_of_work(read_only=True) as s:
        return ThresholdList(items=service.list_thresholds(s, actor))


@router.put("/detection/thresholds/{family}", response_model=ThresholdOut)
def set_threshold(actor: ActorDep, family: Annotated[Family, Path()], body: ThresholdIn) -> ThresholdOut:
    """A family is a harm (its series) or ``*`` (the default for every harm without its own)."""
    with unit_of_work() as s:
        return service.set_threshold(s, actor, family, body.threshold)


@router.post("/detection/thresholds/{family}/backtest", response_model=BacktestOut)
def backtest_threshold(actor: ActorDep, family: Annotated[Family, Path()], body: BacktestIn) -> BacktestOut:
    """How many alerts ``threshold`` would have raised over the last ``days`` (replaying the stored series)."""
    with unit_of_work(read_only=True) as s:
        b = service.backtest(s, actor, family, body.threshold, days=body.days)
    return BacktestOut(family=b.family, threshold=b.threshold, current_threshold=b.current, days=b.days,
                       series=b.series, buckets=b.buckets, alerts=len(b.alerts), alerts_at_current=b.alerts_at_current,
                       hits=[BacktestHitOut(series=h.series, at=h.at, score=h.score) for h in b.alerts[:500]])
