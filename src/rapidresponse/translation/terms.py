"""Glossary terms found in a text whatever their inflection.

Each word is brought to a key in its language. Russian: pymorphy3's lemma of a word its dictionary
knows (the word itself otherwise), then the snowball stem, so that «хешей», «хешами» and «хеш» meet,
and so do the unknown «хэшами» and «хэш». Ukrainian: pymorphy3's Ukrainian dictionary when it is
installed, else the Ukrainian case and number endings stripped by rule. English: the snowball stem.
Other languages: lower case. A term of several words matches the same keys in a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

WORD = re.compile(r"[\w'’-]+", re.UNICODE)
UK_ENDINGS = tuple(sorted(("ами", "ями", "ові", "еві", "єві", "ого", "ому", "ими", "іми", "ових", "ах", "ях", "ам",
                           "ям", "ом", "ем", "єм", "ою", "ею", "єю", "ів", "їв", "ий", "ій", "ої", "их", "ім",
                           "а", "я", "у", "ю", "і", "и", "о", "е", "ь", "ї"), key=len, reverse=True))


@cache
def _analyzer(lang: str) -> Any:
    import pymorphy3

    try:
        return pymorphy3.MorphAnalyzer(lang=lang)
    except (ValueError, ImportError, OSError):  # that language's dictionary is not installed
        return None


@cache
def _stemmer(lang: str) -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer(lang)


def _uk_rule(word: str) -> str:
    for ending in UK_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


@lru_cache(maxsize=100_000)
def key(word: str, lang: str) -> str:
    """The form of ``word`` (lower case) that all its inflections share in ``lang``."""
    w = word.lower().replace("ё", "е")
    if lang in ("ru", "uk", "be") and re.search(r"[а-яіїєґў]", w):
        morph = _analyzer("uk" if lang == "uk" else "ru")
        if lang == "uk" and morph is None:
            return _uk_rule(w)
        if morph is not None:
            base = str(morph.parse(w)[0].normal_form) if morph.word_is_known(w) else w
            return str(_stemmer("russian").stemWord(base.replace("ё", "е")))
    if lang == "en" and w.isascii():
        return str(_stemmer("english").stemWord(w))
    return w


def keys(text: str, lang: str) -> list[str]:
    return [key(w, lang) for w in WORD.findall(text)]


@dataclass(frozen=True)
class Found:
    phrase: str  # the glossary form that matched
    start: int  # word position in the text
    length: int  # words


class PhraseSet:
    """Phrases of one language, found in texts by their keys (inflected forms included)."""

    def __init__(self, phrases: Iterable[str], lang: str) -> None:
        self.lang = lang
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase in phrases:
            k = tuple(keys(phrase, lang))
            if k:
                self._by_first.setdefault(k[0], []).append((k, phrase))
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def find(self, text: str, *, text_keys: list[str] | None = None) -> list[Found]:
        ks = text_keys if text_keys is not None else keys(text, self.lang)
        out = []
        for i, k in enumerate(ks):
            for phrase_keys, phrase in self._by_first.get(k, ()):
                if tuple(ks[i:i + len(phrase_keys)]) == phrase_keys:
                    out.append(Found(phrase, i, len(phrase_keys)))
                    break
        return out

    def contains(self, text: str) -> bool:
        return bool(self.find(text))
