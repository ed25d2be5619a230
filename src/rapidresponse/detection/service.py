"""The rules the detection interfaces (and other domains) call: alerts, suppression rules, triage cases,
thresholds, series and the tick, taking an actor where a person acts and returning schemas.

The rules themselves are split by subject (:mod:`.alerts`, :mod:`.cases`, :mod:`.thresholds`,
:mod:`.seriesdata`); this module is their one door. Nothing here loads the detector engine (numpy) until
a function needs it: a backtest, a series, a tick or a simulation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from .. import auth, events
from ..auth import Actor
from ..i18n import Translate
from ..incidents import IncidentSummary
from ..signals import SeriesKey
from . import alerts, cases, harms, seriesdata, thresholds
from .models import Alert, Case, Suppression, Threshold
from .schemas import AlertOut, CaseOut, EventOut, SuppressionOut, ThresholdOut

if TYPE_CHECKING:
    from .tick import TickReport

may_read_samples = harms.may_read_samples
series_key = alerts.series_key
Backtest = thresholds.Backtest
SeriesData = seriesdata.SeriesData
MAX_SERIES_HOURS = seriesdata.MAX_HOURS


# --- shapes ------------------------------------------------------------------------------------------------

def alert_out(a: Alert, actor: Actor) -> AlertOut:
    """An alert as ``actor`` may see it: sample report texts only for those who may read them."""
    return AlertOut(id=a.id, series=alerts.series_key(*alerts.key_of(a)), harm=a.harm, country=a.country,
                    language=a.language, state=a.state, raised_at=a.raised_at, first_bucket=a.first_bucket,
                    last_bucket=a.last_bucket, first_signal_at=a.first_signal_at, score=a.score,
                    peak_score=a.peak_score, threshold=a.threshold, observed=a.observed, expected=a.expected,
                    growth=a.growth, snoozed_until=a.snoozed_until, reason=a.reason, crossings=a.crossings,
                    trends=a.context.get("trends", []),
                    samples=a.context.get("samples", []) if harms.may_read_samples(actor, a.harm) else [])


def case_out(session: Session, actor: Actor, c: Case) -> CaseOut:
    """A case with its metrics, and its incident's ref when ``actor`` may know of it."""
    return CaseOut(id=c.id, title=c.title, source=c.source, description=c.description, status=c.status,
                   alert_id=c.alert_id, harm=c.harm, countries=c.countries, languages=c.languages, series=c.series,
                   signal_ids=c.signal_ids, assignee=c.assignee, reason=c.reason, first_signal_at=c.first_signal_at,
                   alert_at=c.alert_at, opened_at=c.opened_at, declared_at=c.declared_at,
                   incident=cases.incident_ref(session, actor, c), metrics=cases.metrics(c))


def rule_out(r: Suppression) -> SuppressionOut:
    return SuppressionOut(id=r.id, harm=r.harm, country=r.country, language=r.language, reason=r.reason,
                          expires_at=r.expires_at, created_at=r.created_at, created_by=r.created_by,
                          lifted_at=r.lifted_at)


def threshold_out(t: Threshold) -> ThresholdOut:
    return ThresholdOut(family=t.family, threshold=t.threshold, updated_by=t.updated_by)


def _history(session: Session, rows: list[events.Event]) -> list[EventOut]:
    """Events in the order they happened, each with who did it as they are shown."""
    names = auth.display_names(session, {e.actor_id for e in rows})
    return [EventOut(occurred_at=e.occurred_at, type=e.type, actor=e.actor,
                     actor_name=names.get(e.actor_id or 0, e.actor), payload=dict(e.payload))
            for e in sorted(rows, key=lambda e: (e.occurred_at, e.id))]


# --- alerts ------------------------------------------------------------------------------------------------

