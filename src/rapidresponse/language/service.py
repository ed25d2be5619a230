"""Lexicons: rules, permissions, versions and events; import and export.

One lexicon per harm category (from the policy taxonomy) and language. Every change makes a new
version and records an event on the lexicon's stream. The functions take an actor (whose permission
they check) and return schemas; matching texts against the lexicons is in :mod:`.matching`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, policy
from ..auth import Actor, Perm
from ..clock import now
from ..db import get_or_404
from ..errors import Conflict, NotFound, ValidationFailed
from ..schemas import VersionChange, version_change
from .detect import FALLBACK_LANGUAGES, LINGUA_LANGUAGES
from .events import TermRemoved, TermsAdded
from .models import Lexicon, LexiconTerm, LexiconVersion
from .normalise import fold
from .schemas import LexiconOut, TermOut, VersionOut

KINDS = ("term", "coded", "hashtag")
CONFIDENCE = ("high", "medium", "low")
LANGUAGES = frozenset(LINGUA_LANGUAGES + FALLBACK_LANGUAGES)
MAX_TERM = 200
HASHTAG = re.compile(r"^#\w+$")
STARTER = Path(__file__).parent / "data" / "lexicons"
"""The starter lexicons shipped with rapidresponse (YAML files that :func:`import_document` reads)."""


# --- shapes ------------------------------------------------------------------------------------

def term_out(t: LexiconTerm) -> TermOut:
    return TermOut(id=t.id, term=t.term, folded=t.folded, kind=t.kind, substring=t.substring, note=t.note,
                   added_in=t.added_in, removed_in=t.removed_in)


def lexicon_out(lex: Lexicon, terms: list[LexiconTerm] | None = None) -> LexiconOut:
    return LexiconOut(id=lex.id, harm=lex.harm, language=lex.language, version=lex.version,
                      updated_at=lex.updated_at, terms=None if terms is None else [term_out(t) for t in terms])


# --- reading -----------------------------------------------------------------------------------

def _load(session: Session, actor: Actor, lexicon_id: int) -> Lexicon:
    actor.require(Perm.LEXICONS_READ)
    lex = get_or_404(session, Lexicon, lexicon_id, "lexicon")
    return lex


def _terms(session: Session, lex: Lexicon, version: int | None = None) -> list[LexiconTerm]:
    """The terms of ``lex`` at ``version`` (default: the latest)."""
    n = lex.version if version is None else version
    if not 0 <= n <= lex.version:
        raise NotFound(f"lexicon {lex.id} has versions 0 to {lex.version}, not {n}")
    live = (LexiconTerm.removed_in.is_(None)) | (LexiconTerm.removed_in > n)
    q = select(LexiconTerm).where(LexiconTerm.lexicon_id == lex.id, LexiconTerm.added_in <= n, live)
    return list(session.scalars(q.order_by(LexiconTerm.kind, LexiconTerm.term)))


def list_lexicons(session: Session, actor: Actor, *, with_terms: bool = False) -> list[LexiconOut]:
    """Every lexicon, by harm and language (with the terms of its latest version when ``with_terms``)."""
    actor.require(Perm.LEXICONS_READ)
    found = session.scalars(select(Lexicon).order_by(Lexicon.harm, Lexicon.language))
    return [lexicon_out(lex, _terms(session, lex) if with_terms else None) for lex in found]


def get(session: Session, actor: Actor, lexicon_id: int, *, version: int | None = None) -> LexiconOut:
    """A lexicon with its terms at ``version`` (default: the latest)."""
    lex = _load(session, actor, lexicon_id)
    return lexicon_out(lex, _terms(session, lex, version))


def _find(session: Session, actor: Actor, *, harm: str, language: str) -> Lexicon:
    actor.require(Perm.LEXICONS_READ)
    lex = session.scalar(select(Lexicon).where(Lexicon.harm == harm, Lexicon.language == language))
    if lex is None:
        raise NotFound(f"no lexicon for {harm} in {language}")
    return lex


def find(session: Session, actor: Actor, *, harm: str, language: str, version: int | None = None) -> LexiconOut:
    """The lexicon of ``harm`` × ``language`` with its terms at ``version`` (default: the latest)."""
    lex = _find(session, actor, harm=harm, language=language)
    return lexicon_out(lex, _terms(session, lex, version))


def versions(session: Session, actor: Actor, lexicon_id: int) -> list[VersionOut]:
    """The lexicon's version history, newest first."""
    lex = _load(session, actor, lexicon_id)
    q = select(LexiconVersion).where(LexiconVersion.lexicon_id == lex.id).order_by(LexiconVersion.number.desc())
    return [VersionOut(number=v.number, **version_change(v.change), term_count=v.term_count, created_by=v.created_by,
                       created_at=v.created_at) for v in session.scalars(q)]


