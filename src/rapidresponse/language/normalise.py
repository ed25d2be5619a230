"""Text folded for matching, with a map back to the original text.

``fold`` turns the many spellings of one word into one: Unicode NFKC and case folding, invisible
format characters dropped, letters spelled out with separators joined ("с.о.б.а.ч.и.й", "d-o-g"),
mixed Latin/Cyrillic words folded to the script most of their letters are in ("сhаllеngе"),
leetspeak read in the script of its word (``0`` is Latin ``o`` in "ch4ll3ng3" and Cyrillic ``о`` in
"к0т"), runs of three or more of one letter collapsed ("кааайф"), ``ё`` read as ``е`` and runs of
white space made one space. ``fold_with_map`` also says, for every folded character, which span
of the original it came from, so that a match in folded text is shown where it is in the original.

``transliterate`` writes Russian, Kazakh and Uzbek between Cyrillic and Latin (see ``translit.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .translit import transliterate

__all__ = ["Folded", "fold", "fold_with_map", "script_of", "transliterate"]

# Lower-case letters that look alike in the two scripts (after case folding).
LATIN_TO_CYRILLIC = {"a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "і", "j": "ј", "k": "к", "m": "м",
                     "o": "о", "p": "р", "s": "ѕ", "t": "т", "x": "х", "y": "у"}
CYRILLIC_TO_LATIN = {c: latin for latin, c in LATIN_TO_CYRILLIC.items()}
# Leetspeak: what a digit or symbol stands for inside a word of each script.
LEET_LATIN = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
LEET_CYRILLIC = {"0": "о", "3": "з", "4": "ч", "6": "б", "@": "а", "$": "с"}
SYMBOLS_IN_WORDS = frozenset("@$")  # leet only inside a word, never leading ("@user", "$5")
SEPARATORS = frozenset(".-_*·•|/\\~+")
SPELLING_SEPARATORS = SEPARATORS | {" "}
MAX_PASSES = 4
_NOT_SEP = "[^" + re.escape("".join(sorted(SPELLING_SEPARATORS))) + "]"
_SEP = "[" + re.escape("".join(sorted(SPELLING_SEPARATORS))) + "]"
# Cheap tests that a step has nothing to do (most texts). Spelled out: three one-character pieces joined
# by one separator, the first not after a letter or digit and the last not before one (the least that
# ``_join_spelled`` needs). Runs: three of one character, or two spaces (the least ``_collapse`` needs).
_MAYBE_SPELLED = re.compile(rf"(?<![^\W_]){_NOT_SEP}({_SEP}){_NOT_SEP}\1{_NOT_SEP}(?![^\W_])")
_MAYBE_RUN = re.compile(r"(.)\1\1|  ", re.S)
_SPACES = re.compile(r"(\s+)")

Span = tuple[int, int]


@dataclass(frozen=True)
class Folded:
    text: str
    spans: tuple[Span, ...]  # for each character of ``text``, its [start, end) in the original

    def original_span(self, start: int, end: int) -> Span:
        """The span of the original text that folded characters ``start:end`` came from."""
        if start >= end:
            return (0, 0)
        return (self.spans[start][0], self.spans[end - 1][1])


@lru_cache(maxsize=4096)
def script_of(ch: str) -> str:
    """The script of one letter: ``latin``, ``cyrillic`` or ``other``."""
    if "a" <= ch <= "z" or "A" <= ch <= "Z":
        return "latin"
    if "\u0400" <= ch <= "\u052f" or "\u1c80" <= ch <= "\u1c8f" or "\ua640" <= ch <= "\ua69f":
        return "cyrillic"
    if ch.isalpha():
        name = unicodedata.name(ch, "")
        if name.startswith("LATIN"):
            return "latin"
        if name.startswith("CYRILLIC"):
            return "cyrillic"
    return "other"


@lru_cache(maxsize=4096)
def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in SYMBOLS_IN_WORDS or unicodedata.combining(ch) != 0


@lru_cache(maxsize=65536)
def _normalise_cluster(chunk: str) -> str:
    """NFKC and case folding of one cluster, without format characters, ё read as е, _ as a space."""
    out = []
    for ch in unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", chunk).casefold()):
        if unicodedata.category(ch) == "Cf":  # zero-width joiners, soft hyphens, direction marks
            continue
        if ch == "ё":
            ch = "е"
        elif ch == "_" or ch.isspace():  # "#синий_кит" is "синий кит"
            ch = " "
        out.append(ch)
    return "".join(out)


_SIMPLE = str.maketrans({"ё": "е", "_": " ", **{chr(c): " " for c in range(0x3000) if chr(c).isspace()}})


# The steps of a pass work on the text and, beside it, the span of the original each character came from.
Spans = list[Span]


def _clusters(text: str) -> tuple[str, Spans]:
    """NFKC + case folding per character cluster (a base character and its combining marks)."""
    low = text.casefold()
    if (len(low) == len(text) and unicodedata.is_normalized("NFKC", low)  # one character for one: fast path
            and not any(unicodedata.category(ch) == "Cf" for ch in set(low))):
        return low.translate(_SIMPLE), [(i, i + 1) for i in range(len(text))]
    out: list[str] = []
    spans: Spans = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        chunk = _normalise_cluster(text[i:j])
        out.append(chunk)
        spans.extend([(i, j)] * len(chunk))
        i = j
    return "".join(out), spans


def _join_spelled(text: str, spans: Spans) -> tuple[str, Spans]:
    """Drop separators in a run of single letters: "с.о.б.а.ч.и.й", "d-o-g", "с о б а к а" → one word."""
    if not _MAYBE_SPELLED.search(text):
        return text, spans
    keep: list[int] = []
    i, n = 0, len(text)

    def single(k: int) -> bool:  # text[k] is a one-character word
        return (_is_word(text[k]) and (k == 0 or not _is_word(text[k - 1]))
                and (k + 1 >= n or not _is_word(text[k + 1])))

    while i < n:
        if single(i) and i + 2 < n and text[i + 1] in SPELLING_SEPARATORS:
            sep, k = text[i + 1], i
            while k + 2 < n and text[k + 1] == sep and single(k + 2):
                k += 2
            pieces = (k - i) // 2 + 1
            if pieces >= (4 if sep == " " else 3):
                keep.extend(range(i, k + 1, 2))
                i = k + 1
                continue
        keep.append(i)
        i += 1
    return "".join(text[k] for k in keep), [spans[k] for k in keep]


def _words(text: str, spans: Spans) -> tuple[str, Spans]:
    """Fold each word to one script (see ``_fold_word_text``); one character for one, so spans stay.

    Words never cross white space, so each white-space-separated token is folded on its own, once per
    process (tokens repeat across reports: the same words, the same hashtags)."""
    return "".join(_fold_token(token) for token in _SPACES.split(text)), spans


@lru_cache(maxsize=65536)
def _fold_token(token: str) -> str:
    out: list[str] = []
    word: list[str] = []
    for ch in token:
        if _is_word(ch):
            word.append(ch)
            continue
        if word:
            out.append(_fold_word_text("".join(word)))
            word = []
        out.append(ch)
    if word:
        out.append(_fold_word_text("".join(word)))
    return "".join(out)


@lru_cache(maxsize=65536)
def _fold_word_text(word: str) -> str:
    latin = cyrillic = latin_only = cyrillic_only = leet = 0
    for ch in word:
        s = script_of(ch)
        if s == "latin":
            latin += 1
            latin_only += ch not in LATIN_TO_CYRILLIC
        elif s == "cyrillic":
            cyrillic += 1
            cyrillic_only += ch not in CYRILLIC_TO_LATIN
        elif ch in LEET_LATIN or ch in LEET_CYRILLIC:
            leet += 1
    if latin_only != cyrillic_only:
        target = "latin" if latin_only > cyrillic_only else "cyrillic"
    else:
        target = "latin" if latin > cyrillic else "cyrillic" if cyrillic > latin else ""
    if not target:
        return word
    letters = latin + cyrillic
    homoglyphs, leets = (LATIN_TO_CYRILLIC, LEET_CYRILLIC) if target == "cyrillic" else (CYRILLIC_TO_LATIN, LEET_LATIN)
    out = []
    for pos, ch in enumerate(word):
        ch = homoglyphs.get(ch, ch)
        if letters > leet and (ch not in SYMBOLS_IN_WORDS or pos > 0):
            ch = leets.get(ch, ch)
        out.append(ch)
    return "".join(out)


def _collapse(text: str, spans: Spans) -> tuple[str, Spans]:
    """Runs of three or more of one letter become one letter; runs of spaces become one space."""
    if not _MAYBE_RUN.search(text):
        return text, spans
    out: list[str] = []
    out_spans: Spans = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        while j < n and text[j] == ch:
            j += 1
        if ch == " " or (ch.isalpha() and j - i >= 3):
            out.append(ch)
            out_spans.append((spans[i][0], spans[j - 1][1]))
        else:
            out.append(text[i:j])
            out_spans.extend(spans[i:j])
        i = j
    return "".join(out), out_spans


def _strip(text: str, spans: Spans) -> tuple[str, Spans]:
    start = len(text) - len(text.lstrip(" "))
    end = max(start, len(text.rstrip(" ")))
    return text[start:end], spans[start:end]


def _pass(text: str) -> tuple[str, Spans]:
    return _strip(*_collapse(*_words(*_join_spelled(*_clusters(text)))))


def fold_with_map(text: str) -> Folded:
    """Fold ``text`` and keep, for each folded character, the span of the original it came from."""
    folded, spans = _pass(text)
    for _ in range(MAX_PASSES):  # fold to a fixed point, so that fold(fold(x)) == fold(x)
        again, within = _pass(folded)
        if again == folded:
            break
        folded, spans = again, [(spans[s][0], spans[e - 1][1]) for s, e in within]
    return Folded(folded, tuple(spans))


def fold(text: str) -> str:
    """The form of ``text`` used for matching (see the module docstring)."""
    return fold_with_map(text).text