def list_alerts(session: Session, actor: Actor, *, state: str | None = None, harm: str | None = None,
                country: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[AlertOut], int]:
    """Alerts, newest first (``state="live"``: open, acknowledged and snoozed), and how many match."""
    rows, total = alerts.list_alerts(session, actor, state=state, harm=harm, country=country, limit=limit,
                                     offset=offset)
    return [alert_out(a, actor) for a in rows], total


def get_alert(session: Session, actor: Actor, alert_id: int) -> AlertOut:
    return alert_out(alerts.get(session, actor, alert_id), actor)


def open_alert_count(session: Session, actor: Actor) -> int:
    """Alerts awaiting triage (0 for those who may not read alerts): the navigation badge."""
    return alerts.open_count(session, actor)


def alert_history(session: Session, actor: Actor, alert_id: int) -> list[EventOut]:
    return _history(session, alerts.timeline(session, actor, alerts.get(session, actor, alert_id)))


def case_of_alert(session: Session, actor: Actor, alert_id: int) -> int | None:
    """The id of the case opened from the alert, if any."""
    alerts.get(session, actor, alert_id)
    return cases.for_alert(session, alert_id)


def acknowledge(session: Session, actor: Actor, alert_id: int) -> AlertOut:
    return alert_out(alerts.acknowledge(session, actor, alert_id), actor)


def snooze(session: Session, actor: Actor, alert_id: int, *, until: datetime, reason: str) -> AlertOut:
    return alert_out(alerts.snooze(session, actor, alert_id, until=until, reason=reason), actor)


def suppress(session: Session, actor: Actor, alert_id: int, *, reason: str,
             expires_at: datetime) -> tuple[AlertOut, SuppressionOut]:
    """Close the alert and add a rule that keeps its series quiet until ``expires_at``: both, as they are now."""
    alert = alerts.suppress(session, actor, alert_id, reason=reason, expires_at=expires_at)
    rule = session.get(Suppression, alert.suppression_id)
    assert rule is not None
    return alert_out(alert, actor), rule_out(rule)


def dismiss(session: Session, actor: Actor, alert_id: int, *, reason: str) -> AlertOut:
    return alert_out(alerts.dismiss(session, actor, alert_id, reason=reason), actor)


# --- suppression rules -------------------------------------------------------------------------------------