# --- changing ----------------------------------------------------------------------------------

def _check_harm_language(harm: str, language: str) -> None:
    if harm not in policy.load_taxonomy():
        raise ValidationFailed(f"unknown harm category {harm!r}: see `rapidresponse policy taxonomy`", field="harm")
    if language not in LANGUAGES:
        raise ValidationFailed(f"unsupported language {language!r}: use one of {', '.join(sorted(LANGUAGES))}",
                               field="language")


def _clean_term(term: str, kind: str) -> tuple[str, str]:
    term = " ".join(term.split())
    if kind not in KINDS:
        raise ValidationFailed(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}", field="kind")
    if not term:
        raise ValidationFailed("the term is empty", field="term")
    if len(term) > MAX_TERM:
        raise ValidationFailed(f"the term is {len(term)} characters long; at most {MAX_TERM}", field="term")
    if kind == "hashtag":
        term = term if term.startswith("#") else "#" + term
        if not HASHTAG.match(term):
            raise ValidationFailed(f"{term!r} is not a hashtag (# then letters, digits or _)", field="term")
    folded = fold(term)
    if not folded or not any(ch.isalnum() or unicodedata.category(ch) == "So" for ch in folded):
        raise ValidationFailed(f"the term {term!r} has no letters or digits (or emoji) to match", field="term")
    return term, folded


def _lexicon(session: Session, *, harm: str, language: str) -> Lexicon:
    """The lexicon of ``harm`` × ``language``, created (at version 0) when missing."""
    _check_harm_language(harm, language)
    lex = session.scalar(select(Lexicon).where(Lexicon.harm == harm, Lexicon.language == language))
    if lex is None:
        at = now()
        lex = Lexicon(harm=harm, language=language, description="", version=0, created_at=at, updated_at=at)
        session.add(lex)
        session.flush()
    return lex


def _new_version(session: Session, actor: Actor, lex: Lexicon, change: VersionChange) -> int:
    lex.version += 1
    lex.updated_at = now()
    count = len(_terms(session, lex)) if lex.version > 0 else 0
    session.add(LexiconVersion(lexicon_id=lex.id, number=lex.version, change=change.stored(), term_count=count,
                               created_by_id=actor.user_id, created_by=actor.label, created_at=lex.updated_at))
    return lex.version


def _live_folded(session: Session, lex: Lexicon) -> dict[str, LexiconTerm]:
    q = select(LexiconTerm).where(LexiconTerm.lexicon_id == lex.id, LexiconTerm.removed_in.is_(None))
    return {t.folded: t for t in session.scalars(q)}


@dataclass(frozen=True)
class NewTerm:
    term: str
    kind: str = "term"
    substring: bool = False
    note: str = ""


