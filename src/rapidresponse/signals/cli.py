"""`rapidresponse signals …`: import files, consume a stream, list trends."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import importing, trends
from .readers import Format

app = typer.Typer(help="Signals: import files, consume a stream, trends.", no_args_is_help=True)


@app.command("import")
@handle_errors
def import_command(
    file: Path = typer.Argument(..., help="CSV (with a header), JSONL or Parquet file of signals"),
    fmt: str | None = typer.Option(None, "--format", help="csv|jsonl|parquet (default: from the extension)"),
    rejects: Path | None = typer.Option(None, "--rejects", help="Write rejected rows here (CSV: row, reason, raw)"),
    batch: int = typer.Option(5000, "--batch", help="Signals per transaction (1-10000)"),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Process the stored signals (enrichment, series, "
                                                            "trends) before returning, or leave them to the worker"),
    as_user: str | None = AsOption,
) -> None:
    """Import a file of signals, streaming; bad rows are rejected (with a reason), never fatal."""
    finished = True
    if fmt is not None and fmt not in ("csv", "jsonl", "parquet"):
        raise ValidationFailed(f"--format must be csv, jsonl or parquet, not {fmt!r}")
    actor = actor_for(as_user)
    columns = (TextColumn("{task.fields[name]}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("import", total=None, name=f"importing {file.name}")
        summary = importing.import_file(
            actor, file, fmt=cast(Format | None, fmt), batch=batch, rejects=rejects,
            progress=lambda n: progress.advance(task, n),
            on_total=lambda total: progress.update(task, total=total))
        if wait:
            done = progress.add_task("process", total=None, name="processing: series, trends")
            finished = importing.process_imported(progress=lambda n: progress.advance(done, n),
                                                  on_total=lambda total: progress.update(done, total=total))
    console.print(f"read {summary.read}, inserted [green]{summary.inserted}[/green], duplicates "
                  f"{summary.duplicates}, rejected [{'red' if summary.rejected else 'green'}]{summary.rejected}"
                  f"[/]", highlight=False)
    for reason in summary.reasons:
        console.print(f"  {reason}", highlight=False, markup=False)
    if summary.rejected and rejects:
        console.print(f"rejected rows written to {rejects}", highlight=False)
    if not wait:
        console.print("the worker adds the stored signals to the series and trends", highlight=False)
    elif not finished:
        console.print("[yellow]some stored signals are still waiting for the worker[/yellow]", highlight=False)


@app.command("trends")
@handle_errors
def trends_command(
    min_count: int = typer.Option(2, help="Only trends with at least this many signals"),
    harm: str | None = typer.Option(None, help="Harm category slug"),
    limit: int = typer.Option(20, help="How many"),
    order: str = typer.Option("recent", help="recent (last active first) or growth (fastest growing first)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    as_user: str | None = AsOption,
) -> None:
    """Near-duplicate clusters of reports, most recently active first, with hourly growth."""
    if order not in ("recent", "growth"):
        raise ValidationFailed(f"--order must be recent or growth, not {order!r}")
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        found = trends.list_trends(s, actor, min_count=min_count, harm=harm, limit=limit,
                                   order=cast(Literal["recent", "growth"], order))
    if as_json:
        print_json([t.model_dump() for t in found])
        return
    table = Table("id", "count", "last hour", "growth", "harm", "last seen", "label")
    for t in found:
        growth = "new" if t.growth is None and t.last_hour else ("–" if t.growth is None else f"×{t.growth:g}")
        table.add_row(str(t.id), str(t.count), str(t.last_hour), growth, t.harm or "",
                      t.last_seen.strftime("%Y-%m-%d %H:%M"), t.label[:60])
    console.print(table)


@app.command("consume")
@handle_errors
def consume_command(
    source: str = typer.Option("nats", help="nats (JetStream) or redis (Redis Streams)"),
    url: str | None = typer.Option(None, help="Server URL (default nats://127.0.0.1:4222 or redis://127.0.0.1:6379)"),
    stream: str = typer.Option("SIGNALS", help="Stream name (JetStream stream or Redis stream key)"),
    subject: str = typer.Option("signals.>", help="JetStream subject(s) the stream holds"),
    durable: str = typer.Option("rapidresponse", help="Durable consumer (JetStream) or consumer group (Redis)"),
    consumer: str = typer.Option("rapidresponse-1", help="Consumer name within the Redis group"),
    batch: int = typer.Option(500, help="Messages per transaction (1-10000)"),
    ack_wait: float = typer.Option(30.0, help="JetStream: seconds before an unacknowledged message is redelivered"),
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit once the stream has nothing more"),
    idle_seconds: float = typer.Option(2.0, help="How long a fetch waits for messages (and --until-idle for more)"),
    as_user: str | None = AsOption,
) -> None:
    """Consume signals (one JSON object per message) from a stream; acknowledge only after commit."""
    import asyncio
    import signal

    from . import consumer as consumer_mod
    from .streams import JetStreamSource, RedisStreamSource, StreamSource

    if not 1 <= batch <= 10_000:
        raise ValidationFailed("--batch must be between 1 and 10000")
    actor = actor_for(as_user)
    src: StreamSource
    if source == "nats":
        src = JetStreamSource(url=url or "nats://127.0.0.1:4222", stream=stream, subject=subject, durable=durable,
                              ack_wait=ack_wait)
    elif source == "redis":
        src = RedisStreamSource(url=url or "redis://127.0.0.1:6379", stream=stream, group=durable,
                                consumer=consumer)
    else:
        raise ValidationFailed(f"--source must be nats or redis, not {source!r}")

    async def main() -> consumer_mod.ConsumeStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)  # finish the batch in hand, then exit
        return await consumer_mod.consume(src, actor, batch=batch, timeout=idle_seconds, until_idle=until_idle,
                                          stop=stop)

    try:
        stats = asyncio.run(main())
    except OSError as exc:
        raise ValidationFailed(f"cannot reach the {source} server: {exc or type(exc).__name__}") from None
    console.print(f"{stats.batches} batches: received {stats.received}, inserted {stats.inserted}, "
                  f"duplicates {stats.duplicates}, rejected {stats.rejected}", highlight=False)


@app.command("search")
@handle_errors
def search_command(
    query: str = typer.Argument("", help="Text to find (folded like stored texts: case, look-alike letters, "
                                         "leetspeak do not matter)"),
    harm: str | None = typer.Option(None, help="Harm category slug"),
    country: str | None = typer.Option(None, help="Two-letter country code"),
    language: str | None = typer.Option(None, help="Language code"),
    source: str | None = typer.Option(None, help="Signal source"),
    matched: bool | None = typer.Option(None, "--matched/--unmatched", help="Only signals a lexicon term matched "
                                                                         "(or none did)"),
    trend: int | None = typer.Option(None, help="Trend id"),
    limit: int = typer.Option(20, help="How many (1-500)"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON"),
    as_user: str | None = AsOption,
) -> None:
    """Search signals by text and filters, newest first, with their lexicon matches."""
    from pydantic import ValidationError

    from . import service
    from .schemas import SignalFilter

    try:
        flt = SignalFilter(q=query or None, harm=harm, country=country, language=language, source=source,
                           matched=matched, trend_id=trend, limit=limit)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ValidationFailed(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        items, total = service.list_signals(s, actor, flt)
        rows: list[dict[str, Any]] = [
            {"id": i.id, "occurred_at": i.occurred_at, "source": i.source, "harm": i.harm, "country": i.country,
             "language": i.language, "language_detected": i.language_detected, "trend_id": i.trend_id,
             "text": i.text, "lexicon_matches": i.lexicon_matches or []} for i in items]
    if as_json:
        print_json({"total": total, "items": rows})
        return
    table = Table("id", "occurred", "harm", "country", "lang", "trend", "matches", "text")
    for r in rows:
        terms = ", ".join(sorted({m["term"] for m in r["lexicon_matches"]}))
        table.add_row(str(r["id"]), r["occurred_at"].strftime("%Y-%m-%d %H:%M"), r["harm"] or "", r["country"] or "",
                      r["language"] or "", str(r["trend_id"] or ""), terms, r["text"][:80])
    console.print(table)
    console.print(f"{total} signals match", highlight=False)
