"""Matching texts against the lexicons: the contract other domains call.

``match(session, text)`` and ``annotate(session, texts)`` need no actor: they read the latest
version of every lexicon through a matcher cached per set of lexicon versions and rebuilt when
any lexicon changes (in this process or another: the versions are read from the database).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import Actor, Perm
from .detect import Detection, detect, detect_many
from .matcher import Entry, Match, Matcher
from .models import Lexicon, LexiconTerm
from .normalise import fold, fold_with_map

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


def annotate_for(session: Session, actor: Actor, texts: Iterable[str], *, languages: bool = True
                 ) -> list[Annotation]:
    """:func:`annotate` for a person testing texts (who may read lexicons)."""
    actor.require(Perm.LEXICONS_READ)
    return annotate(session, texts, languages=languages)


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
