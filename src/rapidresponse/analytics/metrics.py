"""The team's metrics, each defined once as an Ibis expression over the warehouse tables, so that
the same definition runs on DuckDB (the default), on PostgreSQL and on Spark or Trino.

Every metric takes the tables (``Tables``: a name gives an Ibis table on whichever backend) and a
:class:`Scope` (period, filters and the incidents the viewer may not see) and returns an Ibis table
expression; :func:`run` executes it and hands back plain rows. Durations are in minutes; medians
and 90th percentiles are exact (interpolated) quantiles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir

Tables = Callable[[str], "ir.Table"]

DIMENSIONS = ("harm", "country", "language", "severity", "source", "team")
STAGES = ("detect", "declare", "acknowledge", "mitigate", "resolve")


@dataclass(frozen=True)
class Scope:
    """Which incidents (and pages, requests, signals) a metric counts: declared (or happening) in
    [start, end), of the given harm, country, language, severity and team; never the ``hidden`` ones."""

    start: datetime
    end: datetime
    harm: str | None = None
    country: str | None = None
    language: str | None = None
    severity: int | None = None
    team: str | None = None
    hidden: frozenset[str] = field(default_factory=frozenset)

    def previous(self) -> Scope:
        """The period of the same length just before this one, with the same filters."""
        return replace(self, start=self.start - (self.end - self.start), end=self.start)

    def naive(self) -> tuple[datetime, datetime]:
        """The period as the warehouse stores times (naive UTC)."""
        from datetime import UTC

        return (self.start.astimezone(UTC).replace(tzinfo=None), self.end.astimezone(UTC).replace(tzinfo=None))


def _minutes(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    return (end.epoch_seconds() - start.epoch_seconds()).cast("float64") / 60.0


def _count(condition: ir.BooleanValue) -> ir.IntegerScalar:
    """How many rows meet ``condition`` (PostgreSQL casts no boolean to bigint; this runs everywhere)."""
    return condition.ifelse(1, 0).sum()


def incidents(t: Tables, scope: Scope) -> ir.Table:
    """The incidents in scope (merged ones are left out: their successor counts)."""
    start, end = scope.naive()
    inc = t("incidents")
    conds = [inc.declared_at >= start, inc.declared_at < end, inc.merged_into.isnull()]
    if scope.hidden:
        conds.append(~inc.ref.isin(sorted(scope.hidden)))
    if scope.severity is not None:
        conds.append(inc.severity == scope.severity)
    if scope.team:
        conds.append(inc.team == scope.team)
    inc = inc.filter(conds)
    tags = t("incident_tags")
    for kind in ("harm", "country", "language"):
        value = getattr(scope, kind)
        if value:
            refs = tags.filter([tags.kind == kind, tags.value == value]).select("ref")
            inc = inc.filter(inc.ref.isin(refs.ref))
    return inc


def response_times(t: Tables, scope: Scope) -> ir.Table:
    """Per stage of the response: how many incidents reached it, and the median and 90th percentile
    of the minutes it took (detect: first signal → alert; declare: alert, else first signal →
    declaration; acknowledge: first page, else declaration → first acknowledgement; mitigate and
    resolve: from declaration)."""
    import ibis

    inc = incidents(t, scope)
    stages = {
        "detect": _minutes(inc.first_signal_at, inc.alert_at),
        "declare": _minutes(inc.alert_at.fill_null(inc.first_signal_at), inc.declared_at),
        "acknowledge": _minutes(inc.paged_at.fill_null(inc.declared_at), inc.acknowledged_at),
        "mitigate": _minutes(inc.declared_at, inc.mitigated_at),
        "resolve": _minutes(inc.declared_at, inc.resolved_at),
    }
    parts = []
    for name, minutes in stages.items():
        rows = inc.select(minutes=minutes).filter(ibis._.minutes.notnull() & (ibis._.minutes >= 0))
        parts.append(_summary(rows, name))
    return ibis.union(*parts)


def _summary(rows: ir.Table, stage: str) -> ir.Table:
    import ibis

    return rows.aggregate(stage=ibis.literal(stage), incidents=rows.count(),
                          median=rows.minutes.quantile(0.5), p90=rows.minutes.quantile(0.9))


def counts(t: Tables, scope: Scope, by: str) -> ir.Table:
    """Incidents per value of ``by`` (harm, country and language count an incident once per tag)."""
    inc = incidents(t, scope)
    if by in ("harm", "country", "language"):
        tags = t("incident_tags")
        rows = tags.filter([tags.kind == by, tags.ref.isin(inc.ref)]).select("ref", "value")
    else:
        rows = inc.select("ref", value=inc[by].cast("string"))
    return rows.group_by("value").aggregate(incidents=rows.ref.nunique()).order_by([rows.value])


def heatmap(t: Tables, scope: Scope) -> ir.Table:
    """Incidents per harm × country."""
    inc = incidents(t, scope)
    tags = t("incident_tags").filter(lambda s: s.ref.isin(inc.ref))
    harms = tags.filter(tags.kind == "harm").select("ref", harm="value")
    countries = tags.filter(tags.kind == "country").select("ref", country="value")
    pairs = harms.join(countries, "ref")
    return pairs.group_by(["harm", "country"]).aggregate(incidents=pairs.ref.nunique()).order_by(["harm", "country"])


def weekly(t: Tables, scope: Scope) -> ir.Table:
    """Incidents declared per week (weeks start on Monday)."""
    inc = incidents(t, scope)
    rows = inc.select("ref", week=inc.declared_at.truncate("W"))
    return rows.group_by("week").aggregate(incidents=rows.ref.count()).order_by("week")


def exposure(t: Tables, scope: Scope) -> ir.Table:
    """Signals (and user reports) seen between an incident's first signal and its mitigation: in all,
    and the median per incident."""
    inc = incidents(t, scope)
    return inc.aggregate(incidents=inc.count(), signals=inc.exposure_signals.sum(),
                         reports=inc.exposure_reports.sum(), median=inc.exposure_signals.quantile(0.5))


def oncall_load(t: Tables, scope: Scope) -> ir.Table:
    """Per person: pages that reached them in the period, how many out of hours and at weekends."""
    start, end = scope.naive()
    n = t("page_notifications")
    conds = [n.notified_at >= start, n.notified_at < end]
    if scope.team:
        conds.append(n.team == scope.team)
    if scope.hidden:
        conds.append(n.ref.isnull() | ~n.ref.isin(sorted(scope.hidden)))
    n = n.filter(conds)
    return (n.group_by("username")
            .aggregate(pages=n.count(), out_of_hours=_count(n.out_of_hours), weekend=_count(n.weekend))
            .order_by([lambda s: s.pages.desc(), "username"]))


def deadlines(t: Tables, scope: Scope) -> ir.Table:
    """Regulator requests registered in the period, per country: met, breached, still open."""
    start, end = scope.naive()
    r = t("requests")
    conds = [r.registered_at >= start, r.registered_at < end]
    if scope.country:
        conds.append(r.country == scope.country)
    if scope.hidden:
        conds.append(r.ref.isnull() | ~r.ref.isin(sorted(scope.hidden)))
    r = r.filter(conds)
    return (r.group_by("country")
            .aggregate(requests=r.count(), met=_count(r.met.fill_null(False)),
                       breached=_count(~r.met.fill_null(True)), open=_count(r.met.isnull()))
            .order_by("country"))


def cadence(t: Tables, scope: Scope) -> ir.Table:
    """Stakeholder updates of the incidents in scope: sent, and how often one went overdue."""
    inc = incidents(t, scope)
    u = t("updates")
    u = u.filter(u.ref.isin(inc.ref))
    return u.aggregate(sent=_count(u.kind == "sent"), overdue=_count(u.kind == "overdue"))


def recurrence(t: Tables, scope: Scope) -> ir.Table:
    """How many incidents in scope recur an earlier reviewed one (same harm and country)."""
    inc = incidents(t, scope)
    return inc.aggregate(incidents=inc.count(), recurring=_count(inc.recurrence_of.notnull()))


def signals_daily(t: Tables, scope: Scope) -> ir.Table:
    """Signals per day and harm (the filters apply; the team filter does not)."""
    start, end = scope.naive()
    s = t("signals")
    conds = [s.occurred_at >= start, s.occurred_at < end]
    for name in ("harm", "country", "language"):
        if getattr(scope, name):
            conds.append(s[name] == getattr(scope, name))
    s = s.filter(conds)
    rows = s.select(day=s.occurred_at.truncate("D"), harm=s.harm.fill_null(""))
    return rows.group_by(["day", "harm"]).aggregate(signals=rows.count()).order_by(["day", "harm"])


INDICATORS = ("signals", "alerts", "incidents", "severe", "exposure", "mitigate_median", "recurring", "requests")


def indicators(t: Tables, scope: Scope) -> ir.Table:
    """Per harm × country, in long form (harm, country, indicator, value): signals and detection
    alerts in the period; incidents declared in it (an incident counts for each of its harm
    categories, its type, and each country it is tagged with), how many were SEV1 or SEV2, the
    signals seen before their mitigation, the median minutes from declaration to mitigation, how
    many recur an earlier reviewed one; and the regulator requests registered in the period about
    those incidents. One pass per source table, whatever the number of pairs: what a risk register
    reads next to each risk."""
    import ibis

    start, end = scope.naive()

    def tagged(rows: ir.Table, **values: ir.Value) -> ir.Table:
        return rows.select(harm=rows.harm.fill_null(""), country=rows.country.fill_null(""), **values)

    def long(rows: ir.Table, **values: ir.Value) -> list[ir.Table]:
        grouped = rows.group_by(["harm", "country"]).aggregate(**values)
        return [grouped.select("harm", "country", indicator=ibis.literal(name),
                               value=grouped[name].cast("float64")) for name in values]

    s = t("signals")
    s = tagged(s.filter([s.occurred_at >= start, s.occurred_at < end]), one=ibis.literal(1))
    a = t("alerts")
    a = tagged(a.filter([a.raised_at >= start, a.raised_at < end]), one=ibis.literal(1))
    inc = incidents(t, scope)
    tags = t("incident_tags").filter(lambda r: r.ref.isin(inc.ref))
    # An incident's harms as the taxonomy spells them (its categories, "dangerous-acts" read as
    # "dangerous_acts", and its type), so that they meet the signals' and alerts' harms.
    harms = ibis.union(tags.filter(tags.kind == "harm").select("ref", harm=tags.value.replace("-", "_")),
                       inc.select("ref", harm=inc.type), distinct=True)
    pairs = harms.join(tags.filter(tags.kind == "country").select("ref", country="value"), "ref")
    rows = pairs.join(inc.select("ref", "severity", "declared_at", "mitigated_at", "exposure_signals",
                                 "recurrence_of"), "ref")
    minutes = _minutes(rows.declared_at, rows.mitigated_at)
    rows = rows.mutate(minutes=(minutes >= 0).ifelse(minutes, ibis.null()))
    r = t("requests")
    r = r.filter([r.registered_at >= start, r.registered_at < end, r.ref.notnull()])
    asked = pairs.join(r.select("ref", "request_id", requested_in="country"), "ref")
    asked = asked.filter(asked.country == asked.requested_in)
    return ibis.union(
        *long(s, signals=s.count()),
        *long(a, alerts=a.count()),
        *long(rows, incidents=rows.ref.nunique(), severe=_count(rows.severity <= 2),
              exposure=rows.exposure_signals.fill_null(0).sum(), mitigate_median=rows.minutes.quantile(0.5),
              recurring=_count(rows.recurrence_of.notnull())),
        *long(asked, requests=asked.request_id.nunique()),
    )


METRICS: dict[str, Callable[[Tables, Scope], ir.Table]] = {
    "response_times": response_times,
    "exposure": exposure,
    "oncall_load": oncall_load,
    "deadlines": deadlines,
    "cadence": cadence,
    "recurrence": recurrence,
    "weekly": weekly,
    "heatmap": heatmap,
    "signals_daily": signals_daily,
    "indicators": indicators,
    **{f"by_{dim}": partial(counts, by=dim) for dim in DIMENSIONS},
}


def run(expr: ir.Table) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The expression's columns and rows (plain Python values)."""
    table = expr.to_pyarrow()
    columns = table.column_names
    return columns, list(zip(*(table.column(c).to_pylist() for c in columns), strict=True))
