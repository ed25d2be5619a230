"""Lexicon matching: one Aho-Corasick automaton (``pyahocorasick``) over the folded terms.

The text is folded like the terms (``normalise.fold_with_map``), scanned once, and every hit is
mapped back to its span in the original text. A term matches whole words only (the characters
around it are not letters or digits), unless it is marked ``substring``. A term of several words
also matches written as one hashtag ("синий кит" finds "#СинийКит"), and a Russian, Ukrainian,
Kazakh or Uzbek term also matches in the Latin spellings people type ("siniy kit", "sinii kit").

With ``morphology`` (the default) a second automaton holds the terms as word keys (``morph.key``: lemma
and stem, written in one Latin skeleton), and the text is scanned a second time in the same keys, so
that inflected forms and every common transliteration scheme match: «играем в обморок» finds «игра в
обморок», "sobachij kajf" finds «собачий кайф». Keys are lossy, so only terms of ``MIN_KEYED`` letters
or more are keyed (short codes such as "f57" or «ана» match as written), and a keyed hit that overlaps
an exact hit of the same term is not reported twice. The text is folded once for both scans, and word
keys are cached, so the second scan costs a dictionary look-up per word. A term with a finite verb keeps its person:
«режу руки» (a disclosure) finds «режем руки» but not «подруга режет руки» (help-seeking).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from .morph import key as word_key
from .morph import persons
from .normalise import Folded, fold, fold_with_map
from .translit import latin_spellings

MIN_KEYED = 5  # letters in a term before its inflections are matched too
_TOKENS = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:['’ʻʼ‘`](?:[^\W_]|[\u0300-\u036f])+)*|\s+|[\ufe0e\ufe0f]|.", re.S)


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


_WORDS = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+(?:['’ʻʼ‘`](?:[^\W_]|[\u0300-\u036f])+)*")


def _same_person(wanted: tuple[frozenset[str], ...], words: list[str]) -> bool:
    """Whether the text's words can be in the persons of the term's finite verbs, word by word (a text
    word that is no known finite verb, such as a Latin spelling, does not refuse the match)."""
    if len(words) != len(wanted):
        return True  # written as one hashtag: nothing to compare
    return all(not want or not (have := persons(w)) or bool(want & have) for want, w in zip(wanted, words, strict=True))


def keyed(folded: str) -> tuple[str, list[tuple[int, int, int]]]:
    """``folded`` in word keys, and for each token (key start, folded start, folded end).

    Words become their keys, runs of white space one space, variation selectors go; other characters
    (punctuation, ``#``, emoji) stay as they are."""
    out: list[str] = []
    tokens: list[tuple[int, int, int]] = []
    at = 0
    for m in _TOKENS.finditer(folded):
        piece = m.group(0)
        ch = piece[0]
        if ch.isspace():
            piece = " "
        elif ch in "\ufe0e\ufe0f":
            continue
        elif ch.isalnum() or "\u0300" <= ch <= "\u036f":
            piece = word_key(piece)
        tokens.append((at, m.start(), m.end()))
        out.append(piece)
        at += len(piece)
    return "".join(out), tokens


def term_keys(folded: str) -> set[str]:
    """The keyed forms of a folded term: its words' keys, and its words as one hashtag."""
    text, _ = keyed(folded)
    text = text.strip()
    out = {text}
    words = folded.split(" ")
    if len(words) > 1 and not folded.startswith("#") and all(w.isalnum() for w in words):
        out.add("#" + word_key("".join(words)))
    return {k for k in out if k}


def term_key(text: str) -> str:
    """The word keys of ``text`` (folded first): one form for a term's inflections and spellings, so that
    the same term in two lexicons («собачий кайф» in ru and kk, «синий кит» and «синій кит») is one."""
    return keyed(fold(text))[0].strip()


class Matcher:
    """Built once from entries; ``scan`` is safe to call from many threads."""

    def __init__(self, entries: Iterable[Entry], *, morphology: bool = True) -> None:
        keys: dict[str, list[Entry]] = {}
        morph: dict[str, list[Entry]] = {}
        self._persons: dict[int, tuple[frozenset[str], ...]] = {}  # term id -> persons of its finite verbs
        for entry in entries:
            folded = entry.folded if entry.folded is not None else fold(entry.term)
            if not folded:
                continue
            if morphology and not entry.substring and sum(ch.isalpha() for ch in folded) >= MIN_KEYED:
                for key in term_keys(folded):
                    morph.setdefault(key, []).append(entry)
                wanted = tuple(persons(w) for w in _WORDS.findall(folded))
                if any(wanted):
                    self._persons[entry.term_id] = wanted
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
        self.morph_size = len(morph)
        self._morph = ahocorasick.Automaton()
        for key, found in morph.items():
            self._morph.add_word(key, (len(key), tuple(found)))
        if morph:
            self._morph.make_automaton()

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
        if self.morph_size:
            out.extend(self._scan_keyed(text, folded, out))
        out.sort(key=lambda m: (m.start, -m.end, m.term_id))
        unique: dict[tuple[int, int, int], Match] = {}
        for m in out:
            unique.setdefault((m.term_id, m.start, m.end), m)
        return list(unique.values())

    def _scan_keyed(self, text: str, folded: Folded, exact: list[Match]) -> list[Match]:
        ktext, tokens = keyed(folded.text)
        starts = [t[0] for t in tokens]
        out: list[Match] = []
        for end, (length, found) in self._morph.iter(ktext):
            start = end - length + 1
            if not ((start == 0 or not _word(ktext[start - 1]))
                    and (end + 1 >= len(ktext) or not _word(ktext[end + 1]))):
                continue
            first, last = tokens[bisect_right(starts, start) - 1], tokens[bisect_right(starts, end) - 1]
            o_start, o_end = folded.original_span(first[1], last[2])
            for e in found:
                if any(m.term_id == e.term_id and m.start < o_end and o_start < m.end for m in exact):
                    continue
                wanted = self._persons.get(e.term_id)
                if wanted and not _same_person(wanted, _WORDS.findall(folded.text[first[1]:last[2]])):
                    continue
                out.append(Match(term=e.term, term_id=e.term_id, lexicon_id=e.lexicon_id, harm=e.harm,
                                 language=e.language, kind=e.kind, start=o_start, end=o_end,
                                 text=text[o_start:o_end]))
        return out
