"""Lexicons: rules, permissions, versions, events; and matching, the contract other domains call.

``match(session, text)`` and ``annotate(session, texts)`` need no actor: they read the latest
version of every lexicon through a matcher cached per set of lexicon versions and rebuilt when
any lexicon changes (in this process or another: the versions are read from the database).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..auth import Actor, Perm
from ..clock import now
from ..errors import Conflict, NotFound, ValidationFailed
from ..policy import load_taxonomy
from .detect import FALLBACK_LANGUAGES, LINGUA_LANGUAGES, Detection, detect, detect_many
from .matcher import Entry, Match, Matcher
from .models import Lexicon, LexiconTerm, LexiconVersion
from .normalise import fold, fold_with_map

KINDS = ("term", "coded", "hashtag")
LANGUAGES = frozenset(LINGUA_LANGUAGES + FALLBACK_LANGUAGES)
MAX_TERM = 200
HASHTAG = re.compile(r"^#\w+$")


# --- reading -----------------------------------------------------------------------------------

def list_lexicons(session: Session, actor: Actor) -> list[Lexicon]:
    actor.require(Perm.LEXICONS_READ)
    return list(session.scalars(select(Lexicon).order_by(Lexicon.harm, Lexicon.language)))


def get(session: Session, actor: Actor, lexicon_id: int) -> Lexicon:
    actor.require(Perm.LEXICONS_READ)
    lex = session.get(Lexicon, lexicon_id)
    if lex is None:
        raise NotFound(f"no lexicon {lexicon_id}")
    return lex


def find(session: Session, actor: Actor, *, harm: str, language: str) -> Lexicon:
    actor.require(Perm.LEXICONS_READ)
    lex = session.scalar(select(Lexicon).where(Lexicon.harm == harm, Lexicon.language == language))
    if lex is None:
        raise NotFound(f"no lexicon for {harm} in {language}")
    return lex


def terms(session: Session, lex: Lexicon, version: int | None = None) -> list[LexiconTerm]:
    """The terms of ``lex`` at ``version`` (default: the latest)."""
    n = lex.version if version is None else version
    if not 0 <= n <= lex.version:
        raise NotFound(f"lexicon {lex.id} has versions 0 to {lex.version}, not {n}")
    live = (LexiconTerm.removed_in.is_(None)) | (LexiconTerm.removed_in > n)
    q = select(LexiconTerm).where(LexiconTerm.lexicon_id == lex.id, LexiconTerm.added_in <= n, live)
    return list(session.scalars(q.order_by(LexiconTerm.kind, LexiconTerm.term)))


def versions(session: Session, lex: Lexicon) -> list[LexiconVersion]:
    q = select(LexiconVersion).where(LexiconVersion.lexicon_id == lex.id).order_by(LexiconVersion.number.desc())
    return list(session.scalars(q))


# --- changing ----------------------------------------------------------------------------------

def _check_harm_language(harm: str, language: str) -> None:
    if harm not in load_taxonomy():
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
    if not folded or not any(ch.isalnum() for ch in folded):
        raise ValidationFailed(f"the term {term!r} has no letters or digits to match", field="term")
    return term, folded


def _lexicon(session: Session, *, harm: str, language: str, create: bool) -> Lexicon:
    _check_harm_language(harm, language)
    lex = session.scalar(select(Lexicon).where(Lexicon.harm == harm, Lexicon.language == language))
    if lex is None:
        if not create:
            raise NotFound(f"no lexicon for {harm} in {language}")
        at = now()
        lex = Lexicon(harm=harm, language=language, description="", version=0, created_at=at, updated_at=at)
        session.add(lex)
        session.flush()
    return lex


def _new_version(session: Session, actor: Actor, lex: Lexicon, change: str) -> int:
    lex.version += 1
    lex.updated_at = now()
    count = len(terms(session, lex)) if lex.version > 0 else 0
    session.add(LexiconVersion(lexicon_id=lex.id, number=lex.version, change=change, term_count=count,
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
              skip_existing: bool = False, change: str | None = None) -> tuple[Lexicon, list[LexiconTerm]]:
    """Add terms to the lexicon of ``harm`` × ``language`` (created if missing) as one new version."""
    actor.require(Perm.LEXICONS_MANAGE)
    cleaned = [(_clean_term(t.term, t.kind), t) for t in new]
    lex = _lexicon(session, harm=harm, language=language, create=True)
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
        return lex, added
    session.flush()
    what = (f"{change}: {len(added)} new terms" if change
            else f"added «{added[0].term}»" if len(added) == 1 else f"added {len(added)} terms")
    number = _new_version(session, actor, lex, what)
    events.record_legacy(session, type="lexicon.terms_added", subject_type="lexicon", subject_id=lex.id,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"harm": harm, "language": language, "version": number, "change": what,
                           "terms": [{"id": t.id, "term": t.term, "kind": t.kind} for t in added[:50]],
                           "count": len(added)})
    return lex, added


def add_term(session: Session, actor: Actor, *, harm: str, language: str, term: str, kind: str = "term",
             substring: bool = False, note: str = "") -> LexiconTerm:
    _, added = add_terms(session, actor, harm=harm, language=language,
                         new=[NewTerm(term=term, kind=kind, substring=substring, note=note)])
    return added[0]


def remove_term(session: Session, actor: Actor, lexicon_id: int, term_id: int) -> Lexicon:
    """Remove a term from the latest version (it stays in the versions before)."""
    actor.require(Perm.LEXICONS_MANAGE)
    lex = get(session, actor, lexicon_id)
    row = session.get(LexiconTerm, term_id)
    if row is None or row.lexicon_id != lex.id or row.removed_in is not None:
        raise NotFound(f"lexicon {lex.id} has no term {term_id}")
    row.removed_in = lex.version + 1
    session.flush()
    number = _new_version(session, actor, lex, f"removed «{row.term}»")
    events.record_legacy(session, type="lexicon.term_removed", subject_type="lexicon", subject_id=lex.id,
                  actor_id=actor.user_id, actor=actor.label,
                  payload={"harm": lex.harm, "language": lex.language, "version": number,
                           "term": {"id": row.id, "term": row.term, "kind": row.kind}})
    return lex


def remove_term_text(session: Session, actor: Actor, *, harm: str, language: str, term: str) -> Lexicon:
    lex = find(session, actor, harm=harm, language=language)
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


def import_document(session: Session, actor: Actor, doc: Any, *, source: str = "") -> dict[str, int]:
    """Load lexicons from a parsed YAML/JSON document; terms already present are skipped."""
    actor.require(Perm.LEXICONS_MANAGE)
    counts: dict[str, int] = {}
    for i, item in enumerate(_doc_lexicons(doc)):
        harm, language, raw = item.get("harm"), item.get("language"), item.get("terms")
        if not isinstance(harm, str) or not isinstance(language, str) or not isinstance(raw, list):
            raise ValidationFailed(f"lexicon {i + 1}: needs harm, language and a list of terms")
        new: list[NewTerm] = []
        for j, t in enumerate(raw):
            spec = {"term": t} if isinstance(t, str) else t
            if not isinstance(spec, dict) or not isinstance(spec.get("term"), str):
                raise ValidationFailed(f"lexicon {harm}/{language}, term {j + 1}: needs a term")
            new.append(NewTerm(term=spec["term"], kind=str(spec.get("kind", "term")),
                               substring=bool(spec.get("substring", False)), note=str(spec.get("note", ""))))
        try:
            _, added = add_terms(session, actor, harm=harm, language=language, new=new, skip_existing=True,
                                 change="imported" + (f" from {source}" if source else ""))
        except ValidationFailed as exc:
            raise ValidationFailed(f"lexicon {harm}/{language}: {exc.detail}") from None
        counts[f"{harm}/{language}"] = len(added)
    return counts


def export_document(session: Session, actor: Actor) -> dict[str, Any]:
    out = []
    for lex in list_lexicons(session, actor):
        rows = [{"term": t.term, "kind": t.kind, **({"substring": True} if t.substring else {}),
                 **({"note": t.note} if t.note else {})} for t in terms(session, lex)]
        out.append({"harm": lex.harm, "language": lex.language, "version": lex.version, "terms": rows})
    return {"lexicons": out}


# --- matching (the contract other domains use) ---------------------------------------------------

_cache_lock = threading.Lock()
_cache: tuple[tuple[tuple[Any, ...], ...], Matcher] | None = None


def matcher(session: Session) -> Matcher:
    """The matcher over the latest version of every lexicon, rebuilt when a version changes."""
    global _cache
    # harm, language and time as well as (id, version): an emptied database reuses ids (tests do that)
    key = tuple(tuple(row) for row in session.execute(
        select(Lexicon.id, Lexicon.version, Lexicon.harm, Lexicon.language, Lexicon.updated_at).order_by(Lexicon.id)))
    cached = _cache
    if cached is not None and cached[0] == key:
        return cached[1]
    with _cache_lock:
        if _cache is not None and _cache[0] == key:
            return _cache[1]
        q = (select(LexiconTerm, Lexicon.harm, Lexicon.language).join(Lexicon, Lexicon.id == LexiconTerm.lexicon_id)
             .where(LexiconTerm.removed_in.is_(None)))
        entries = [Entry(term_id=t.id, term=t.term, lexicon_id=t.lexicon_id, harm=harm, language=language,
                         kind=t.kind, substring=t.substring, folded=t.folded)
                   for t, harm, language in session.execute(q)]
        built = Matcher(entries)
        _cache = (key, built)
        return built


def match(session: Session, text: str) -> list[Match]:
    """Every term of the latest lexicons found in ``text``, with spans in ``text``."""
    return matcher(session).scan(text)


@dataclass(frozen=True)
class Annotation:
    folded: str
    detection: Detection
    matches: list[Match]

    def as_dict(self) -> dict[str, Any]:
        return {"folded": self.folded, "language": self.detection.lang, "confidence": self.detection.confidence,
                "script": self.detection.script, "matches": [m.as_dict() for m in self.matches]}


def annotate(session: Session, texts: Iterable[str], *, languages: bool = True) -> list[Annotation]:
    """Fold, identify the language of (unless ``languages`` is false) and match each text of a batch."""
    m = matcher(session)
    none = Detection("und", 0.0, "none")
    return [Annotation(folded=fold(t), detection=detect(t) if languages else none, matches=m.scan(t)) for t in texts]


def annotate_batch(session: Session, texts: Sequence[str]) -> list[Annotation]:
    """``annotate`` for intake batches: each distinct text folded once (for storage and matching
    alike) and languages identified in one batched call (``detect.detect_many``)."""
    m = matcher(session)
    unique = list(dict.fromkeys(texts))  # a flood of one copy-pasted text is annotated once
    folded = [fold_with_map(t) for t in unique]
    found = detect_many(unique)
    by_text = {t: Annotation(folded=f.text, detection=d, matches=m.scan_folded(t, f))
               for t, f, d in zip(unique, folded, found, strict=True)}
    return [by_text[t] for t in texts]
