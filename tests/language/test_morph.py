"""Word keys: inflections and the common transliteration schemes of a word give one key; different
words keep different keys; the matcher finds terms through them."""

from __future__ import annotations

import pytest

from rapidresponse.language import morph
from rapidresponse.language.matcher import Entry, Matcher, term_key
from rapidresponse.language.normalise import fold


def keys(text: str) -> str:
    return " ".join(morph.key(w) for w in fold(text).split())


@pytest.mark.parametrize("spelling", [
    "собачий кайф", "собачьего кайфа", "собачьим кайфом", "СОБАЧИЙ КАЙФ",
    "sobachij kajf",  # GOST 7.79 system B and informal (й j)
    "sobačij kajf",  # ISO 9 (č, j)
    "sobachiy kayf",  # BGN/PCGN (й y)
    "sobachii kaif",  # ICAO Doc 9303, Russian passports since 2014
    "sobachyi kaif", "sobachiy kaif",  # informal
])
def test_inflections_and_schemes_share_a_key(spelling: str) -> None:
    assert keys(spelling) == keys("собачий кайф")


@pytest.mark.parametrize(("a", "b"), [
    ("игра в обморок", "играем в обморок"), ("игра в обморок", "играли в обморок"),
    ("игра в обморок", "igraem v obmorok"),
    ("шкурка", "shkurka"), ("шкурка", "škurka"), ("щука", "shchuka"), ("щука", "schuka"), ("хохлы", "khokhly"),
    ("хохлы", "xoxly"), ("цифра", "tsifra"), ("цифра", "cifra"), ("закладки", "zakladki"), ("закладчиком", "закладчик"),
    ("колумбайн", "kolumbajn"), ("колумбайн", "kolumbayn"), ("скулшутинг", "skulshuting"),
    ("гра в непритомність", "гра в непритомності"), ("граємо", "гра"),  # Ukrainian, by rule without its dictionary
    ("ойын", "ойындар"), ("ойыны", "ойынын"), ("мектеп", "мектептерде"),  # Kazakh suffixes
    ("o'yin", "oʻyinlar"), ("choking game", "choking games"),
    ("синяя", "sinââ"), ("юла", "ûla"),  # ISO 9
    ("эхо", "ehkho"), ("тайная", "tajjnaja"),  # GOST 16876-71
])
def test_one_word_one_key(a: str, b: str) -> None:
    assert keys(a) == keys(b)


@pytest.mark.parametrize(("a", "b"), [
    ("кайф", "кафе"), ("кит", "кот"), ("игра", "игла"), ("обморок", "обморожение"), ("закладки", "заклады"),
])
def test_different_words_keep_different_keys(a: str, b: str) -> None:
    assert keys(a) != keys(b)


def test_the_matcher_reads_keys_and_maps_spans_back() -> None:
    entries = [Entry(term_id=1, term="игра в обморок", lexicon_id=1, harm="dangerous_challenge", language="ru"),
               Entry(term_id=2, term="собачий кайф", lexicon_id=1, harm="dangerous_challenge", language="ru"),
               Entry(term_id=3, term="f57", lexicon_id=2, harm="suicide_promotion", language="ru")]
    text = "Ребята, ИГРАЕМ в обморок! А вчера — sobachij kajf и #СобачийКайф, f57"
    found = Matcher(entries).scan(text)
    assert [(m.term_id, m.text) for m in found] == [(1, "ИГРАЕМ в обморок"), (2, "sobachij kajf"),
                                                     (2, "#СобачийКайф"), (3, "f57")]
    assert [(m.term_id, m.text) for m in Matcher(entries, morphology=False).scan(text)] == [
        (2, "#СобачийКайф"), (3, "f57")]
    # short terms are matched as written only: "f57" does not match "f5", «ана» would not match «аны»
    assert Matcher(entries).scan("f5 f570") == []
    assert term_key("собачий кайф") == term_key("собачьего кайфа") == term_key("sobachiy kayf")


def test_skeleton_and_script() -> None:
    assert morph.skeleton(fold("Дети снимают собачий кайф")) == morph.skeleton(fold("Deti snimayut sobachij kajf"))
    assert morph.script("sobachij kajf") == "latin" and morph.script("собачий кайф") == "cyrillic"
    assert morph.script("🐋 4:20") == "other"


def test_a_first_person_term_keeps_its_person() -> None:
    entries = [Entry(term_id=1, term="режу руки", lexicon_id=1, harm="self_injury", language="ru"),
               Entry(term_id=2, term="ріжу руки", lexicon_id=2, harm="self_injury", language="uk")]
    matcher = Matcher(entries)
    assert [m.term_id for m in matcher.scan("опять режу руки")] == [1]
    assert [m.term_id for m in matcher.scan("мы режем руки вместе")] == [1]  # first person, plural
    assert matcher.scan("подруга режет руки, как ей помочь?") == []  # help-seeking: third person
    assert [m.term_id for m in matcher.scan("знову ріжу руки")] == [2]
    assert matcher.scan("подруга ріже руки, як допомогти?") == []
