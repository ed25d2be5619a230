"""`rapidresponse alerts …`, `rapidresponse cases …` and `rapidresponse detect thresholds|tick|simulate`."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from pathlib import Path

import typer
from rich.table import Table

from ..clock import now
from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import alerts, cases, simulate, thresholds, tick
from .api import alert_out, case_out

alerts_app = typer.Typer(help="Detection alerts: list, acknowledge, snooze, suppress, dismiss.", no_args_is_help=True)
cases_app = typer.Typer(help="Triage cases: list, open, assign, note, dismiss, escalate.", no_args_is_help=True)


def _hours(value: float, field: str) -> timedelta:
    if not 0 < value <= 24 * 365:
        raise ValidationFailed(f"{field}: between 0 and {24 * 365} hours")
    return timedelta(hours=value)


@alerts_app.command("list")
@handle_errors
def alerts_list(state: str = typer.Option("live", help="live, open, acknowledged, snoozed, … or '' for all"),
                harm: str | None = None, as_json: bool = typer.Option(False, "--json"),
                as_user: str | None = AsOption) -> None:
    """Alerts, newest first."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows, total = alerts.list_alerts(s, actor, state=state or None, harm=harm)
        out = [alert_out(a, actor) for a in rows]
    if as_json:
        print_json([a.model_dump(mode="json") for a in out])
        return
    table = Table("#", "series", "state", "observed", "expected", "growth", "score", "raised (UTC)")
    for a in out:
        table.add_row(str(a.id), a.series, a.state, str(a.observed), f"{a.expected:.1f}", f"×{a.growth:.1f}",
                      f"{a.peak_score:.2f}", f"{a.raised_at:%Y-%m-%d %H:%M}")
    console.print(table)
    console.print(f"{total} alert(s)")


