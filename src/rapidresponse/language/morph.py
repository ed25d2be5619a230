"""Word keys: one form for the inflections and the Latin spellings of a word, for lexicon matching.

``key(word)`` takes a word already folded (``normalise.fold``: lower case, one script, leetspeak read)
and returns the form the matcher compares, so that «играем», «игра» and "igraem" meet, and so do
«собачий», «собачьего» and "sobachij", "sobachiy", "sobačij":

1. **Latin words** are read in the common transliteration schemes of Russian, Ukrainian, Kazakh and
   Uzbek (GOST 7.79 and 16876-71, ISO 9, BGN/PCGN, ICAO, the Kazakh 2021 and Uzbek Latin alphabets,
   informal chat spelling). A word that reads back (``READINGS``) to a Russian word the dictionary
   knows ("khokhly", "xoxly": «хохлы») goes on as that word; otherwise the multi-letter spellings are
   reduced to one skeleton (``shch``, ``sch``, ``shh``, ``š`` → ``sh``; ``kh``, ``x`` → ``h``; ``ts``,
   ``tc``, ``cz`` → ``c``; ``j``, ``y`` → ``i``; ``q`` → ``k``; ``oʻ`` → ``u``; marks and apostrophes
   dropped), English endings are stemmed (snowball), and the skeleton is read back in Cyrillic to go
   through step 2.
2. **Cyrillic words** are brought to a stem:
   - with a Kazakh, Kyrgyz, Uzbek or Tajik letter (ә ғ қ ң ө ұ ү һ ҳ ӣ ӯ ҷ): Turkic and Tajik suffixes
     (plural, case, possessive: «-лар», «-дың», «-ға», «-ҳо», …) are stripped by rule;
   - with a Ukrainian or Belarusian letter (і ї є ґ): the Ukrainian lemma when the optional
     Ukrainian dictionary of pymorphy3 is installed, else the Ukrainian endings stripped by rule
     (``UK_ENDINGS``); then the Russian snowball stemmer (the other endings overlap);
   - otherwise Russian: the lemma from pymorphy3's dictionary, then the Russian snowball stemmer; a
     word the dictionary does not know (slang such as «колумбайнеры», or Kazakh without a letter of
     its own, «ойынын», «мектептерде») gets the shorter of its Turkic stem and the Turkic stem of its
     snowball stem.
   A final vowel is dropped from stems of four letters or more («игр» for «игра» and «играть»).
3. The stem is written in the same Latin skeleton, doubled letters collapsed, so the Cyrillic and the
   Latin spellings of one word give one key.

``persons(word)`` gives the grammatical persons of a finite verb, so that the matcher can keep a
first-person term («режу руки») from matching a third-person text («подруга режет руки»).

Keys are cached per word (an LRU of ``CACHE`` words): texts repeat their words, so a scan looks up far
more keys than it computes. A key is a lossy form: two different words can share it («китай» and
«кита»), which is why the matcher uses keys for terms of five letters or more only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import snowballstemmer

CACHE = 200_000

TURKIC = frozenset("әғқңөұүһҳӣӯҷ")
EAST_SLAVIC = frozenset("іїєґ")
TURKIC_LATIN_LETTERS = frozenset("qğöüşıäñū")  # Kazakh 2021 and Uzbek Latin letters
TURKIC_LATIN_PAIRS = ("oʻ", "o'", "o‘", "o’", "gʻ", "g'", "g‘", "g’")
LATIN_MARKED = frozenset("šžčŝçğöüşıäñūëèéêìíḩâû")

SKELETON_CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "ғ": "g", "д": "d", "е": "e", "є": "e", "э": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "ї": "i", "ы": "i", "ӣ": "i", "ј": "i", "к": "k", "қ": "k",
    "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "ѕ": "s", "т": "t",
    "у": "u", "ұ": "u", "ү": "u", "ў": "u", "ӯ": "u", "ф": "f", "х": "h", "ҳ": "h", "һ": "h", "ц": "c", "ч": "ch",
    "ҷ": "zh", "ш": "sh", "щ": "sh", "ъ": "", "ь": "", "ю": "iu", "я": "ia",
}
# Latin spellings, longest first: one regular expression picks the longest at each position.
SKELETON_LATIN = {
    "shch": "sh", "šč": "sh", "sch": "sh", "shh": "sh", "ŝ": "sh", "š": "sh", "ş": "sh", "sh": "sh",
    "tsch": "ch", "ch": "ch", "č": "ch", "ç": "ch",
    "zh": "zh", "ž": "zh",
    "kh": "h", "x": "h", "ḩ": "h",
    "ts": "c", "tc": "c", "cz": "c",
    "oʻ": "u", "o'": "u", "o‘": "u", "o’": "u", "o`": "u", "gʻ": "g", "g'": "g", "g‘": "g", "g’": "g", "g`": "g",
    "ya": "ia", "ja": "ia", "yu": "iu", "ju": "iu", "yo": "io", "jo": "io", "ye": "ie", "je": "ie",
    "y": "i", "j": "i", "ı": "i", "ì": "i", "í": "i", "q": "k", "ğ": "g", "ö": "o", "ü": "u", "ū": "u", "ä": "a",
    "ë": "e", "è": "e", "é": "e", "ê": "e", "ñ": "n", "w": "v",
    "â": "ia", "û": "iu", "eh": "e", "ʹ": "", "ʺ": "",  # ISO 9 я, ю; GOST 16876-71 э; ISO 9 ь, ъ
    "'": "", "`": "", "ʼ": "", "ʻ": "", "‘": "", "’": "", '"': "",
}
_LATIN_RE = re.compile("|".join(re.escape(k) for k in sorted(SKELETON_LATIN, key=len, reverse=True)))
# The skeleton read back in Cyrillic (so that Latin-typed Russian meets the Russian stemmer).
UNSKELETON = {"ia": "я", "iu": "ю", "io": "е", "ie": "е", "zh": "ж", "ch": "ч", "sh": "ш", "a": "а", "b": "б",
              "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и", "k": "к", "l": "л", "m": "м", "n": "н",
              "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "c": "ц"}
_UNSKELETON_RE = re.compile("|".join(sorted(UNSKELETON, key=len, reverse=True)))
# Turkic (kk, ky, uz) and Tajik suffixes, in the skeleton: stripped longest first, up to three times.
SUFFIXES = tuple(sorted({
    "lar", "ler", "lor", "dar", "der", "dor", "tar", "ter", "tor", "ho", "on",
    "din", "nin", "tin", "dun", "nun", "tun", "ning",
    "ga", "ge", "ka", "ke", "go", "ko", "na", "ne", "ro",
    "da", "de", "ta", "te", "do", "to", "dan", "den", "tan", "ten", "nan", "nen", "don", "ton", "non",
    "di", "ti", "ni", "du", "tu", "nu", "si", "su", "mi", "ingiz", "imiz", "iniz",
    "men", "ben", "pen", "im", "in", "ing", "iz", "ip", "ib", "ish", "gan", "gen", "kan", "ken",
}, key=len, reverse=True))
# Ukrainian and Belarusian write the preposition «в» as «у» (and «ў») after a vowel: one key for both.
PREPOSITIONS = {"у": "v", "ў": "v", "в": "v", "v": "v"}
# Ukrainian (and Belarusian) endings with a letter Russian does not have, stripped when no Ukrainian
# dictionary is installed: verb persons, genitive plurals, instrumental and dative forms.
UK_ENDINGS = tuple(sorted({"ємо", "єте", "ють", "їть", "ів", "їв", "ові", "еві", "ії", "ій", "ість", "істю",
                           "ості", "ці", "ні", "ті", "ші", "ей", "іх", "ім", "ою", "ею"},
                          key=len, reverse=True))
VOWELS = frozenset("аеиоуыэюяaeiou")
_MARKS = re.compile("[\u0300-\u036f]")
_DOUBLES = re.compile(r"([a-z])\1+")

_ru_stemmer = snowballstemmer.stemmer("russian")
_en_stemmer = snowballstemmer.stemmer("english")


@lru_cache(maxsize=1)
def _analyzers() -> dict[str, Any]:
    """pymorphy3's analysers: Russian only. Its Ukrainian dictionary is GPL-3.0 data, which this
    Apache-2.0 product does not use: Ukrainian endings are stripped by rule."""
    import pymorphy3

    return {"ru": pymorphy3.MorphAnalyzer(lang="ru")}


def skeleton_cyrillic(word: str) -> str:
    return _DOUBLES.sub(r"\1", "".join(SKELETON_CYRILLIC.get(ch, ch) for ch in word))


def skeleton_latin(word: str) -> str:
    return _DOUBLES.sub(r"\1", _LATIN_RE.sub(lambda m: SKELETON_LATIN[m.group(0)], word))


def _drop_vowel(stem: str) -> str:
    return stem[:-1] if len(stem) >= 4 and stem[-1] in VOWELS else stem


def _strip(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def _turkic(skeleton: str) -> str:
    out = skeleton
    for _ in range(3):
        for suffix in SUFFIXES:
            if out.endswith(suffix) and len(out) - len(suffix) >= 3:
                out = out[:-len(suffix)]
                break
        else:
            break
    return _drop_vowel(out)


_UK_AS_RU = str.maketrans({"і": "и", "ї": "и", "є": "е", "ґ": "г", "ў": "у"})


NAMES = frozenset({"Surn", "Name", "Patr", "Geox", "Orgn"})


def _lemma(word: str) -> str | None:
    """The Russian dictionary's lemma of ``word`` (common nouns before names), or None when the
    dictionary does not know the word (its guesses for unknown words are left alone: a guessed verb
    lemma for «скулшутер» would split one slang word into two keys)."""
    analyzer = _analyzers()["ru"]
    if not analyzer.word_is_known(word):
        return None
    parses = analyzer.parse(word)
    best = next((p for p in parses if not (NAMES & set(p.tag.grammemes))), parses[0])
    return str(best.normal_form).replace("ё", "е")


def _cyrillic_key(word: str) -> str:
    letters = set(word)
    if letters & TURKIC:
        return _turkic(skeleton_cyrillic(word))
    known = False
    if letters & EAST_SLAVIC:
        # Ukrainian and Belarusian endings by rule; the Russian stemmer does the rest
        word = _strip(word, UK_ENDINGS).translate(_UK_AS_RU)
    elif (lemma := _lemma(word)) is not None:
        word, known = lemma, True
    stem = skeleton_cyrillic(_drop_vowel(_ru_stemmer.stemWord(word)))
    if not known:  # a word no Russian dictionary knows may be Kazakh or Kyrgyz without a letter of its own
        # («ойынын», «мектептерде»): the shorter of its Turkic stem and the Turkic stem of its Russian stem
        stem = min(_turkic(stem), _turkic(skeleton_cyrillic(word)), key=lambda k: (len(k), k))
    return _en_stemmer.stemWord(_DOUBLES.sub(r"\1", stem))


# Latin spellings of Russian letters in the schemes people use, longest first, each with the Cyrillic
# readings to try (the commonest first): "y" is ы in "khokhly" and й in "sobachiy".
READINGS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",), "sch": ("щ", "сч"), "shh": ("щ",), "zh": ("ж",), "kh": ("х",), "ch": ("ч",), "sh": ("ш",),
    "ts": ("ц", "тс"), "tc": ("ц",), "cz": ("ц",), "ya": ("я",), "ja": ("я",), "ia": ("я", "ия"), "yu": ("ю",),
    "ju": ("ю",), "iu": ("ю", "ию"), "yo": ("ё", "йо"), "jo": ("ё",), "ye": ("е", "ье"), "je": ("е",),
    "a": ("а",), "b": ("б",), "v": ("в",), "g": ("г",), "d": ("д",), "e": ("е", "э"), "z": ("з",), "i": ("и", "й"),
    "j": ("й", "ж"), "k": ("к",), "l": ("л",), "m": ("м",), "n": ("н",), "o": ("о",), "p": ("п",), "r": ("р",),
    "s": ("с",), "t": ("т",), "u": ("у",), "f": ("ф",), "h": ("х",), "c": ("ц", "к"), "x": ("х", "кс"),
    "y": ("ы", "й", "и"), "w": ("в",), "q": ("к",), "'": ("ь", "ъ"), "č": ("ч",), "š": ("ш",), "ž": ("ж",),
    "ŝ": ("щ",), "ë": ("ё",), "è": ("э",), "é": ("е",), "â": ("я",), "û": ("ю",), "eh": ("э", "ех"),
    "ʹ": ("ь",), "ʺ": ("ъ",), "jj": ("й",),
}
_READING_RE = re.compile("|".join(re.escape(k) for k in sorted(READINGS, key=len, reverse=True)) + "|.")
MAX_READINGS = 32


def _known_reading(word: str) -> str | None:
    """The first Cyrillic reading of a Latin ``word`` that the Russian dictionary knows, if any (at most
    ``MAX_READINGS`` are tried)."""
    readings = [""]
    for piece in _READING_RE.findall(word):
        options = READINGS.get(piece)
        if options is None:
            return None  # not a Russian transliteration (a digit, a letter of another alphabet)
        readings = [r + o for r in readings for o in options][:MAX_READINGS]
    analyzer = _analyzers()["ru"]
    return next((r for r in readings if len(r) > 2 and analyzer.word_is_known(r)), None)


@lru_cache(maxsize=CACHE)
def key(word: str) -> str:
    """The matching key of one folded word (see the module docstring)."""
    if not word or word.isdigit():
        return word
    if word in PREPOSITIONS:
        return PREPOSITIONS[word]
    if _MARKS.search(word):  # stress marks («кита́йская»)
        word = _MARKS.sub("", word)
    if any("a" <= ch <= "z" or ch in LATIN_MARKED for ch in word):
        if any(ch in TURKIC_LATIN_LETTERS for ch in word) or any(m in word for m in TURKIC_LATIN_PAIRS):
            return _turkic(skeleton_latin(word))
        reading = _known_reading(word)
        if reading is not None:  # Russian typed in Latin letters, read back to a word the dictionary knows
            return _cyrillic_key(reading)
        stemmed = _en_stemmer.stemWord(word) if word.isascii() and len(word) > 4 else word
        cyrillic = _UNSKELETON_RE.sub(lambda m: UNSKELETON[m.group(0)], skeleton_latin(stemmed))
        if not any("a" <= ch <= "z" for ch in cyrillic):
            return _cyrillic_key(cyrillic)
        return _en_stemmer.stemWord(skeleton_latin(stemmed))
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        return _cyrillic_key(word)
    return word


_LETTER_RUNS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=CACHE)
def _skeleton_word(word: str) -> str:
    if any("\u0400" <= ch <= "\u04ff" for ch in word):
        return skeleton_cyrillic(_MARKS.sub("", word))
    if any("a" <= ch <= "z" or ch in LATIN_MARKED for ch in word):
        return skeleton_latin(word)
    return word


def skeleton(folded: str) -> str:
    """A folded text with every word in the Latin skeleton (not stemmed): «собачий кайф челлендж» and
    "sobachij kajf chellendzh" come out alike. Near-duplicate clustering compares texts in this form."""
    return _LETTER_RUNS.sub(lambda m: _skeleton_word(m.group(0)), folded)


def script(text: str) -> str:
    """``cyrillic``, ``latin`` or ``other``: the script most letters of ``text`` are in."""
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u052f")
    latin = sum(1 for ch in text if ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f"))
    if not cyrillic and not latin:
        return "other"
    return "cyrillic" if cyrillic >= latin else "latin"


UK_PERSONS = ((("ємо", "емо", "имо", "їмо"), "1per"), (("єте", "ете", "ите", "їте"), "2per"),
              (("уть", "ють", "ать", "ять"), "3per"), (("у", "ю"), "1per"), (("еш", "єш", "иш", "їш"), "2per"),
              (("е", "є", "ить", "їть"), "3per"))


@lru_cache(maxsize=CACHE)
def persons(word: str) -> frozenset[str]:
    """The grammatical persons a Russian word can have as a finite verb («режу»: 1per; «режет»: 3per;
    a noun or an unknown word: none). A first-person term («режу руки», a disclosure) should not match
    a third-person text («подруга режет руки», help-seeking) although their keys are one."""
    if set(word) & EAST_SLAVIC:  # Ukrainian (no dictionary needed): the person endings of the present tense
        for endings, person in UK_PERSONS:
            if word.endswith(endings) and len(word) > 3:
                return frozenset({person})
        return frozenset()
    if not any("\u0400" <= ch <= "\u04ff" for ch in word) or not _analyzers()["ru"].word_is_known(word):
        return frozenset()
    return frozenset(str(p.tag.person) for p in _analyzers()["ru"].parse(word)
                     if p.tag.POS == "VERB" and p.tag.person)
