"""Language identification: ``detect(text) -> Detection(lang, confidence, script)``.

Lingua (``lingua-language-detector``, models inside the wheel, nothing downloaded) decides among the
region's languages it knows; it is built once, on first use, behind a lock. Lingua has no Uzbek,
Kyrgyz or Tajik, so letters that only those alphabets use decide first: Tajik ӣ ӯ ҷ; Uzbek ў with
қ ғ ҳ and no Belarusian і; Kyrgyz ң ө ү without any of Kazakh ә ғ қ ұ һ і; Uzbek Latin oʻ gʻ. Such
a guess says how sure it is from how many telling letters it saw, never more than 0.95.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from lingua import LanguageDetector

# ISO 639-1 codes of the region's languages that lingua has (plus English and German, used at work).
# Low-accuracy mode (trigram models only): all of them preloaded take ~40 MB and ~2 s, where the
# full models take ~500 MB and 15-30 s, too slow for the first request of a process; it is less sure
# of texts under a few words, which is why detection reports its confidence.
LINGUA_LANGUAGES = ("ru", "uk", "be", "kk", "pl", "ro", "ka", "hy", "az", "en", "tr", "de", "bg", "lt", "lv",
                    "et", "mn")
FALLBACK_LANGUAGES = ("uz", "ky", "tg")
UNDETERMINED = "und"

TAJIK = frozenset("ӣӯҷ")
KAZAKH_ONLY = frozenset("әұһі")
KYRGYZ_SHARED = frozenset("ңөү")
UZBEK_CYR = frozenset("ўқғҳ")
UZBEK_LATIN = re.compile(r"[og][ʻʼ'‘`]", re.IGNORECASE)
UZBEK_WORDS = frozenset({"va", "bilan", "uchun", "emas", "ham", "edi", "kerak", "qilish", "yoʻq", "bu", "men",
                         "sen", "siz", "biz", "nima", "qanday", "yaxshi", "bolalar", "haqida", "lekin", "juda"})
TURKIC_LATIN = frozenset("şçğıəöü")
_TELLING = TAJIK | KAZAKH_ONLY | KYRGYZ_SHARED | UZBEK_CYR | TURKIC_LATIN | frozenset("ғқҳ")


class Detection(NamedTuple):
    lang: str  # ISO 639-1, or "und"
    confidence: float  # 0..1
    script: str  # cyrillic, latin, georgian, armenian, arabic, hebrew, other, none


_lock = threading.Lock()
_detector: LanguageDetector | None = None


def detector() -> LanguageDetector:
    """The lingua detector for the region's languages, built once per process (thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                         for code in LINGUA_LANGUAGES]
                _detector = (LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode()
                             .with_preloaded_language_models().build())
    return _detector


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for script in ("CYRILLIC", "LATIN", "GEORGIAN", "ARMENIAN", "ARABIC", "HEBREW"):
        if name.startswith(script):
            return script.lower()
    return "other"


def script_of_text(text: str) -> str:
    """The script most letters of ``text`` are in (``none`` without letters)."""
    counts = Counter(_script(ch) for ch in text if ch.isalpha())
    return counts.most_common(1)[0][0] if counts else "none"


