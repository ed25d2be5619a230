"""`rapidresponse translate …`, `glossary …` and `memory …`: requests and their steps, the queue by
your language skills, the glossary and the memory in TBX and TMX."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..console import AsOption, actor_for, console, handle_errors
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import glossary, memory, service

app = typer.Typer(help="Translation requests: ask, the queue, show, translate, approve.", no_args_is_help=True)
glossary_app = typer.Typer(help="The translation glossary (TBX).", no_args_is_help=True)
memory_app = typer.Typer(help="The translation memory (TMX).", no_args_is_help=True)


def _read(path: Path) -> str:
    if path == Path("-"):
        return typer.get_text_stream("stdin").read()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"cannot read {path}: {exc.__class__.__name__}", field="file") from exc


@app.command("request")
@handle_errors
def request(text: str = typer.Argument("", help="The text to translate (- reads standard input); none for an "
                                             "object named by --source-id, whose text is read as it is now"),
            source: str = typer.Option(..., "--from", help="Source language, e.g. ru"),
            target: str = typer.Option(..., "--to", help="Target language, e.g. en"),
            kind: str = typer.Option("text", help="signal, note, evidence, stakeholder_update, reply_letter, review"),
            source_id: str = typer.Option("", help="The id of the text's object (update id, request id…)"),
            incident: str | None = typer.Option(None, help="The incident's ref (sets priority and due time)"),
            harm: str | None = typer.Option(None, help="Harm of harmful evidence (exposure-aware routing)"),
            channel: str | None = typer.Option(None, help="sms, push, x or telegram_caption (length limit)"),
            as_user: str | None = AsOption) -> None:
    """Ask for a translation."""
    actor = actor_for(as_user)
    body = typer.get_text_stream("stdin").read() if text == "-" else text
    with unit_of_work() as s:
        r = service.request(s, actor, source_kind=kind, source_id=source_id, source_lang=source, target_lang=target,
                            text=body, incident=incident, harm=harm, channel=channel)
        console.print(f"translation {r.id}: {r.source_lang} → {r.target_lang}, {r.priority}, due "
                      f"{r.due_at:%d.%m %H:%M} UTC")


@app.command("queue")
@handle_errors
def queue(tab: str = typer.Option("translate", "--queue", help="translate, review, mine, open or done"),
          as_user: str | None = AsOption) -> None:
    """Your queue, by your language skills, most urgent first."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = service.queue(s, actor, tab=tab)
    table = Table("id", "pair", "kind", "incident", "priority", "state", "due (UTC)")
    for r in rows:
        table.add_row(str(r.id), f"{r.source_lang} → {r.target_lang}", r.source_kind, r.incident_ref or "",
                      r.priority, r.state, f"{r.due_at:%d.%m %H:%M}")
    console.print(table if rows else "nothing in this queue")


@app.command("show")
@handle_errors
def show(request_id: int, as_user: str | None = AsOption) -> None:
    """The original, the translation, memory matches, glossary hits and checks."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        w = service.workbench(s, actor, request_id)
    r = w.request
    console.print(f"[bold]translation {r.id}[/bold] {r.source_lang} → {r.target_lang} ({r.state}, {r.priority})\n\n"
                  f"{escape(r.source_text)}\n\n[bold]translation[/bold]\n{escape(r.translation or '—')}\n\n"
                  f"sha256 {service.sha256(r.translation)}", highlight=False)
    for m in w.matches:
        console.print(f"memory {m.score:.0f}%: {escape(m.source)} → {escape(m.target)}", highlight=False)
    for g in w.glossary:
        console.print(f"glossary: {escape(g.form)} → {escape(g.preferred or '—')}", highlight=False)
    for p in w.problems:
        console.print(f"check {p.severity}: {p.code} {escape(p.detail)}", highlight=False)


@app.command("start")
@handle_errors
def start(request_id: int, confirm: bool = typer.Option(False, help="Take harmful material with a spent budget"),
          as_user: str | None = AsOption) -> None:
    """Take the request and start translating."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        console.print(f"translation {request_id}: {service.start(s, actor, request_id, confirm=confirm).state}")


