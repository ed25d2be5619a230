"""Alerts: raised by the tick when a series crosses its family's threshold, one live alert per series.

States: ``open`` → ``acknowledged`` | ``snoozed`` | ``suppressed`` | ``dismissed`` | ``escalated`` (a case was
opened from it); ``acknowledged`` and ``snoozed`` may still be snoozed, suppressed, dismissed or escalated,
and a snooze that runs out returns the alert to ``open``. A crossing on a series with a live alert updates it;
a crossing soon after a closed one (within ``COOLDOWN``) is added to that one without reopening it; a crossing
on a series that an active suppression rule covers raises nothing. Every change is an event on ``alert:<id>``.

Minimum evidence: a crossing raises or updates an alert only if its bucket's count is above the expected band
(``is_spike``) and less likely than ``EVIDENCE_P`` under the series' own last week (a negative binomial with
that week's mean and variance, Poisson if it is not overdispersed: ``enough_evidence``), so a handful of reports
on a sparse series whose history makes a handful likely raises nothing.

Functions here work on the rows; :mod:`.service` gives the interfaces schemas. numpy is loaded by the first
crossing, not by the import.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from .. import events, signals
from ..auth import SYSTEM, Actor, Perm
from ..clock import now
from ..db import get_or_404, paged
from ..errors import InvalidTransition, NotFound, ValidationFailed
from ..signals import SeriesKey
from .events import (
    AlertAcknowledged,
    AlertDismissed,
    AlertEscalated,
    AlertEvent,
    AlertRaised,
    AlertSnoozed,
    AlertSnoozeExpired,
    AlertSuppressed,
    AlertUpdated,
    SuppressionAdded,
    SuppressionLifted,
)
from .models import Alert, Suppression
from .vocab import LIVE, STATES

BUCKET = timedelta(minutes=5)
COOLDOWN = timedelta(hours=2)
MAX_CROSSINGS = 100
MIN_SPIKE = 5
MAX_SNOOZE = timedelta(days=30)
MAX_SUPPRESS = timedelta(days=365)
Outcome = Literal["raised", "updated", "suppressed", "quiet", "below"]


EVIDENCE_P = 1e-3
"""The minimum evidence for an alert: its bucket's count must be less likely than this under the series' own
last week (one test per crossing, not fitted to any data)."""
HISTORY_BUCKETS = 7 * 288  # the last week of 5-minute buckets


def is_spike(observed: float, expected: float) -> bool:
    """Alerts are about spikes: a crossing counts only above the expected band (a drop, or a count inside
    the Poisson noise of a sparse series, such as 3 reports where 0.3 are expected, raises nothing): at least
    ``MIN_SPIKE`` reports and more than three Poisson deviations above the expected count."""
    return observed >= MIN_SPIKE and observed > expected + 3.0 * math.sqrt(max(expected, 1.0))


def upper_tail(observed: int, mean: float, var: float) -> float:
    """``P(X >= observed)`` for a count of this mean and variance: negative binomial (a gamma-mixed Poisson, by
    the method of moments) when the variance exceeds the mean, Poisson otherwise (scipy's survival functions,
    accurate far into the tail)."""
    if observed <= 0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    from scipy import stats  # loaded by the first crossing, not by the import

    if var > mean * (1.0 + 1e-9):
        r, p = mean * mean / (var - mean), mean / var  # NB(r, p): mean r(1-p)/p, variance r(1-p)/p^2
        return float(stats.nbinom.sf(observed - 1, r, p))
    return float(stats.poisson.sf(observed - 1, mean))


def evidence(observed: int, history: Sequence[float]) -> float:
    """How likely a count at least this high is under the series' own recent history (the last
    ``HISTORY_BUCKETS`` before it; missing buckets, and those before the series' first report, count as zero,
    as in the tick): mean and variance of that week, with half a report of prior in the mean (so that a
    series with no history is not infinitely surprised), into :func:`upper_tail`."""
    h = list(history)[-HISTORY_BUCKETS:]
    total, squares = math.fsum(h), math.fsum(v * v for v in h)
    mean = (total + 0.5) / HISTORY_BUCKETS
    var = max(squares / HISTORY_BUCKETS - (total / HISTORY_BUCKETS) ** 2, 0.0)
    return upper_tail(int(observed), mean, var)


def enough_evidence(observed: int, history: Sequence[float]) -> bool:
    """The minimum-evidence rule: the count is improbable (below ``EVIDENCE_P``) under its series' last week."""
    return evidence(observed, history) < EVIDENCE_P


