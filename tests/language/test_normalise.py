"""Folding for matching, in every supported script, with adversarial spellings; transliteration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapidresponse.errors import ValidationFailed
from rapidresponse.language.normalise import fold, fold_with_map, transliterate


@pytest.mark.parametrize(("text", "folded"), [
    # case, NFKC (full-width, ligatures), ё, white space
    ("Синий  КИТ", "синий кит"), ("ｓｉｎｉｙ ｋｉｔ", "siniy kit"), ("ﬁre", "fire"), ("Ёлка", "елка"),
    # Latin↔Cyrillic homoglyphs: the word goes to the script most of its telling letters are in
    ("сhаllеngе", "challenge"), ("chаllеnge", "challenge"), ("синий кит", "синий кит"), ("cинийкит", "синийкит"),
    ("KИT", "кит"), ("тиxий дoм", "тихий дом"),
    # leetspeak read in the script of its word
    ("ch4ll3ng3", "challenge"), ("pr0$titute", "prostitute"), ("к0т", "кот"), ("3има", "зима"),
    ("4ай", "чай"), ("с@мый", "самый"), ("f57", "f57"), ("#f58", "#f58"), ("4:20", "4:20"),
    ("@user", "@user"), ("$5", "$5"),
    # repeated letters, separators inside words, invisible characters
    ("кааайф", "кайф"), ("Ооочень", "очень"), ("sooooo", "so"), ("касса", "касса"), ("1000", "1000"),
    ("с.о.б.а.ч.и.й кайф", "собачий кайф"), ("d-o-g", "dog"), ("с о б а ч и й", "собачий"),
    ("с*у*и*ц*и*д", "суицид"), ("соба\u200bчий", "собачий"), ("со\u00adбачий", "собачий"), ("#синий_кит", "#синий кит"),
    ("в 4:20 я", "в 4:20 я"),
    # Kazakh, Ukrainian, Uzbek letters survive
    ("КӨК КИТ", "көк кит"), ("Тыныш Үй", "тыныш үй"), ("Синій Кіт", "синій кіт"), ("Ғалаба", "ғалаба"),
    ("Oʻzbekiston", "oʻzbekiston"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_map_points_back_into_the_original() -> None:
    text = "Он  СИИИНИЙ   К.И.Т!"
    f = fold_with_map(text)
    assert f.text == "он синий кит!"
    start = f.text.index("синий")
    s, e = f.original_span(start, start + len("синий кит"))
    assert text[s:e] == "СИИИНИЙ   К.И.Т"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_is_idempotent_and_never_raises(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="аеорсхукмтнвіcaeopxykmthbi0134@$.-_ ё\u200bКАВ"))
def test_fold_idempotent_on_adversarial_alphabet(text: str) -> None:
    f = fold_with_map(text)
    assert fold(f.text) == f.text
    assert len(f.spans) == len(f.text)
    assert all(0 <= s < e <= len(text) for s, e in f.spans)


@pytest.mark.parametrize(("lang", "cyrillic", "latin"), [
    ("ru", "Разбуди меня, Щука Жора", "Razbudi menia, Shchuka Zhora"),
    ("ru", "Хабаровск и Цюрих", "Khabarovsk i Tsiurikh"),
    ("kk", "Қазақстан Республикасы", "Qazaqstan Respublikasy"),
    ("kk", "көк кит, ұлттық, ағаш", "kök kit, ūlttyq, ağaş"),
    ("uz", "Ўзбекистон ёшлари", "Oʻzbekiston yoshlari"),
    ("uz", "ғалаба, Ер, ҳаёт", "gʻalaba, Yer, hayot"),
])
def test_transliterate_both_ways(lang: str, cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, lang) == latin
    assert transliterate(latin, lang, to="cyrillic").lower() == cyrillic.lower()


def test_transliterate_bad_language() -> None:
    with pytest.raises(ValidationFailed, match="no transliteration for 'xx'"):
        transliterate("кит", "xx")


# Around the quick checks that let most texts skip the spelled-word and run steps: each of these has
# work for a step (or, next to it, none), and the fold must be what the full steps give.
@pytest.mark.parametrize(("text", "folded"), [
    ("(с.о.б.а.к.а)", "(собака)"), ("«к-а-й-ф»", "«кайф»"), ("с о б а к а", "собака"),
    ("дети и в школе", "дети и в школе"), ("а б в", "а б в"), ("a.b", "a.b"), ("a.b.c", "abc"),
    ("x.a.b.c", "xabc"), ("a.b.cd", "a.b.cd"), ("@с.о.б.а", "@с.оба"), ("с.о.б.а@", "соб.а@"), ("1.2.3", "123"),
    ("é.t.é", "été"), ("с~о~б~а", "соба"), ("с/о-б.а", "с/о-б.а"), ("кааайф", "кайф"), ("кааайф!!!", "кайф!!!"),
    ("a  b", "a b"), ("ааа", "а"), ("...", "..."),
])
def test_fold_near_the_quick_checks(text: str, folded: str) -> None:
    assert fold(text) == folded
    mapped = fold_with_map(text)
    assert mapped.text == folded and len(mapped.spans) == len(folded)