@app.command("submit")
@handle_errors
def submit(request_id: int, translation: str = typer.Argument(..., help="The translation (- reads standard input)"),
           as_user: str | None = AsOption) -> None:
    """Send your translation for review."""
    actor = actor_for(as_user)
    text = typer.get_text_stream("stdin").read() if translation == "-" else translation
    with unit_of_work() as s:
        console.print(f"translation {request_id}: {service.submit(s, actor, request_id, translation=text).state}")


@app.command("approve")
@handle_errors
def approve(request_id: int, sha256: str = typer.Option(..., help="SHA-256 of the translation (`translate show`)"),
            comment: str = typer.Option(""), as_user: str | None = AsOption) -> None:
    """Approve the exact translation you read."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        r = service.review(s, actor, request_id, decision="approve", translation_sha256=sha256, comment=comment)
        console.print(f"translation {r.id}: {r.state}")


@app.command("return")
@handle_errors
def return_(request_id: int, comment: str = typer.Option(..., help="What to change"),
            sha256: str = typer.Option(..., help="SHA-256 of the translation (`translate show`)"),
            as_user: str | None = AsOption) -> None:
    """Return the translation to its translator with comments."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        r = service.review(s, actor, request_id, decision="return", translation_sha256=sha256, comment=comment)
        console.print(f"translation {r.id}: {r.state}")


def _write(out: Path, data: bytes) -> None:
    """An exported document to ``out``, or to standard output for ``-``."""
    if out == Path("-"):
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        out.write_bytes(data)
        console.print(f"wrote {out}")


@glossary_app.command("import")
@handle_errors
def glossary_import(path: Path, as_user: str | None = AsOption) -> None:
    """Add or replace the entries of a TBX file."""
    actor = actor_for(as_user)
    data = _read(path).encode("utf-8")
    with unit_of_work() as s:
        added, updated = glossary.import_tbx(s, actor, data, name=path.name)
        console.print(f"{added} entries added, {updated} updated")


@glossary_app.command("export")
@handle_errors
def glossary_export(out: Path = typer.Option(Path("-"), "--out", "-o", help="File to write (- for standard output)"),
                    as_user: str | None = AsOption) -> None:
    """Write the glossary as TBX."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        data = glossary.export_tbx(s, actor)
    _write(out, data)


@glossary_app.command("list")
@handle_errors
def glossary_list(query: str = typer.Argument(""), as_user: str | None = AsOption) -> None:
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = glossary.list_terms(s, actor, query=query)
    table = Table("concept", "domain", "ru", "en", "forbidden")
    for t in rows:
        forbidden = ", ".join(str(f) for v in t.variants.values() for f in v.get("forbidden", []))  # type: ignore[attr-defined]
        table.add_row(t.concept, t.domain, str(t.variants.get("ru", {}).get("preferred", "")),
                      str(t.variants.get("en", {}).get("preferred", "")), forbidden)
    console.print(table if rows else "the glossary is empty")


@memory_app.command("import")
@handle_errors
def memory_import(path: Path, as_user: str | None = AsOption) -> None:
    """Add a TMX file's segment pairs to the memory."""
    actor = actor_for(as_user)
    data = _read(path).encode("utf-8")
    with unit_of_work() as s:
        console.print(f"{memory.import_tmx(s, actor, data, name=path.name)} segment pairs added")


@memory_app.command("export")
@handle_errors
def memory_export(out: Path = typer.Option(Path("-"), "--out", "-o", help="File to write (- for standard output)"),
                  as_user: str | None = AsOption) -> None:
    """Write the memory as TMX."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        data = memory.export_tmx(s, actor)
    _write(out, data)