_SCRIPT_LETTERS = (("cyrillic", re.compile(r"[\u0400-\u052f\u1c80-\u1c8f\ua640-\ua69f]")),
                   ("latin", re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")),
                   ("georgian", re.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf]")),
                   ("armenian", re.compile(r"[\u0531-\u0587]")))


def script_of_text_fast(text: str) -> str:
    """``script_of_text`` counted by regular expressions (C speed) for the scripts intake sees most;
    texts with letters of other scripts, or a tie, take the exact path."""
    counts = sorted(((len(rx.findall(text)), name) for name, rx in _SCRIPT_LETTERS), reverse=True)
    (top, name), (second, _) = counts[0], counts[1]
    if top == 0 or top == second or sum(c for c, _ in counts) != sum(1 for ch in text if ch.isalpha()):
        return script_of_text(text)
    return name


def _sure(telling: int) -> float:
    return round(min(0.95, 0.5 + 0.1 * telling), 2)


def _by_letters(text: str, script: str) -> Detection | None:
    """Uzbek, Kyrgyz and Tajik, which lingua does not know, from the letters only they use."""
    low = text.lower()
    letters = Counter(ch for ch in low if ch in _TELLING)  # only these letters are looked at below
    def count(chars: frozenset[str]) -> int:
        return sum(letters[c] for c in chars)

    if script == "cyrillic":
        if count(TAJIK):
            return Detection("tg", _sure(count(TAJIK) + count(frozenset("ғқҳ"))), script)
        if letters["ў"] and count(frozenset("қғҳ")) and not letters["і"]:
            return Detection("uz", _sure(count(UZBEK_CYR)), script)
        if letters["ў"] and not letters["і"] and not count(KAZAKH_ONLY | KYRGYZ_SHARED):
            return Detection("uz", _sure(count(UZBEK_CYR) - 1), script)  # ў alone: Uzbek or Belarusian
        if count(KYRGYZ_SHARED) and not count(KAZAKH_ONLY | frozenset("ғқ")):
            return Detection("ky", _sure(count(KYRGYZ_SHARED)), script)
    if script == "latin":
        marks = len(UZBEK_LATIN.findall(low))
        words = sum(1 for w in re.findall(r"[\w'ʻʼ‘`]+", low) if w in UZBEK_WORDS)
        if (marks or words >= 2) and not count(TURKIC_LATIN):
            return Detection("uz", _sure(marks + words), script)
    return None


def detect(text: str) -> Detection:
    """The language of ``text``, how sure that is, and its script."""
    script = script_of_text(text)
    if script == "none":
        return Detection(UNDETERMINED, 0.0, script)
    guess = _by_letters(text, script)
    if guess is not None:
        return guess
    values = detector().compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return Detection(UNDETERMINED, 0.0, script)
    top = values[0]
    return Detection(top.language.iso_code_639_1.name.lower(), round(float(top.value), 3), script)


# Scripts only one language of LINGUA_LANGUAGES is written in: no model needed.
SCRIPT_LANGUAGE = {"georgian": "ka", "armenian": "hy"}
MIN_LETTERS = 4  # "ок", "+1", "лол": too little to tell a language from
_CACHE_MAX = 50_000
_cache: dict[str, Detection] = {}


def _letters(text: str, at_least: int) -> bool:
    n = 0
    for ch in text:
        if ch.isalpha():
            n += 1
            if n >= at_least:
                return True
    return False


def detect_many(texts: list[str]) -> list[Detection]:
    """``detect`` for a batch, faster: scripts and letters that decide alone skip the model, texts
    under ``MIN_LETTERS`` letters are undetermined, repeated texts (copies of one viral message) are
    looked up once, and lingua scores the rest in one parallel call (its own threads, no GIL)."""
    out: list[Detection | None] = [None] * len(texts)
    ask: dict[str, list[int]] = {}
    scripts: dict[str, str] = {}
    for i, text in enumerate(texts):
        hit = _cache.get(text)
        if hit is not None:
            out[i] = hit
            continue
        script = scripts[text] = script_of_text_fast(text)
        if script == "none" or not _letters(text, MIN_LETTERS):
            out[i] = Detection(UNDETERMINED, 0.0, script)
        elif script in SCRIPT_LANGUAGE:
            out[i] = Detection(SCRIPT_LANGUAGE[script], 1.0, script)
        elif script not in ("cyrillic", "latin"):
            out[i] = Detection(UNDETERMINED, 0.0, script)
        elif (guess := _by_letters(text, script)) is not None:
            out[i] = guess
        else:
            ask.setdefault(text, []).append(i)
    if ask:
        unique = list(ask)
        scored = detector().compute_language_confidence_values_in_parallel(unique)
        if len(_cache) > _CACHE_MAX:
            _cache.clear()
        for text, values in zip(unique, scored, strict=True):
            script = scripts[text]
            if not values or values[0].value <= 0:
                found = Detection(UNDETERMINED, 0.0, script)
            else:
                found = Detection(values[0].language.iso_code_639_1.name.lower(), round(float(values[0].value), 3),
                                  script)
            _cache[text] = found
            for i in ask[text]:
                out[i] = found
    return [d if d is not None else Detection(UNDETERMINED, 0.0, "none") for d in out]