def list_suppressions(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[SuppressionOut]:
    return [rule_out(r) for r in alerts.list_rules(session, actor, include_inactive=include_inactive)]


def add_suppression(session: Session, actor: Actor, *, harm: str = "*", country: str = "*", language: str = "*",
                    reason: str, expires_at: datetime) -> SuppressionOut:
    return rule_out(alerts.add_rule(session, actor, harm=harm, country=country, language=language, reason=reason,
                                    expires_at=expires_at))


def lift_suppression(session: Session, actor: Actor, rule_id: int) -> SuppressionOut:
    return rule_out(alerts.lift_rule(session, actor, rule_id))


# --- cases -------------------------------------------------------------------------------------------------

def list_cases(session: Session, actor: Actor, *, status: str | None = None, assignee: str | None = None,
               limit: int = 100, offset: int = 0) -> tuple[list[CaseOut], int]:
    rows, total = cases.list_cases(session, actor, status=status, assignee=assignee, limit=limit, offset=offset)
    return [case_out(session, actor, c) for c in rows], total


def get_case(session: Session, actor: Actor, case_id: int) -> CaseOut:
    return case_out(session, actor, cases.get(session, actor, case_id))


def case_history(session: Session, actor: Actor, case_id: int) -> list[EventOut]:
    return _history(session, cases.timeline(session, actor, cases.get(session, actor, case_id)))


def case_description(description: str, _: Translate) -> str | None:
    """A case's description in the reader's language when the product wrote it; None when people did."""
    return cases.described(description, _)


def case_draft(session: Session, actor: Actor, case_id: int) -> dict[str, Any]:
    """The incident an escalation of the case declares (the escalation form starts from this)."""
    return cases.draft(cases.get(session, actor, case_id))


def open_case_from_alert(session: Session, actor: Actor, alert_id: int, *, title: str = "") -> CaseOut:
    """Open a triage case from a live alert (the alert becomes ``escalated``)."""
    return case_out(session, actor, cases.open_from_alert(session, actor, alert_id, title=title))


def open_manual_case(session: Session, actor: Actor, *, source: str, title: str, description: str = "",
                     harm: str = "", countries: list[str] | None = None, languages: list[str] | None = None,
                     first_signal_at: datetime | None = None) -> CaseOut:
    """Open a case from a report that did not come from an alert (press, regulator, partner…)."""
    return case_out(session, actor, cases.open_manual(
        session, actor, source=source, title=title, description=description, harm=harm, countries=countries,
        languages=languages, first_signal_at=first_signal_at))


def assign_case(session: Session, actor: Actor, case_id: int, username: str, *, confirm: bool = False) -> CaseOut:
    return case_out(session, actor, cases.assign(session, actor, case_id, username, confirm=confirm))


suggested_assignees = cases.suggested_assignees
distribute_cases = cases.distribute


def note_case(session: Session, actor: Actor, case_id: int, body: str) -> CaseOut:
    return case_out(session, actor, cases.note(session, actor, case_id, body))


def dismiss_case(session: Session, actor: Actor, case_id: int, reason: str) -> CaseOut:
    return case_out(session, actor, cases.dismiss(session, actor, case_id, reason))


def escalate_case(session: Session, actor: Actor, case_id: int, *, overrides: dict[str, Any] | None = None,
                  into: str | None = None) -> IncidentSummary:
    """Declare an incident from the case (``overrides`` change the draft), or link it to incident ``into``."""
    return cases.escalate(session, actor, case_id, overrides=overrides, into=into)


# --- thresholds and series ---------------------------------------------------------------------------------

def list_thresholds(session: Session, actor: Actor) -> list[ThresholdOut]:
    """Every family's threshold, the default (``*``) first."""
    return [threshold_out(t) for t in thresholds.list_thresholds(session, actor)]


def set_threshold(session: Session, actor: Actor, family: str, value: float) -> ThresholdOut:
    return threshold_out(thresholds.set_threshold(session, actor, family, value))


def clear_threshold(session: Session, actor: Actor, family: str) -> None:
    thresholds.clear_threshold(session, actor, family)


def backtest(session: Session, actor: Actor, family: str, threshold: float, *, days: int = thresholds.MAX_DAYS,
             at: datetime | None = None) -> Backtest:
    """How many alerts ``threshold`` would have raised on the family's series over the last ``days``."""
    return thresholds.backtest(session, actor, family, threshold, days=days, at=at)


def series_data(session: Session, actor: Actor, key: SeriesKey, end: datetime, hours: int = 24) -> SeriesData:
    """One series per 5-minute bucket up to ``end``, with the expected count, its band and alert crossings."""
    return seriesdata.load(session, actor, key, end, hours)


# --- the tick and simulated history ------------------------------------------------------------------------

def run_tick(session: Session, *, now: datetime | None = None, max_buckets: int | None = None,
             fresh: bool = False) -> TickReport:
    """Run detection over every closed bucket after the cursor; ``fresh`` replays with a new detector bank
    (what a restarted worker does) instead of this process's."""
    from . import tick

    ticker = tick.Ticker() if fresh else tick.TICKER
    return ticker.tick(session, now=now, max_buckets=max_buckets)


def simulated_counts(start: datetime, end: datetime, *, seed: int = 7,
                     outbreak_at: datetime | None = None) -> list[dict[str, Any]]:
    """Synthetic report counts for every harm × country × language series over [start, end) (daily and
    weekly seasonality, noise, bursts; an outbreak of a dangerous challenge from ``outbreak_at``), as rows
    for :func:`rapidresponse.signals.add_series_counts`."""
    from . import simulate

    sim = simulate.Simulation(start, end, seed=seed,
                              outbreak=simulate.Outbreak(outbreak_at) if outbreak_at is not None else None)
    return list(simulate.counts(sim))