def add_terms(session: Session, actor: Actor, *, harm: str, language: str, new: Sequence[NewTerm],
              skip_existing: bool = False, imported: bool = False,
              source: str = "") -> tuple[LexiconOut, list[TermOut]]:
    """Add terms to the lexicon of ``harm`` × ``language`` (created if missing) as one new version.

    Returns the lexicon (without its terms) and the terms added."""
    actor.require(Perm.LEXICONS_MANAGE)
    cleaned = [(_clean_term(t.term, t.kind), t) for t in new]
    lex = _lexicon(session, harm=harm, language=language)
    live = _live_folded(session, lex)
    added: list[LexiconTerm] = []
    for (term, folded), spec in cleaned:
        if folded in live:
            if skip_existing:
                continue
            raise Conflict(f"{term!r} is already in the {harm}/{language} lexicon as {live[folded].term!r}",
                           field="term")
        row = LexiconTerm(lexicon_id=lex.id, term=term, folded=folded, kind=spec.kind, substring=spec.substring,
                          note=spec.note.strip(), added_in=lex.version + 1, removed_in=None)
        session.add(row)
        live[folded] = row
        added.append(row)
    if not added:
        return lexicon_out(lex), []
    session.flush()
    what = (VersionChange(did="imported", unit="term", count=len(added), source=source) if imported
            else VersionChange(did="added", unit="term", item=added[0].term) if len(added) == 1
            else VersionChange(did="added", unit="term", count=len(added)))
    number = _new_version(session, actor, lex, what)
    events.record(session, actor, TermsAdded(
        subject_id=lex.id, harm=harm, language=language, version=number, change=what.english(), count=len(added),
        terms=[{"id": t.id, "term": t.term, "kind": t.kind} for t in added[:50]]))
    return lexicon_out(lex), [term_out(t) for t in added]


def add_term(session: Session, actor: Actor, *, harm: str, language: str, term: str, kind: str = "term",
             substring: bool = False, note: str = "") -> LexiconOut:
    """Add one term (a new version); returns the lexicon with the terms of that version."""
    lex, _ = add_terms(session, actor, harm=harm, language=language,
                       new=[NewTerm(term=term, kind=kind, substring=substring, note=note)])
    return get(session, actor, lex.id)


def add_lexicon_term(session: Session, actor: Actor, lexicon_id: int, *, term: str, kind: str = "term",
                     substring: bool = False, note: str = "") -> LexiconOut:
    """:func:`add_term` to the lexicon ``lexicon_id`` (404 when there is none)."""
    lex = _load(session, actor, lexicon_id)
    return add_term(session, actor, harm=lex.harm, language=lex.language, term=term, kind=kind,
                    substring=substring, note=note)


def remove_term(session: Session, actor: Actor, lexicon_id: int, term_id: int) -> LexiconOut:
    """Remove a term from the latest version (it stays in the versions before); returns the lexicon with
    the terms of the new version."""
    actor.require(Perm.LEXICONS_MANAGE)
    lex = _load(session, actor, lexicon_id)
    row = session.get(LexiconTerm, term_id)
    if row is None or row.lexicon_id != lex.id or row.removed_in is not None:
        raise NotFound(f"lexicon {lex.id} has no term {term_id}")
    row.removed_in = lex.version + 1
    session.flush()
    number = _new_version(session, actor, lex, VersionChange(did="removed", unit="term", item=row.term))
    events.record(session, actor, TermRemoved(subject_id=lex.id, harm=lex.harm, language=lex.language,
                                              version=number,
                                              term={"id": row.id, "term": row.term, "kind": row.kind}))
    return lexicon_out(lex, _terms(session, lex))


def remove_term_text(session: Session, actor: Actor, *, harm: str, language: str, term: str) -> LexiconOut:
    """Remove the term written ``term`` (as folded) from the lexicon of ``harm`` × ``language``."""
    lex = _find(session, actor, harm=harm, language=language)
    row = _live_folded(session, lex).get(fold(term))
    if row is None:
        raise NotFound(f"{term!r} is not in the {harm}/{language} lexicon")
    return remove_term(session, actor, lex.id, row.id)


# --- import and export ---------------------------------------------------------------------------

