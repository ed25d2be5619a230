"""Enrichment of a batch of signal rows before they are inserted.

This is the one hook where text processing plugs into intake, through the ``language`` domain's
service (``annotate_batch``):

* ``text_folded``: the language domain's matching fold (case, NFKC, look-alike Latin/Cyrillic
  letters, leetspeak, repeated letters, separators inside words), so that a search for "challenge"
  finds "сhаllеngе" typed in two scripts;
* ``language_detected`` / ``language_confidence``: what the text is written in, always stored;
  ``language`` keeps what the reporter said and is filled from the detection only when empty;
* ``lexicon_matches``: every lexicon term found ({harm, language, term, term_id, kind, start, end},
  spans in ``text``), at most ``MAX_MATCHES``; ``lexicon_harm``: the harm most of them belong to.

Each text is folded once (the fold serves storage and matching), languages are identified in one
batched call, and the lexicon matcher is cached per set of lexicon versions.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from .. import language

MAX_MATCHES = 20
UNDETERMINED = "und"


def fold(text: str) -> str:
    """The fold stored in ``text_folded`` (and applied to search queries)."""
    return language.fold(text)


def enrich(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill derived fields of validated rows (in place) and return them."""
    notes = language.annotate_batch(session, [row.get("text") or "" for row in rows])
    for row, note in zip(rows, notes, strict=True):
        row["text_folded"] = note.folded
        found = note.detection
        if found.lang != UNDETERMINED:
            row["language_detected"], row["language_confidence"] = found.lang, found.confidence
            if not row.get("language"):
                row["language"] = found.lang
        else:
            row["language_detected"], row["language_confidence"] = None, None
        matches = [{"harm": m.harm, "language": m.language, "term": m.term, "term_id": m.term_id, "kind": m.kind,
                    "start": m.start, "end": m.end} for m in note.matches[:MAX_MATCHES]]
        row["lexicon_matches"] = matches
        row["lexicon_harm"] = (Counter(m["harm"] for m in matches).most_common(1)[0][0] if matches else None)
    return rows
