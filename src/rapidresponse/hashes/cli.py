"""`rapidresponse hashes …`: PDQ hash lists (create, import a partner CSV, export, show) and matching."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..auth import Perm
from ..console import AsOption, actor_for, console, handle_errors, print_json
from ..db import unit_of_work
from ..errors import ValidationFailed
from . import csvfile, matching, pdq, service

app = typer.Typer(help="PDQ hash lists from sharing partners, and matching images or hashes against them.",
                  no_args_is_help=True)


@app.command("lists")
@handle_errors
def lists_cmd(as_user: str | None = AsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every hash list with its harm, partner, distance, version, entries and last import."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows: list[dict[str, Any]] = [
            {"id": hl.id, "name": hl.name, "harm": hl.harm, "source": hl.source, "distance": hl.max_distance,
             "version": hl.version, "entries": hl.entry_count, "last_import": hl.last_import_at}
            for hl in service.list_lists(s, actor)]
    if as_json:
        print_json(rows)
        return
    table = Table("id", "name", "harm", "source", "distance", "version", "entries", "last import", title="Hash lists")
    for r in rows:
        table.add_row(*(str(r[k]) for k in ("id", "name", "harm", "source", "distance", "version", "entries")),
                      r["last_import"].strftime("%Y-%m-%d %H:%M") if r["last_import"] else "–")
    console.print(table)


@app.command("create")
@handle_errors
def create_cmd(name: str, harm: str = typer.Option(..., help="Harm category slug"),
               source: str = typer.Option(..., help="The sharing partner"),
               description: str = typer.Option("", help="What the list holds"),
               max_distance: int = typer.Option(pdq.DEFAULT_DISTANCE, help="Hamming distance that still matches"),
               as_user: str | None = AsOption) -> None:
    """Create an empty hash list."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        hl = service.create_list(s, actor, name=name, harm=harm, source=source, description=description,
                                 max_distance=max_distance)
        console.print(f"created hash list {hl.id} «{hl.name}»", highlight=False)


@app.command("import")
@handle_errors
def import_cmd(ref: str = typer.Argument(..., help="List id or name"),
               file: Path = typer.Argument(..., help="CSV: a hash column, optional label, source, added, note"),
               all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="Add nothing if any row is bad"),
               as_user: str | None = AsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Import a partner's CSV; hashes already listed are duplicates; bad rows are listed with their reason."""
    actor = actor_for(as_user)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise ValidationFailed(f"cannot read {file}: {exc.strerror}") from None
    if size > csvfile.MAX_CSV_BYTES:
        raise ValidationFailed(f"{file} is {size} bytes; at most {csvfile.MAX_CSV_BYTES} (split it)")
    data = file.read_bytes()
    with unit_of_work() as s:
        hl = service.find(s, actor, ref)
        report = service.import_csv(s, actor, hl.id, data, filename=file.name,
                                    mode="all_or_nothing" if all_or_nothing else "partial")
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"read {report.read}, accepted [green]{report.accepted}[/green], duplicates {report.duplicates}, "
                  f"rejected [{'red' if report.rejected_count else 'green'}]{report.rejected_count}[/] "
                  f"(version {report.version})", highlight=False)
    for r in report.rejected[:20]:
        console.print(f"  line {r.line}: {r.reason}", highlight=False, markup=False)
    if report.rejected_count > 20:
        console.print(f"  … and {report.rejected_count - 20} more (--json lists up to 1000)", highlight=False)


@app.command("export")
@handle_errors
def export_cmd(ref: str = typer.Argument(..., help="List id or name"),
               out: Path | None = typer.Option(None, "--out", "-o", help="Write here (default: standard output)"),
               version: int | None = typer.Option(None, help="An earlier version"),
               as_user: str | None = AsOption) -> None:
    """Write a list's entries as CSV (hash, label, source, added, note)."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        chunks = list(service.export_csv(s, actor, service.find(s, actor, ref).id, version))
    if out is None:
        sys.stdout.write("".join(chunks))
    else:
        out.write_text("".join(chunks), encoding="utf-8")


@app.command("match")
@handle_errors
def match_cmd(target: str = typer.Argument(..., help="An image file, or a PDQ hash (64 hex digits)"),
              as_user: str | None = AsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Hash an image (or take a hash) and list the entries of every list within that list's distance."""
    actor = actor_for(as_user)
    actor.require(Perm.SIGNALS_READ)  # before reading any file
    quality: int | None = None
    if pdq.is_pdq(target) and not Path(target).exists():
        value = pdq.parse_hash(target)
    else:
        path = Path(target)
        if not path.is_file():
            raise ValidationFailed(f"{target!r} is neither a PDQ hash (64 hex digits) nor an image file")
        if path.stat().st_size > pdq.MAX_IMAGE_BYTES:
            raise ValidationFailed(f"{path} is over {pdq.MAX_IMAGE_BYTES} bytes")
        computed = pdq.hash_image(path.read_bytes())
        value, quality = computed.hash, computed.quality
    with unit_of_work(read_only=True) as s:
        hits = matching.search(s, actor, [value])
    if as_json:
        print_json({"hash": value, "quality": quality, "matches": [h.as_dict() for h in hits]})
        return
    console.print(f"PDQ {value}" + (f" (quality {quality})" if quality is not None else ""), highlight=False)
    if quality is not None and quality < pdq.MIN_QUALITY:
        console.print("[yellow]low quality: a flat or nearly blank image matches too easily[/yellow]")
    if not hits:
        console.print("no match")
        return
    table = Table("distance", "list", "harm", "label", "entry hash")
    for h in hits:
        table.add_row(str(h.distance), h.list_name, h.harm, h.label, h.hash)
    console.print(table)