@alerts_app.command("ack")
@handle_errors
def alerts_ack(alert_id: int, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        alerts.acknowledge(s, actor, alert_id)
    console.print(f"alert #{alert_id} acknowledged")


@alerts_app.command("snooze")
@handle_errors
def alerts_snooze(alert_id: int, hours: float = typer.Option(4.0, help="For how long"),
                  reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        a = alerts.snooze(s, actor, alert_id, until=now() + _hours(hours, "hours"), reason=reason)
        until = a.snoozed_until
    console.print(f"alert #{alert_id} snoozed until {until:%Y-%m-%d %H:%M} UTC" if until else "snoozed")


@alerts_app.command("suppress")
@handle_errors
def alerts_suppress(alert_id: int, days: float = typer.Option(7.0, help="Keep the series quiet this long"),
                    reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        a = alerts.suppress(s, actor, alert_id, reason=reason, expires_at=now() + _hours(days * 24, "days"))
        rule = a.suppression_id
    console.print(f"alert #{alert_id} suppressed (rule #{rule})")


@alerts_app.command("dismiss")
@handle_errors
def alerts_dismiss(alert_id: int, reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        alerts.dismiss(s, actor, alert_id, reason=reason)
    console.print(f"alert #{alert_id} dismissed")


@cases_app.command("list")
@handle_errors
def cases_list(status: str | None = None, as_json: bool = typer.Option(False, "--json"),
               as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows, total = cases.list_cases(s, actor, status=status)
        out = [case_out(s, actor, c) for c in rows]
    if as_json:
        print_json([c.model_dump(mode="json") for c in out])
        return
    table = Table("#", "title", "source", "status", "assignee", "incident", "detect (min)", "declare (min)")
    for c in out:
        table.add_row(str(c.id), c.title, c.source, c.status, c.assignee or "—", c.incident or "—",
                      str(c.metrics["time_to_detect_minutes"] or "—"), str(c.metrics["time_to_declare_minutes"] or "—"))
    console.print(table)
    console.print(f"{total} case(s)")


@cases_app.command("open")
@handle_errors
def cases_open(alert: int | None = typer.Option(None, help="Open from this alert"),
               source: str = typer.Option("press", help="For a manual report: press, regulator, partner, …"),
               title: str = typer.Option("", help="Title (required for a manual report)"),
               description: str = "", harm: str = "", country: list[str] = typer.Option([], "--country"),
               language: list[str] = typer.Option([], "--language"), as_user: str | None = AsOption) -> None:
    """Open a case from an alert (--alert ID) or from a manual report."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        if alert is not None:
            case = cases.open_from_alert(s, actor, alert, title=title)
        else:
            case = cases.open_manual(s, actor, source=source, title=title, description=description, harm=harm,
                                     countries=country, languages=language)
        case_id = case.id
    console.print(f"case #{case_id} opened")


@cases_app.command("assign")
@handle_errors
def cases_assign(case_id: int, username: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        cases.assign(s, actor, case_id, username)
    console.print(f"case #{case_id} assigned to {username}")


@cases_app.command("note")
@handle_errors
def cases_note(case_id: int, body: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        cases.note(s, actor, case_id, body)
    console.print(f"note added to case #{case_id}")


@cases_app.command("dismiss")
@handle_errors
def cases_dismiss(case_id: int, reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        cases.dismiss(s, actor, case_id, reason)
    console.print(f"case #{case_id} dismissed")


@cases_app.command("escalate")
@handle_errors
def cases_escalate(case_id: int, into: str | None = typer.Option(None, help="Link to this incident instead"),
                   title: str | None = None, incident_type: str | None = typer.Option(None, "--type"),
                   as_user: str | None = AsOption) -> None:
    """Declare an incident pre-filled from the case (pages on-call), or link the case to --into REF."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        incident = cases.escalate(s, actor, case_id, into=into, overrides={"title": title, "type": incident_type})
        ref = incident.ref
    console.print(f"case #{case_id} → {ref}")


def thresholds_command(
    set_: list[str] = typer.Option([], "--set", help="FAMILY=VALUE (a harm, or * for the default); repeat"),
    backtest: str | None = typer.Option(None, "--backtest", help="FAMILY=VALUE: alerts it would have raised"),
    days: int = typer.Option(30, min=1, max=30), as_json: bool = typer.Option(False, "--json"),
    as_user: str | None = AsOption,
) -> None:
    """Show thresholds per series family; change them (--set) or backtest a value over the last days."""
    actor = actor_for(as_user)

    def split(pair: str) -> tuple[str, float]:
        family, _, value = pair.partition("=")
        try:
            return family.strip(), float(value)
        except ValueError:
            raise ValidationFailed(f"{pair[:80]!r}: use FAMILY=VALUE, e.g. dangerous_challenge=0.7") from None

    if set_:
        with unit_of_work() as s:
            for pair in set_:
                thresholds.set_threshold(s, actor, *split(pair))
    if backtest:
        family, value = split(backtest)
        with unit_of_work(read_only=True) as s:
            b = thresholds.backtest(s, actor, family, value, days=days)
        if as_json:
            print_json({"family": b.family, "threshold": b.threshold, "alerts": len(b.alerts),
                        "alerts_at_current": b.alerts_at_current, "current": b.current, "series": b.series,
                        "hits": [{"series": h.series, "at": h.at, "score": h.score} for h in b.alerts]})
            return
        console.print(f"{b.family} at {b.threshold:g}: {len(b.alerts)} alert(s) in {b.days} days over {b.series} "
                      f"series (current {b.current:g}: {b.alerts_at_current})")
        for h in b.alerts[:50]:
            console.print(f"  {h.at:%Y-%m-%d %H:%M} UTC  {h.series}  {h.score:.2f}")
        return
    with unit_of_work(read_only=True) as s:
        rows = [(t.family, t.threshold, t.updated_by) for t in thresholds.list_thresholds(s, actor)]
    if as_json:
        print_json([{"family": f, "threshold": v, "updated_by": u} for f, v, u in rows])
        return
    table = Table("family", "threshold", "changed by")
    for f, v, u in rows:
        table.add_row(f, f"{v:.2f}", u)
    console.print(table)


def tick_command() -> None:
    """Run the detection tick now (the worker runs it every 30 seconds)."""
    with unit_of_work() as s:
        report = tick.tick(s)
    console.print(f"{report.buckets} bucket(s) over {report.series} series: {report.raised} alert(s) raised, "
                  f"{report.updated} updated" + (" (another worker holds the cursor)" if report.skipped else ""))


def simulate_command(
    days: float = typer.Option(3.0, min=0.1, max=60.0, help="How many days of reports, ending now"),
    seed: int = typer.Option(7, help="Random seed"),
    outbreak: bool = typer.Option(True, "--outbreak/--no-outbreak", help="Inject the challenge outbreak"),
    outbreak_hours_ago: float = typer.Option(3.0, min=0.0, max=1440.0, help="When the outbreak starts"),
    out: Path | None = typer.Option(None, "--out", help="Write the reports as JSON lines (signal rows)"),
    counts: bool = typer.Option(False, "--counts", help="Add the counts to the series table directly"),
) -> None:
    """Generate realistic report streams (seasonality, noise, bursts) with an injected outbreak."""
    end = now().astimezone(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    sim = simulate.Simulation(end - timedelta(days=days), end, seed=seed,
                              outbreak=simulate.Outbreak(end - timedelta(hours=outbreak_hours_ago)) if outbreak
                              else None)
    if out is None and not counts:
        raise typer.BadParameter("give --out FILE and/or --counts")
    if out is not None:
        n = 0
        with out.open("w", encoding="utf-8") as fh:
            for row in simulate.reports(sim):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        console.print(f"{n} report(s) → {out}")
    if counts:
        from ..signals import feed

        rows = list(simulate.counts(sim))
        with unit_of_work() as s:
            feed.add_counts(s, rows)
        console.print(f"{sum(r['count'] for r in rows)} report(s) counted into {len(simulate.keys())} series")
    if sim.outbreak:
        console.print(f"outbreak of {sim.outbreak.harm} from {sim.outbreak.start:%Y-%m-%d %H:%M} UTC")


def register(detect_app: typer.Typer) -> None:
    detect_app.command("thresholds")(handle_errors(thresholds_command))
    detect_app.command("tick")(handle_errors(tick_command))
    detect_app.command("simulate")(handle_errors(simulate_command))


__all__ = ["alerts_app", "cases_app", "register"]
