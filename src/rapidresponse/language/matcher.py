"""Lexicon matching: one Aho-Corasick automaton (``pyahocorasick``) over the folded terms.

The text is folded like the terms (``normalise.fold_with_map``), scanned once, and every hit is
mapped back to its span in the original text. A term matches whole words only (the characters
around it are not letters or digits), unless it is marked ``substring``. A term of several words
also matches written as one hashtag ("синий кит" finds "#СинийКит"), and a Russian, Ukrainian,
Kazakh or Uzbek term also matches in the Latin spellings people type ("siniy kit", "sinii kit").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from .normalise import Folded, fold, fold_with_map
from .translit import latin_spellings


@dataclass(frozen=True)
class Entry:
    """A term as the matcher needs it."""

    term_id: int
    term: str
    lexicon_id: int
    harm: str
    language: str
    kind: str = "term"
    substring: bool = False
    folded: str | None = None  # fold(term), when already known (the lexicon tables store it)


@dataclass(frozen=True)
class Match:
    term: str
    term_id: int
    lexicon_id: int
    harm: str
    language: str
    kind: str
    start: int  # span in the original text
    end: int
    text: str  # the original text at that span

    def as_dict(self) -> dict[str, object]:
        return {"term": self.term, "term_id": self.term_id, "lexicon_id": self.lexicon_id, "harm": self.harm,
                "language": self.language, "kind": self.kind, "start": self.start, "end": self.end,
                "text": self.text}


def _word(ch: str) -> bool:
    return ch.isalnum()


class Matcher:
    """Built once from entries; ``scan`` is safe to call from many threads."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        keys: dict[str, list[Entry]] = {}
        for entry in entries:
            folded = entry.folded if entry.folded is not None else fold(entry.term)
            if not folded:
                continue
            for key in {folded} | {fold(v) for v in latin_spellings(folded, entry.language)}:
                keys.setdefault(key, []).append(entry)
                if " " in key and not key.startswith("#"):
                    keys.setdefault("#" + key.replace(" ", ""), []).append(entry)
        self.size = len(keys)
        self._automaton = ahocorasick.Automaton()
        for key, found in keys.items():
            self._automaton.add_word(key, (len(key), tuple(found)))
        if keys:
            self._automaton.make_automaton()

    def scan(self, text: str) -> list[Match]:
        """Every lexicon term in ``text``, in order of position (one match per term and span)."""
        if not self.size or not text:
            return []
        return self.scan_folded(text, fold_with_map(text))

    def scan_folded(self, text: str, folded: Folded) -> list[Match]:
        """``scan`` for a text already folded with ``fold_with_map`` (fold once, use twice)."""
        if not self.size or not text:
            return []
        ftext = folded.text
        out: list[Match] = []
        for end, (length, found) in self._automaton.iter(ftext):
            start = end - length + 1
            bounded = ((start == 0 or not _word(ftext[start - 1]))
                       and (end + 1 >= len(ftext) or not _word(ftext[end + 1])))
            o_start, o_end = folded.original_span(start, end + 1)
            for e in found:
                if bounded or e.substring:
                    out.append(Match(term=e.term, term_id=e.term_id, lexicon_id=e.lexicon_id, harm=e.harm,
                                     language=e.language, kind=e.kind, start=o_start, end=o_end,
                                     text=text[o_start:o_end]))
        out.sort(key=lambda m: (m.start, -m.end, m.term_id))
        unique: dict[tuple[int, int, int], Match] = {}
        for m in out:
            unique.setdefault((m.term_id, m.start, m.end), m)
        return list(unique.values())