def series_key(harm: str, country: str, language: str) -> str:
    return f"{harm}/{country}/{language}"


def key_of(alert: Alert) -> SeriesKey:
    return alert.harm, alert.country, alert.language


def _record(session: Session, alert: Alert, kind: type[AlertEvent], actor: Actor = SYSTEM,
            at: datetime | None = None, **payload: Any) -> None:
    events.record(session, actor, kind(subject_id=alert.id, series=series_key(*key_of(alert)), **payload), at=at)


# --- suppression rules -------------------------------------------------------------------------------------

def _matches(rule: Suppression, key: SeriesKey) -> bool:
    return all(p == "*" or p == v for p, v in zip((rule.harm, rule.country, rule.language), key, strict=True))


def active_rules(session: Session, at: datetime) -> list[Suppression]:
    return list(session.execute(select(Suppression).where(Suppression.lifted_at.is_(None),
                                                          Suppression.expires_at > at)).scalars())


def suppressing(session: Session, key: SeriesKey, at: datetime) -> Suppression | None:
    return next((r for r in active_rules(session, at) if _matches(r, key)), None)


def _pattern(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if value == "*":
        return value
    if not value or len(value) > limit or "\x00" in value or not all(ch.isalnum() or ch in "_-." for ch in value):
        raise ValidationFailed(f"{field}: use '*' or a plain value (letters, digits, _ . -)", field=field)
    return value


def add_rule(session: Session, actor: Actor, *, harm: str = "*", country: str = "*", language: str = "*",
             reason: str, expires_at: datetime) -> Suppression:
    actor.require(Perm.DETECTION_MANAGE)
    at = now()
    reason = reason.strip()
    if not reason or len(reason) > 2000 or "\x00" in reason:
        raise ValidationFailed("a suppression needs a reason (at most 2,000 characters)", field="reason")
    if expires_at.tzinfo is None or not at < expires_at <= at + MAX_SUPPRESS:
        raise ValidationFailed("expires_at must be in the future and within a year", field="expires_at")
    rule = Suppression(harm=_pattern(harm, "harm", 60), country=_pattern(country, "country", 8).upper(),
                       language=_pattern(language, "language", 16), reason=reason, expires_at=expires_at,
                       created_at=at, created_by=actor.label)
    if (rule.harm, rule.country, rule.language) == ("*", "*", "*"):
        raise ValidationFailed("a suppression must name at least a harm, a country or a language", field="harm")
    session.add(rule)
    session.flush()
    events.record(session, actor, SuppressionAdded(subject_id=rule.id, harm=rule.harm, country=rule.country,
                                                   language=rule.language, reason=reason, expires_at=expires_at))
    return rule


def lift_rule(session: Session, actor: Actor, rule_id: int) -> Suppression:
    actor.require(Perm.DETECTION_MANAGE)
    rule = get_or_404(session, Suppression, rule_id, "suppression rule")
    if rule.lifted_at is not None:
        raise InvalidTransition(f"suppression rule {rule_id} was already lifted")
    rule.lifted_at = now()
    events.record(session, actor, SuppressionLifted(subject_id=rule.id))
    return rule


def list_rules(session: Session, actor: Actor, *, include_inactive: bool = False) -> list[Suppression]:
    actor.require(Perm.ALERTS_READ)
    q = select(Suppression).order_by(Suppression.id.desc())
    if not include_inactive:
        q = q.where(Suppression.lifted_at.is_(None), Suppression.expires_at > now())
    return list(session.execute(q.limit(500)).scalars())


# --- raised by the tick ----------------------------------------------------------------------------------------

def _context(session: Session, key: SeriesKey, bucket: datetime) -> dict[str, Any]:
    """Observed vs expected, growth and the start of the rise from the series; signals and trends behind it."""
    import numpy as np

    from . import baseline

    days = baseline.DAYS + 1
    start = bucket - timedelta(days=days)
    n = int((bucket - start) / BUCKET) + 1
    values = np.zeros(n)
    for *_, b, count in signals.series_counts(session, start, bucket + BUCKET, [key]):
        values[int((b - start) / BUCKET)] += count
    row = values.reshape(1, -1)
    expect = np.array([baseline.expected(row, i)[0] for i in range(max(0, n - baseline.BUCKETS_PER_DAY), n)])
    offset = n - len(expect)
    rise = offset + baseline.run_start(values[offset:], expect, len(expect) - 1)
    rise_at = start + rise * BUCKET
    out = {"expected": float(expect[-1]), "growth": float(baseline.growth(row, n - 1)[0]), "rise_at": rise_at,
           "history": values[:-1].tolist()}
    out["behind"] = signals.signals_behind(session, key, rise_at, bucket + BUCKET)
    return out


def on_crossing(session: Session, key: SeriesKey, *, bucket: datetime, score: float, threshold: float,
                observed: int) -> Outcome:
    """What a crossing does: raise an alert, update the live one, or nothing (suppressed)."""
    at = bucket + BUCKET
    crossing = {"bucket": bucket.isoformat(), "score": round(score, 4), "observed": observed}
    if suppressing(session, key, at) is not None:
        return "suppressed"
    ctx = _context(session, key, bucket)
    if not is_spike(observed, ctx["expected"]) or not enough_evidence(observed, ctx["history"]):
        return "below"
    skey = series_key(*key)
    live = session.execute(select(Alert).where(Alert.open_series == skey)).scalar_one_or_none()
    if live is None:
        recent = session.execute(
            select(Alert).where(Alert.harm == key[0], Alert.country == key[1], Alert.language == key[2],
                                Alert.last_bucket >= bucket - COOLDOWN)
            .order_by(Alert.last_bucket.desc()).limit(1)).scalar_one_or_none()
        if recent is not None:
            recent.crossings = [*recent.crossings, crossing][-MAX_CROSSINGS:]
            recent.last_bucket, recent.updated_at = bucket, at
            return "quiet"
    crossing["expected"] = round(ctx["expected"], 3)
    if live is not None:
        live.crossings = [*live.crossings, crossing][-MAX_CROSSINGS:]
        live.last_bucket, live.score, live.observed = bucket, score, observed
        live.peak_score, live.expected, live.growth = max(live.peak_score, score), ctx["expected"], ctx["growth"]
        live.threshold, live.updated_at = threshold, at
        live.context = {**live.context, "trends": ctx["behind"]["trends"], "samples": ctx["behind"]["samples"]}
        _record(session, live, AlertUpdated, at=at, bucket=bucket, score=round(score, 4), observed=observed)
        return "updated"
    first_signal = ctx["behind"]["first_signal_at"]
    alert = Alert(harm=key[0], country=key[1], language=key[2], open_series=skey, state="open", first_bucket=bucket,
                  last_bucket=bucket, raised_at=at, first_signal_at=datetime.fromisoformat(first_signal)
                  if first_signal else ctx["rise_at"], score=score, peak_score=score, threshold=threshold,
                  observed=observed, expected=ctx["expected"], growth=ctx["growth"], crossings=[crossing],
                  context={"trends": ctx["behind"]["trends"], "samples": ctx["behind"]["samples"],
                           "rise_at": ctx["rise_at"].isoformat()}, updated_at=at)
    session.add(alert)
    session.flush()
    _record(session, alert, AlertRaised, at=at, bucket=bucket, score=round(score, 4), observed=observed,
            expected=round(ctx["expected"], 3), threshold=threshold)
    return "raised"


def expire_snoozes(session: Session, at: datetime) -> int:
    due = list(session.execute(select(Alert).where(Alert.state == "snoozed", Alert.snoozed_until <= at)).scalars())
    for alert in due:
        alert.state, alert.updated_at = "open", at
        _record(session, alert, AlertSnoozeExpired, at=at, until=alert.snoozed_until)
        alert.snoozed_until = None
    return len(due)


# --- people --------------------------------------------------------------------------------------------------

def get(session: Session, actor: Actor, alert_id: int, *, lock: bool = False) -> Alert:
    actor.require(Perm.ALERTS_READ)
    q = select(Alert).where(Alert.id == alert_id)
    alert = session.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


def list_alerts(session: Session, actor: Actor, *, state: str | None = None, harm: str | None = None,
                country: str | None = None, limit: int = 100, offset: int = 0) -> tuple[list[Alert], int]:
    actor.require(Perm.ALERTS_READ)
    conds: list[ColumnElement[bool]] = []
    if state == "live":
        conds.append(Alert.state.in_(LIVE))
    elif state:
        if state not in STATES:
            raise ValidationFailed(f"state must be one of live, {', '.join(STATES)}", field="state")
        conds.append(Alert.state == state)
    if harm:
        conds.append(Alert.harm == harm)
    if country:
        conds.append(Alert.country == country.upper())
    total = session.execute(select(func.count()).select_from(Alert).where(*conds)).scalar_one()
    rows = session.execute(paged(select(Alert).where(*conds).order_by(Alert.raised_at.desc(), Alert.id.desc()),
                                 limit, offset)).scalars()
    return list(rows), total


def open_count(session: Session, actor: Actor) -> int:
    if not actor.can(Perm.ALERTS_READ):
        return 0
    return session.execute(select(func.count()).select_from(Alert).where(Alert.state == "open")).scalar_one()


def _move(session: Session, actor: Actor, alert_id: int, allowed: tuple[str, ...], to: str) -> Alert:
    actor.require(Perm.ALERTS_TRIAGE)
    alert = get(session, actor, alert_id, lock=True)
    if alert.state not in allowed:
        raise InvalidTransition(f"alert {alert_id} is {alert.state}; it cannot become {to}")
    return alert


def _close(alert: Alert, state: str, reason: str = "") -> None:
    alert.state, alert.open_series, alert.snoozed_until, alert.updated_at = state, None, None, now()
    if reason:
        alert.reason = reason


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000 or "\x00" in reason:
        raise ValidationFailed("a reason is needed (at most 2,000 characters, no NUL bytes)", field="reason")
    return reason


def acknowledge(session: Session, actor: Actor, alert_id: int) -> Alert:
    alert = _move(session, actor, alert_id, ("open",), "acknowledged")
    alert.state, alert.updated_at = "acknowledged", now()
    _record(session, alert, AlertAcknowledged, actor)
    return alert


def snooze(session: Session, actor: Actor, alert_id: int, *, until: datetime, reason: str) -> Alert:
    alert = _move(session, actor, alert_id, LIVE, "snoozed")
    reason = _reason(reason)
    at = now()
    if until.tzinfo is None or not at < until <= at + MAX_SNOOZE:
        raise ValidationFailed("snooze until a time in the future, at most 30 days ahead", field="until")
    alert.state, alert.snoozed_until, alert.reason, alert.updated_at = "snoozed", until, reason, at
    _record(session, alert, AlertSnoozed, actor, until=until, reason=reason)
    return alert


def suppress(session: Session, actor: Actor, alert_id: int, *, reason: str, expires_at: datetime) -> Alert:
    """Close the alert and add a rule that keeps its series quiet until ``expires_at``."""
    actor.require(Perm.DETECTION_MANAGE)
    alert = _move(session, actor, alert_id, LIVE, "suppressed")
    rule = add_rule(session, actor, harm=alert.harm or "*", country=alert.country or "*",
                    language=alert.language or "*", reason=_reason(reason), expires_at=expires_at)
    _close(alert, "suppressed", rule.reason)
    alert.suppression_id = rule.id
    _record(session, alert, AlertSuppressed, actor, rule=rule.id, reason=rule.reason, expires_at=expires_at)
    return alert


def dismiss(session: Session, actor: Actor, alert_id: int, *, reason: str) -> Alert:
    alert = _move(session, actor, alert_id, LIVE, "dismissed")
    reason = _reason(reason)
    _close(alert, "dismissed", reason)
    _record(session, alert, AlertDismissed, actor, reason=reason)
    return alert


def mark_escalated(session: Session, actor: Actor, alert_id: int, case_id: int) -> Alert:
    alert = _move(session, actor, alert_id, LIVE, "escalated")
    _close(alert, "escalated")
    _record(session, alert, AlertEscalated, actor, case=case_id)
    return alert


def timeline(session: Session, actor: Actor, alert: Alert) -> list[events.Event]:
    actor.require(Perm.ALERTS_READ)
    return events.for_subject(session, "alert", alert.id)


def history(session: Session, key: SeriesKey) -> list[Alert]:
    """Alerts of one series, newest first (the chart marks their crossings)."""
    return list(session.execute(
        select(Alert).where(Alert.harm == key[0], Alert.country == key[1], Alert.language == key[2])
        .order_by(Alert.raised_at.desc()).limit(50)).scalars())