def _doc_lexicons(doc: Any) -> list[dict[str, Any]]:
    items = doc.get("lexicons") if isinstance(doc, dict) and "lexicons" in doc else [doc]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed("a lexicon file holds harm, language and terms (or a list of them under lexicons)")
    return items


def describe(note: str, *, source: str = "", confidence: str = "", check: bool = False) -> str:
    """A term's note with where it comes from, how sure the lexicon is, and whether a native speaker
    still has to confirm it: "the Russian name — source: press; confidence: high; needs native check"."""
    if confidence and confidence not in CONFIDENCE:
        raise ValidationFailed(f"unknown confidence {confidence!r}: use one of {', '.join(CONFIDENCE)}",
                               field="confidence")
    parts = [f"source: {source.strip()}"] if source.strip() else []
    parts += [f"confidence: {confidence}"] if confidence else []
    parts += ["needs native check"] if check else []
    return " — ".join(p for p in (note.strip(), "; ".join(parts)) if p)


def _term_spec(spec: dict[str, Any], defaults: dict[str, Any]) -> NewTerm:
    merged = {**defaults, **spec}
    check = merged.get("check", False)
    if not isinstance(check, bool):
        raise ValidationFailed(f"check must be true or false, not {check!r}", field="check")
    note = describe(str(merged.get("note", "")), source=str(merged.get("source", "")),
                    confidence=str(merged.get("confidence", "")), check=check)
    return NewTerm(term=spec["term"], kind=str(spec.get("kind", "term")), substring=bool(spec.get("substring", False)),
                   note=note)


def import_document(session: Session, actor: Actor, doc: Any, *, source: str = "") -> dict[str, int]:
    """Load lexicons from a parsed YAML/JSON document; terms already present are skipped.

    A term may carry ``source``, ``confidence`` (high, medium, low) and ``check`` (true when a native
    speaker has to confirm it), and a lexicon ``defaults`` for them; they are kept in the term's note
    (see :func:`describe`). Returns the number of new terms per ``harm/language``."""
    actor.require(Perm.LEXICONS_MANAGE)
    counts: dict[str, int] = {}
    for i, item in enumerate(_doc_lexicons(doc)):
        harm, language, raw = item.get("harm"), item.get("language"), item.get("terms")
        defaults = item.get("defaults") or {}
        if not isinstance(harm, str) or not isinstance(language, str) or not isinstance(raw, list):
            raise ValidationFailed(f"lexicon {i + 1}: needs harm, language and a list of terms")
        if not isinstance(defaults, dict):
            raise ValidationFailed(f"lexicon {harm}/{language}: defaults must be a mapping")
        new: list[NewTerm] = []
        for j, t in enumerate(raw):
            spec = {"term": t} if isinstance(t, str) else t
            if not isinstance(spec, dict) or not isinstance(spec.get("term"), str):
                raise ValidationFailed(f"lexicon {harm}/{language}, term {j + 1}: needs a term")
            try:
                new.append(_term_spec(spec, defaults))
            except ValidationFailed as exc:
                raise ValidationFailed(f"lexicon {harm}/{language}, term {j + 1}: {exc.detail}") from None
        try:
            _, added = add_terms(session, actor, harm=harm, language=language, new=new, skip_existing=True,
                                 imported=True, source=source or "")
        except ValidationFailed as exc:
            raise ValidationFailed(f"lexicon {harm}/{language}: {exc.detail}") from None
        counts[f"{harm}/{language}"] = len(added)
    return counts


def export_document(session: Session, actor: Actor) -> dict[str, Any]:
    """Every lexicon's latest version as a document :func:`import_document` reads back."""
    out = []
    for lex in list_lexicons(session, actor, with_terms=True):
        rows = [{"term": t.term, "kind": t.kind, **({"substring": True} if t.substring else {}),
                 **({"note": t.note} if t.note else {})} for t in lex.terms or []]
        out.append({"harm": lex.harm, "language": lex.language, "version": lex.version, "terms": rows})
    return {"lexicons": out}
