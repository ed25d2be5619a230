"""`rapidresponse detect …` (backtest and score detectors; thresholds, tick, simulate), `rapidresponse alerts …`
and `rapidresponse cases …`.

The detector engine (numpy) is imported by the commands that run it, so that the others start quickly.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from .. import signals
from ..clock import now
from ..console import AsOption, actor_for, console, err_console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import service
from .vocab import DEFAULT_DETECTOR, DETECTOR_NAMES

app = typer.Typer(help="Streaming spike detectors: backtest and score.", no_args_is_help=True)
alerts_app = typer.Typer(help="Detection alerts: list, acknowledge, snooze, suppress, dismiss.", no_args_is_help=True)
cases_app = typer.Typer(help="Triage cases: list, open, assign, note, dismiss, escalate.", no_args_is_help=True)


def fail(message: str) -> typer.Exit:
    """One unwrapped line on stderr (file paths stay on one line), exit code 2."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


# --- detect: offline backtests of labelled series ------------------------------------------------------------

@app.command("backtest")
def backtest_command(
    data_dir: Path = typer.Argument(..., help="Folder of <category>/<name>.csv files (timestamp,value)"),
    out: Path = typer.Option(..., "--out", help="Where to write <category>/<name>.csv with anomaly_score"),
    detector: str = typer.Option(DEFAULT_DETECTOR, help=f"One of: {', '.join(DETECTOR_NAMES)}"),
) -> None:
    """Score every series with a detector, causally, row by row.

    A malformed file (missing column, bad number or timestamp, empty) is reported with its line and skipped;
    the other files are still scored, and the exit code is 2.
    """
    if detector not in DETECTOR_NAMES:
        raise fail(f"unknown detector {detector!r} (choose from {', '.join(DETECTOR_NAMES)})")
    if not data_dir.is_dir():
        raise fail(f"{data_dir}: not a directory")
    from .backtest import backtest

    started = time.perf_counter()
    columns = (TextColumn("{task.description:10s}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = backtest(data_dir, out, detector, progress)
    elapsed = time.perf_counter() - started
    if not report.written and not report.errors:
        raise fail(f"{data_dir}: no <category>/<name>.csv files")
    console.print(f"{detector}: {len(report.written)} files, {report.rows} rows in {elapsed:.1f}s → {out}",
                  soft_wrap=True)
    for exc in report.errors:
        err_console.print(f"[red]error:[/red] {exc.detail}", highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(2)


@app.command("score")
def score_command(
    data_root: Path = typer.Argument(..., help="Benchmark root with labels/combined_windows.json and config/"),
    results_dir: Path = typer.Argument(..., help="Backtest output: <category>/<name>.csv or <detector>_<name>.csv"),
    detector_prefix: list[str] = typer.Option([], "--detector-prefix", help="Results file prefix; repeat"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables"),
    per_file: bool = typer.Option(False, "--per-file", help="Also show each file's raw score (standard)"),
) -> None:
    """NAB score of a backtest for every cost profile (threshold optimised over the corpus)."""
    for needed in (data_root / "labels" / "combined_windows.json", data_root / "config" / "profiles.json"):
        if not needed.is_file():
            raise fail(f"{needed}: not found")
    from .scoring import score_backtest
    from .series_io import SeriesFileError

    try:
        results = score_backtest(data_root, results_dir, detector_prefix)
    except SeriesFileError as exc:
        raise fail(exc.detail) from None
    if as_json:
        print_json([r.as_dict() if per_file else {**r.as_dict(), "per_file": None} for r in results])
        return
    table = Table("profile", "score", "threshold", "TP", "FP", "FN", "raw")
    for r in results:
        table.add_row(r.profile, f"{r.score:.2f}", f"{r.threshold:.6g}", str(r.tp), str(r.fp), str(r.fn),
                      f"{r.raw:.3f}")
    console.print(table)
    if per_file:
        files = Table("file", "raw score (standard)")
        for key, value in results[0].per_file.items():
            files.add_row(key, f"{value:.3f}")
        console.print(files)


# --- detect: thresholds, the tick, simulated reports ----------------------------------------------------------

def _pair(pair: str) -> tuple[str, float]:
    family, _, value = pair.partition("=")
    try:
        return family.strip(), float(value)
    except ValueError:
        raise ValidationFailed(f"{pair[:80]!r}: use FAMILY=VALUE, e.g. dangerous_challenge=0.7") from None


@app.command("thresholds")
@handle_errors
def thresholds_command(
    set_: list[str] = typer.Option([], "--set", help="FAMILY=VALUE (a harm, or * for the default); repeat"),
    backtest: str | None = typer.Option(None, "--backtest", help="FAMILY=VALUE: alerts it would have raised"),
    days: int = typer.Option(30, min=1, max=30), as_json: bool = typer.Option(False, "--json"),
    as_user: str | None = AsOption,
) -> None:
    """Show thresholds per series family; change them (--set) or backtest a value over the last days."""
    actor = actor_for(as_user)
    if set_:
        with unit_of_work() as s:
            for pair in set_:
                service.set_threshold(s, actor, *_pair(pair))
    if backtest:
        family, value = _pair(backtest)
        with unit_of_work(read_only=True) as s:
            b = service.backtest(s, actor, family, value, days=days)
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
        rows = [(t.family, t.threshold, t.updated_by) for t in service.list_thresholds(s, actor)]
    if as_json:
        print_json([{"family": f, "threshold": v, "updated_by": u} for f, v, u in rows])
        return
    table = Table("family", "threshold", "changed by")
    for f, v, u in rows:
        table.add_row(f, f"{v:.2f}", u)
    console.print(table)


@app.command("tick")
@handle_errors
def tick_command() -> None:
    """Run the detection tick now (the worker runs it every 30 seconds)."""
    with unit_of_work() as s:
        report = service.run_tick(s)
    console.print(f"{report.buckets} bucket(s) over {report.series} series: {report.raised} alert(s) raised, "
                  f"{report.updated} updated" + (" (another worker holds the cursor)" if report.skipped else ""))


@app.command("simulate")
@handle_errors
def simulate_command(
    days: float | None = typer.Option(None, min=0.1, max=60.0,
                                      help="How many days of reports: 3 ending now, or a corpus's 21 from --start"),
    seed: int = typer.Option(7, help="Random seed"),
    outbreak: bool = typer.Option(True, "--outbreak/--no-outbreak", help="Inject the challenge outbreak"),
    outbreak_hours_ago: float = typer.Option(3.0, min=0.0, max=1440.0, help="When the outbreak starts"),
    out: Path | None = typer.Option(None, "--out", help="Write the reports as JSON lines (signal rows)"),
    counts: bool = typer.Option(False, "--counts", help="Add the counts to the series table directly"),
    corpus: Path | None = typer.Option(None, "--corpus",
                                       help="Write a labelled benchmark in NAB's layout to this new folder"),
    files: int = typer.Option(60, min=1, max=10_000, help="Series files in the corpus (--corpus)"),
    start: str = typer.Option("2026-03-02", help="The corpus's first day, UTC (--corpus)"),
) -> None:
    """Generate realistic report streams (seasonality, noise, bursts) with an injected outbreak, or (--corpus) a
    labelled benchmark of report streams with outbreaks, holidays, launches, classifier releases and bursts."""
    if corpus is not None:
        if out is not None or counts:
            raise ValidationFailed("--corpus writes a benchmark on its own: leave out --out and --counts")
        _write_corpus(corpus, days, files, start, seed)
        return
    from . import simulate

    days = 3.0 if days is None else days
    end = now().astimezone(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    sim = simulate.Simulation(end - timedelta(days=days), end, seed=seed,
                              outbreak=simulate.Outbreak(end - timedelta(hours=outbreak_hours_ago)) if outbreak
                              else None)
    if out is None and not counts:
        raise typer.BadParameter("give --out FILE and/or --counts (or --corpus DIR)")
    if out is not None:
        n = 0
        with out.open("w", encoding="utf-8") as fh:
            for row in simulate.reports(sim):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        console.print(f"{n} report(s) → {out}")
    if counts:
        rows = list(simulate.counts(sim))
        with unit_of_work() as s:
            signals.add_series_counts(s, rows)
        console.print(f"{sum(r['count'] for r in rows)} report(s) counted into {len(simulate.keys())} series")
    if sim.outbreak:
        console.print(f"outbreak of {sim.outbreak.harm} from {sim.outbreak.start:%Y-%m-%d %H:%M} UTC")


def _write_corpus(root: Path, days: float | None, files: int, start: str, seed: int) -> None:
    try:
        first = datetime.strptime(start, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValidationFailed(f"--start {start[:40]!r}: use YYYY-MM-DD") from None
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValidationFailed(f"{root}: exists and is not an empty folder (the corpus needs a new one)")
    from . import corpus

    spec = corpus.CorpusSpec(first, corpus.DEFAULT_DAYS if days is None else days, files, seed)
    columns = (TextColumn("{task.description:10s}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("generating", total=files)
        written = corpus.write_corpus(spec, root, lambda done, total: bar.update(task, completed=done, total=total))
    outbreaks = sum(e.incident for f in written for e in f.events)
    other = sum(not e.incident for f in written for e in f.events)
    console.print(f"{len(written)} series of {spec.rows} buckets from {first:%Y-%m-%d}, {outbreaks} outbreak(s) "
                  f"labelled, {other} shift(s) and burst(s) that are not incidents → {root}", soft_wrap=True)


# --- alerts ---------------------------------------------------------------------------------------------------

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
        out, total = service.list_alerts(s, actor, state=state or None, harm=harm)
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
        service.acknowledge(s, actor, alert_id)
    console.print(f"alert #{alert_id} acknowledged")


@alerts_app.command("snooze")
@handle_errors
def alerts_snooze(alert_id: int, hours: float = typer.Option(4.0, help="For how long"),
                  reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        until = service.snooze(s, actor, alert_id, until=now() + _hours(hours, "hours"), reason=reason).snoozed_until
    console.print(f"alert #{alert_id} snoozed until {until:%Y-%m-%d %H:%M} UTC" if until else "snoozed")


@alerts_app.command("suppress")
@handle_errors
def alerts_suppress(alert_id: int, days: float = typer.Option(7.0, help="Keep the series quiet this long"),
                    reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        _, rule = service.suppress(s, actor, alert_id, reason=reason, expires_at=now() + _hours(days * 24, "days"))
    console.print(f"alert #{alert_id} suppressed (rule #{rule.id})")


@alerts_app.command("dismiss")
@handle_errors
def alerts_dismiss(alert_id: int, reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.dismiss(s, actor, alert_id, reason=reason)
    console.print(f"alert #{alert_id} dismissed")


# --- cases ----------------------------------------------------------------------------------------------------

@cases_app.command("list")
@handle_errors
def cases_list(status: str | None = None, as_json: bool = typer.Option(False, "--json"),
               as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        out, total = service.list_cases(s, actor, status=status)
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
            case = service.open_case_from_alert(s, actor, alert, title=title)
        else:
            case = service.open_manual_case(s, actor, source=source, title=title, description=description, harm=harm,
                                            countries=country, languages=language)
    console.print(f"case #{case.id} opened")


@cases_app.command("assign")
@handle_errors
def cases_assign(case_id: int, username: str,
                 confirm: bool = typer.Option(False, "--confirm", help="Take it yourself past your exposure budget"),
                 as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.assign_case(s, actor, case_id, username, confirm=confirm)
    console.print(f"case #{case_id} assigned to {username}")


@cases_app.command("distribute")
@handle_errors
def cases_distribute(as_user: str | None = AsOption) -> None:
    """Give every open, unassigned case to a triager, high-intensity harms by room in exposure budgets."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        given = service.distribute_cases(s, actor)
    if not given:
        console.print("No open case is waiting for an assignee.")
    for case_id, username in given:
        console.print(f"case #{case_id} → {username or 'nobody has room: left unassigned'}", highlight=False)


@cases_app.command("note")
@handle_errors
def cases_note(case_id: int, body: str, as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.note_case(s, actor, case_id, body)
    console.print(f"note added to case #{case_id}")


@cases_app.command("dismiss")
@handle_errors
def cases_dismiss(case_id: int, reason: str = typer.Option(..., help="Why"), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work() as s:
        service.dismiss_case(s, actor, case_id, reason)
    console.print(f"case #{case_id} dismissed")


@cases_app.command("escalate")
@handle_errors
def cases_escalate(case_id: int, into: str | None = typer.Option(None, help="Link to this incident instead"),
                   title: str | None = None, incident_type: str | None = typer.Option(None, "--type"),
                   as_user: str | None = AsOption) -> None:
    """Declare an incident pre-filled from the case (pages on-call), or link the case to --into REF."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        incident = service.escalate_case(s, actor, case_id, into=into, overrides={"title": title,
                                                                                   "type": incident_type})
    console.print(f"case #{case_id} → {incident.ref}")
