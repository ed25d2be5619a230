"""Cyrillic ↔ Latin for Russian, Kazakh and Uzbek.

- Russian: the ICAO Doc 9303 scheme used in Russian passports since 2014 (ж zh, х kh, ц ts, щ shch,
  ъ ie, ю iu, я ia), the spelling most people type when they write Russian in Latin letters.
- Kazakh: the Latin alphabet of 2021 (ә ä, ғ ğ, қ q, ң ñ, ө ö, ұ ū, ү ü, ш ş, і ı, и/й i).
- Uzbek: the official Latin alphabet (ў oʻ, қ q, ғ gʻ, ҳ h, ш sh, ч ch, ц ts, й y).

Latin → Cyrillic reads the longest Latin sequence first ("shch" before "sh" before "s"); letters
that two Cyrillic letters share (Kazakh ``h`` for х and һ) come back as the commoner one. Case is
kept: a capital becomes a capital (``Ж`` → ``Zh``).
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import ValidationFailed

RU = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
      "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
      "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y",
      "ь": "", "э": "e", "ю": "iu", "я": "ia"}
KK = {"а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io", "ж": "j",
      "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "ң": "ñ", "о": "o",
      "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "ū", "ү": "ü", "ф": "f", "х": "h",
      "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş", "щ": "şş", "ъ": "", "ы": "y", "і": "ı", "ь": "", "э": "e",
      "ю": "iu", "я": "ia"}
UZ = {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z", "и": "i",
      "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
      "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "ъ": "ʼ", "ь": "", "э": "e", "ю": "yu",
      "я": "ya", "ў": "oʻ", "қ": "q", "ғ": "gʻ", "ҳ": "h"}
# How Russian is commonly typed in Latin letters outside passports (й y, х h, я ya, ю yu, щ sch).
RU_INFORMAL = {**RU, "й": "y", "х": "h", "ъ": "", "ю": "yu", "я": "ya", "щ": "sch", "ё": "yo"}
TABLES = {"ru": RU, "kk": KK, "uz": UZ}
VARIANTS = {"ru": (RU, RU_INFORMAL), "uk": (RU_INFORMAL,), "kk": (KK,), "uz": (UZ,)}
# When two Cyrillic letters share a Latin spelling, the one read back.
PREFERRED = {"ru": {"e": "е", "i": "и"}, "kk": {"e": "е", "i": "и", "h": "х"}, "uz": {"e": "е"}}
UZ_E_AFTER = frozenset("аеёиоуэюяў")  # Uzbek е is "ye" at the start of a word and after a vowel


def _table(lang: str) -> dict[str, str]:
    try:
        return TABLES[lang]
    except KeyError:
        raise ValidationFailed(f"no transliteration for {lang!r}: use one of {', '.join(TABLES)}") from None


@lru_cache(maxsize=8)
def _reverse(lang: str) -> tuple[dict[str, str], int]:
    back: dict[str, str] = {}
    for cyr, lat in _table(lang).items():
        if lat and lat not in back:
            back[lat] = cyr
    back.update(PREFERRED.get(lang, {}))
    if lang == "uz":
        back["ye"] = "е"
    return back, max(len(k) for k in back)


def _cased(src: str, out: str) -> str:
    if not out or not src[:1].isupper():
        return out
    return out.upper() if len(src) > 1 and src.isupper() else out[:1].upper() + out[1:]


def to_latin(text: str, lang: str) -> str:
    table = _table(lang)
    out: list[str] = []
    for i, ch in enumerate(text):
        low = ch.lower()
        lat = table.get(low)
        if lat is None:
            out.append(ch)
            continue
        if lang == "uz" and low == "е" and (i == 0 or not text[i - 1].isalpha() or text[i - 1].lower() in UZ_E_AFTER):
            lat = "ye"
        out.append(_cased(ch, lat) if not (ch.isupper() and len(lat) > 1 and _next_upper(text, i)) else lat.upper())
    return "".join(out)


def _next_upper(text: str, i: int) -> bool:
    return i + 1 < len(text) and text[i + 1].isupper()


def to_cyrillic(text: str, lang: str) -> str:
    back, longest = _reverse(lang)
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        for size in range(min(longest, n - i), 0, -1):
            chunk = text[i:i + size]
            cyr = back.get(chunk.lower())
            if cyr is not None:
                out.append(cyr.upper() if chunk[:1].isupper() else cyr)
                i += size
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def transliterate(text: str, lang: str, *, to: str | None = None) -> str:
    """Write ``text`` of language ``lang`` (ru, kk, uz) in the ``to`` script (``latin`` or ``cyrillic``).

    Without ``to``, the text goes to the other script than most of its letters are in.
    """
    if to is None:
        cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
        lat = sum(1 for ch in text if ch.isalpha() and ch.isascii())
        to = "latin" if cyr >= lat else "cyrillic"
    if to == "latin":
        return to_latin(text, lang)
    if to == "cyrillic":
        return to_cyrillic(text, lang)
    raise ValidationFailed(f"no script {to!r}: use latin or cyrillic")


def latin_spellings(text: str, lang: str) -> set[str]:
    """The Latin spellings of a lower-case Cyrillic ``text`` people of ``lang`` commonly type."""
    out = set()
    for table in VARIANTS.get(lang, ()):
        out.add("".join(table.get(ch, ch) for ch in text))
    out.discard(text)
    return out
