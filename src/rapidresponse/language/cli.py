"""`rapidresponse lexicons …`: list, show, add and remove terms, import and export, test a text."""

from __future__ import annotations

import json
from pathlib import Path

import typer
import yaml
from rich.table import Table

from ..console import AsOption, actor_for, console, fail, handle_errors, print_json
from ..db import unit_of_work
from . import matching, service

app = typer.Typer(help="Harm lexicons per language: terms, coded terms and hashtags, versioned.",
                  no_args_is_help=True)


@app.command("list")
@handle_errors
def list_cmd(as_user: str | None = AsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """Every lexicon with its latest version and number of terms."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        rows = [{"id": lex.id, "harm": lex.harm, "language": lex.language, "version": lex.version,
                 "terms": len(lex.terms or [])} for lex in service.list_lexicons(s, actor, with_terms=True)]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Lexicons")
    for col in ("Id", "Harm", "Language", "Version", "Terms"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r[k]) for k in ("id", "harm", "language", "version", "terms")))
    console.print(table)


@app.command("show")
@handle_errors
def show(harm: str, language: str, version: int | None = typer.Option(None, help="An earlier version"),
         as_user: str | None = AsOption, as_json: bool = typer.Option(False, "--json")) -> None:
    """The terms of one lexicon (latest version unless --version) and its history."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        lex = service.find(s, actor, harm=harm, language=language, version=version)
        rows = [{"id": t.id, "term": t.term, "kind": t.kind, "folded": t.folded, "substring": t.substring}
                for t in lex.terms or []]
        history = [{"version": v.number, "change": v.change, "by": v.created_by, "at": v.created_at.isoformat()}
                   for v in service.versions(s, actor, lex.id)]
        head = f"{lex.harm}/{lex.language} version {version if version is not None else lex.version}"
    if as_json:
        print_json({"lexicon": head, "terms": rows, "history": history})
        return
    table = Table(title=head)
    for col in ("Id", "Term", "Kind", "Folded"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), str(r["term"]), str(r["kind"]) + (" (substring)" if r["substring"] else ""),
                      str(r["folded"]))
    console.print(table)
    for h in history:
        console.print(f"v{h['version']}  {h['at']}  {h['by']}: {h['change']}", highlight=False)


@app.command("add-term")
@handle_errors
def add_term(harm: str, language: str, term: str,
             kind: str = typer.Option("term", help="term, coded or hashtag"),
             substring: bool = typer.Option(False, help="Match inside other words too"),
             note: str = typer.Option(""), as_user: str | None = AsOption) -> None:
    """Add a term (a new version of the lexicon, created if missing)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        lex = service.add_term(s, actor, harm=harm, language=language, term=term, kind=kind, substring=substring,
                               note=note)
        version = lex.version
    console.print(f"added {term!r} to {harm}/{language}: version {version}", highlight=False)


@app.command("remove-term")
@handle_errors
def remove_term(harm: str, language: str, term: str, as_user: str | None = AsOption) -> None:
    """Remove a term (a new version; earlier versions keep it)."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        lex = service.remove_term_text(s, actor, harm=harm, language=language, term=term)
        version = lex.version
    console.print(f"removed {term!r} from {harm}/{language}: version {version}", highlight=False)


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise fail(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise fail(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None


@app.command("import")
@handle_errors
def import_cmd(files: list[Path] = typer.Argument(..., help="YAML or JSON lexicon files"),
               as_user: str | None = AsOption) -> None:
    """Import lexicon files (all or nothing); terms already present are skipped."""
    actor = actor_for(as_user)
    with unit_of_work() as s:
        counts = {k: v for f in files for k, v in service.import_document(s, actor, _read(f), source=f.name).items()}
    for key, n in counts.items():
        console.print(f"{key}: {n} new terms", highlight=False)


@app.command("load-starter")
@handle_errors
def load_starter(as_user: str | None = AsOption) -> None:
    """Load the starter lexicons shipped with rapidresponse (Russian, Kazakh, Ukrainian)."""
    import_cmd(sorted(service.STARTER.glob("*.yaml")), as_user)


@app.command("export")
@handle_errors
def export(output: Path | None = typer.Option(None, "--output", "-o", help="Write here (default: stdout)"),
           as_user: str | None = AsOption) -> None:
    """Every lexicon's latest version as YAML that `lexicons import` reads back."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        doc = service.export_document(s, actor)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {sum(len(x['terms']) for x in doc['lexicons'])} terms to {output}", highlight=False)


@app.command("test")
@handle_errors
def test_text(text: str, as_user: str | None = AsOption) -> None:
    """Fold a text, identify its language and show the lexicon terms it contains."""
    actor = actor_for(as_user)
    with unit_of_work(read_only=True) as s:
        result = matching.annotate_for(s, actor, [text])[0]
    print_json(result.as_dict())
