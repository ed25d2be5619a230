"""Enrichment of a batch of signal rows before they are inserted.

This is the one hook where text processing plugs into intake: the ``language`` domain's
normalisation (homoglyphs, leetspeak, transliteration), language identification and lexicon matching
are wired in here. Until then it only fills ``text_folded`` with NFKC + case folding.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def enrich(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill derived fields of validated rows (in place) and return them."""
    for row in rows:
        row["text_folded"] = fold(row.get("text") or "")
    return rows
