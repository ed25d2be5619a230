"""Quality checks of a translation before it is approved.

Errors hold the approval back; warnings are shown to the reviewer. Checked: the glossary's terms in
the source have their preferred translation in the target (any inflection), no forbidden variant is
used, "do not translate" entries stay as they are; numbers (dates included), URLs, e-mail
addresses, hashtags, mentions and placeholders are preserved; nothing is left untranslated; the
channel's length limit is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .terms import PhraseSet, keys
from .vocab import CHANNEL_LIMITS

URL = re.compile(r"https?://[^\s<>\"']+|www\.[^\s<>\"']+")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
HASHTAG = re.compile(r"(?<![\w&])#\w+")
MENTION = re.compile(r"(?<![\w.])@\w{2,}")
PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}|\{\w*\}|%\(\w+\)[sdif]|%[sd]|\$\{\w+\}")
NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,:/]\d+)*")
CYRILLIC = re.compile(r"[а-яёіїєґўәғқңөұүһ]", re.IGNORECASE)
LATIN = re.compile(r"[a-z]", re.IGNORECASE)
CYRILLIC_LANGS = frozenset({"ru", "uk", "kk", "ky", "tg", "be"})


@dataclass(frozen=True)
class Problem:
    code: str  # glossary_term, forbidden_variant, do_not_translate, numbers, urls, hashtags, placeholders,
    #            untranslated, length
    severity: str  # error | warning
    detail: str


@dataclass(frozen=True)
class Entry:
    """A glossary entry as the checks need it."""

    concept: str
    variants: dict[str, dict[str, Any]]
    do_not_translate: bool = False

    def preferred(self, lang: str) -> str:
        return str(self.variants.get(lang, {}).get("preferred") or "")

    def forbidden(self, lang: str) -> list[str]:
        return [str(v) for v in self.variants.get(lang, {}).get("forbidden", []) if v]


@dataclass
class Glossary:
    """The glossary prepared for checking texts from ``source_lang`` into ``target_lang``."""

    entries: list[Entry]
    source_lang: str
    target_lang: str
    _source: PhraseSet = field(init=False)
    _target: dict[str, PhraseSet] = field(init=False)
    _forbidden: PhraseSet = field(init=False)
    _concept_of: dict[str, Entry] = field(init=False)

    def __post_init__(self) -> None:
        self._concept_of = {}
        for e in self.entries:
            for form in [e.preferred(self.source_lang), *e.forbidden(self.source_lang)]:
                if form:
                    self._concept_of[form] = e
            if e.do_not_translate:
                self._concept_of[e.concept] = e
        self._source = PhraseSet(self._concept_of, self.source_lang)
        self._target = {}
        self._forbidden = PhraseSet([f for e in self.entries for f in e.forbidden(self.target_lang)],
                                    self.target_lang)

    def hits(self, source: str) -> list[tuple[str, Entry]]:
        """(the form in the source, its entry) for each glossary term the source uses."""
        seen: dict[str, tuple[str, Entry]] = {}
        for f in self._source.find(source):
            entry = self._concept_of[f.phrase]
            seen.setdefault(entry.concept, (f.phrase, entry))
        return list(seen.values())

    def check(self, source: str, target: str) -> list[Problem]:
        problems = []
        target_keys = keys(target, self.target_lang)
        for form, entry in self.hits(source):
            if entry.do_not_translate:
                kept = entry.preferred(self.target_lang) or entry.concept
                if kept.lower() not in target.lower():
                    problems.append(Problem("do_not_translate", "error", kept))
                continue
            wanted = entry.preferred(self.target_lang)
            if not wanted:
                continue
            if wanted not in self._target:
                self._target[wanted] = PhraseSet([wanted], self.target_lang)
            if not self._target[wanted].find(target, text_keys=target_keys):
                problems.append(Problem("glossary_term", "error", f"{form} → {wanted}"))
        for f in self._forbidden.find(target, text_keys=target_keys):
            problems.append(Problem("forbidden_variant", "error", f.phrase))
        return problems


def _numbers(text: str) -> Counter[str]:
    return Counter(re.sub(r"\D", "", n) for n in NUMBER.findall(text))


def _kept(code: str, pattern: re.Pattern[str], source: str, target: str, *, fold: bool = False) -> list[Problem]:
    def found(text: str) -> Counter[str]:
        return Counter(m.lower().rstrip(".,;:!?)") if fold else m.rstrip(".,;:!?)") for m in pattern.findall(text))

    missing = found(source) - found(target)
    return [Problem(code, "error", ", ".join(sorted(missing)))] if missing else []


def run(source: str, target: str, *, source_lang: str, target_lang: str, glossary: Glossary | None = None,
        channel: str | None = None) -> list[Problem]:
    """Every problem of ``target`` as a translation of ``source``."""
    if not target.strip():
        return [Problem("untranslated", "error", "")]
    problems: list[Problem] = []
    if glossary is not None:
        problems += glossary.check(source, target)
    missing = _numbers(source) - _numbers(target)
    if missing:
        problems.append(Problem("numbers", "error", ", ".join(sorted(missing))))
    problems += _kept("urls", URL, source, target)
    problems += _kept("urls", EMAIL, source, target, fold=True)
    problems += _kept("hashtags", HASHTAG, source, target)
    problems += _kept("hashtags", MENTION, source, target)
    problems += _kept("placeholders", PLACEHOLDER, source, target)
    problems += _untranslated(source, target, source_lang, target_lang)
    limit = CHANNEL_LIMITS.get(channel or "")
    if limit is not None and len(target) > limit:
        problems.append(Problem("length", "error", f"{len(target)} > {limit}"))
    return problems


def _untranslated(source: str, target: str, source_lang: str, target_lang: str) -> list[Problem]:
    if source_lang != target_lang and " ".join(source.split()) == " ".join(target.split()):
        return [Problem("untranslated", "error", "")]
    if source_lang in CYRILLIC_LANGS and target_lang not in CYRILLIC_LANGS:
        stripped = HASHTAG.sub("", URL.sub("", target))
        letters = len(CYRILLIC.findall(stripped)) + len(LATIN.findall(stripped))
        if letters and len(CYRILLIC.findall(stripped)) / letters > 0.2:
            return [Problem("untranslated", "warning", "Cyrillic text left in the translation")]
    return []


def blocking(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
