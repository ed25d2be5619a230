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


def _clusters(text: str) -> list[tuple[str, Span]]:
    """NFKC + case folding per character cluster (a base character and its combining marks)."""
    low = text.casefold()
    if (len(low) == len(text) and unicodedata.is_normalized("NFKC", low)  # one character for one: fast path
            and not any(unicodedata.category(ch) == "Cf" for ch in set(low))):
        return [(ch, (i, i + 1)) for i, ch in enumerate(low.translate(_SIMPLE))]
    out: list[tuple[str, Span]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        span = (i, j)
        for ch in _normalise_cluster(text[i:j]):
            out.append((ch, span))
        i = j
    return out


def _join_spelled(chars: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    """Drop separators in a run of single letters: "с.о.б.а.ч.и.й", "d-o-g", "с о б а к а" → one word."""
    out: list[tuple[str, Span]] = []
    i, n = 0, len(chars)

    def single(k: int) -> bool:  # chars[k] is a one-character word
        return (_is_word(chars[k][0]) and (k == 0 or not _is_word(chars[k - 1][0]))
                and (k + 1 >= n or not _is_word(chars[k + 1][0])))

    while i < n:
        if single(i) and i + 2 < n and chars[i + 1][0] in SPELLING_SEPARATORS:
            sep, k = chars[i + 1][0], i
            while k + 2 < n and chars[k + 1][0] == sep and single(k + 2):
                k += 2
            pieces = (k - i) // 2 + 1
            if pieces >= (4 if sep == " " else 3):
                out.extend(chars[i:k + 1:2])
                i = k + 1
                continue
        out.append(chars[i])
        i += 1
    return out


def _fold_word(word: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    folded = _fold_word_text("".join(ch for ch, _ in word))  # one character for one: spans stay
    return [(ch, span) for ch, (_, span) in zip(folded, word, strict=True)]


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


def _words(chars: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    out: list[tuple[str, Span]] = []
    word: list[tuple[str, Span]] = []
    for item in chars:
        if _is_word(item[0]):
            word.append(item)
            continue
        if word:
            out.extend(_fold_word(word))
            word = []
        out.append(item)
    if word:
        out.extend(_fold_word(word))
    return out


def _collapse(chars: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    """Runs of three or more of one letter become one letter; runs of spaces become one space."""
    out: list[tuple[str, Span]] = []
    i, n = 0, len(chars)
    while i < n:
        ch, (start, end) = chars[i]
        j = i + 1
        while j < n and chars[j][0] == ch:
            end = chars[j][1][1]
            j += 1
        if ch == " " or (ch.isalpha() and j - i >= 3):
            out.append((ch, (start, end)))
        else:
            out.extend(chars[i:j])
        i = j
    return out


def _strip(chars: list[tuple[str, Span]]) -> list[tuple[str, Span]]:
    start, end = 0, len(chars)
    while start < end and chars[start][0] == " ":
        start += 1
    while end > start and chars[end - 1][0] == " ":
        end -= 1
    return chars[start:end]


def _pass(text: str) -> list[tuple[str, Span]]:
    return _strip(_collapse(_words(_join_spelled(_clusters(text)))))


def fold_with_map(text: str) -> Folded:
    """Fold ``text`` and keep, for each folded character, the span of the original it came from."""
    chars = _pass(text)
    for _ in range(MAX_PASSES):  # fold to a fixed point, so that fold(fold(x)) == fold(x)
        folded = "".join(ch for ch, _ in chars)
        again = _pass(folded)
        if "".join(ch for ch, _ in again) == folded:
            break
        chars = [(ch, (chars[s][1][0], chars[e - 1][1][1])) for ch, (s, e) in again]
    return Folded("".join(ch for ch, _ in chars), tuple(span for _, span in chars))


def fold(text: str) -> str:
    """The form of ``text`` used for matching (see the module docstring)."""
    return fold_with_map(text).text
