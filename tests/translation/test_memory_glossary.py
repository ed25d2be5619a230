"""The translation memory (sentences, exact and fuzzy matches, the index against a full scan), the
glossary's checks with inflected Russian and Ukrainian forms, the other checks, and TMX/TBX round trips."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.errors import ValidationFailed
from rapidresponse.translation import checks, glossary, memory
from rapidresponse.translation.memory_index import MemoryIndex
from rapidresponse.translation.schemas import TermIn, VariantIn

HASH = TermIn(concept="hash", domain="product", definition="A fingerprint of a file used to find copies.",
              variants={"ru": VariantIn(preferred="хеш", forbidden=["хэш"]), "en": VariantIn(preferred="hash"),
                        "uk": VariantIn(preferred="геш", forbidden=["хеш"])})
TAKEDOWN = TermIn(concept="removal order", domain="legal",
                  variants={"ru": VariantIn(preferred="предписание об удалении"),
                            "en": VariantIn(preferred="removal order"),
                            "uk": VariantIn(preferred="розпорядження про видалення")})
BRAND = TermIn(concept="RapidResponse", domain="product", part_of_speech="proper_noun", do_not_translate=True)


def test_sentences_are_cut_the_russian_way() -> None:
    text = "Мы удалили 120 видео, т. е. почти все. Проверка продолжается.\nСм. также отчёт А. С. Петрова."
    assert memory.segment(text) == ["Мы удалили 120 видео, т. е. почти все.", "Проверка продолжается.",
                                    "См. также отчёт А. С. Петрова."]


def test_the_memory_offers_exact_and_fuzzy_matches_with_their_provenance(make_user: Callable[..., Actor]) -> None:
    reader = make_user("responder")
    with unit_of_work() as s:
        memory.add_approved(s, "ru", "en", "Мы удалили видео. Аккаунт заблокирован.",
                            "We removed the video. The account is blocked.", origin="request 7")
        memory.add_approved(s, "ru", "kk", "Мы удалили видео.", "Біз бейнені жойдық.", origin="request 8")
    with unit_of_work(read_only=True) as s:
        found = memory.search(s, reader, source_lang="ru", target_lang="en",
                              text="Мы удалили видео. Аккаунты заблокированы. Погода хорошая.")
    by_segment = {seg: hits for seg, hits in found}
    exact = by_segment["Мы удалили видео."][0]
    assert (exact[0].target_text, exact[1], exact[0].origin) == ("We removed the video.", 100.0, "request 7")
    fuzzy = by_segment["Аккаунты заблокированы."][0]
    assert fuzzy[0].target_text == "The account is blocked." and 70 <= fuzzy[1] < 100
    assert "Погода хорошая." not in by_segment


def test_the_index_finds_what_a_full_scan_finds() -> None:
    rng = random.Random(7)
    letters = "абвгдежзиклмнопрстуфхцчшыэюя"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 11))) for _ in range(3000)]
    segments = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 14))) for _ in range(20_000)]
    index = MemoryIndex(segments)
    agree = 0
    for _ in range(60):
        words = rng.choice(segments).split()
        words[rng.randrange(len(words))] = rng.choice(vocabulary)  # one word changed
        query = " ".join(words)
        scanned = [(h.position, h.score) for h in index.scan(query, limit=3)]
        indexed = [(h.position, h.score) for h in index.search(query, limit=3)]
        assert indexed and indexed[0][1] == scanned[0][1]  # the best score is always found
        agree += indexed == scanned
    assert agree >= 55


def _glossary(*terms: TermIn, source: str, target: str) -> checks.Glossary:
    entries = [checks.Entry(t.concept, {k: v.model_dump() for k, v in t.variants.items()}, t.do_not_translate)
               for t in terms]
    return checks.Glossary(entries, source, target)


def test_glossary_checks_see_inflected_russian_and_ukrainian_forms() -> None:
    ru_en = _glossary(HASH, TAKEDOWN, BRAND, source="ru", target="en")
    source = "Сверьте хешами все копии по предписаниям об удалении в RapidResponse."
    assert {c for _, c in [(f, e.concept) for f, e in ru_en.hits(source)]} == {"hash", "removal order",
                                                                               "RapidResponse"}
    assert ru_en.check(source, "Match all copies by hashes under removal orders in RapidResponse.") == []
    problems = {p.code: p.detail for p in ru_en.check(source, "Match all copies by fingerprints under "
                                                              "takedown orders in Rapid Response.")}
    assert set(problems) == {"glossary_term", "do_not_translate"}
    en_ru = _glossary(HASH, source="en", target="ru")
    found = en_ru.check("Compare the hashes.", "Сравните хэшами копии.")
    assert [(p.code, p.detail) for p in found] == [("glossary_term", "hash → хеш"), ("forbidden_variant", "хэш")]
    assert en_ru.check("Compare the hashes.", "Сравните хешей копии.") == []
    ru_uk = _glossary(HASH, TAKEDOWN, source="ru", target="uk")
    assert ru_uk.check("Получено предписание об удалении.", "Отримано розпорядженням про видалення.") == []
    assert [p.code for p in ru_uk.check("Проверьте хеш.", "Перевірте хешами.")] == ["glossary_term",
                                                                                     "forbidden_variant"]


def test_checks_keep_numbers_links_tags_placeholders_and_channel_limits() -> None:
    src = "До 05.12.2026 удалите 1 200 видео #скулшутинг @moder {name}: https://rr.example/a?b=1 и пишите на a@b.kz."
    good = "By 05.12.2026 remove 1,200 videos #скулшутинг @moder {name}: https://rr.example/a?b=1, write to a@b.kz."
    assert checks.run(src, good, source_lang="ru", target_lang="en") == []
    bad = "By 5 December remove the videos #schoolshooting {nom}: https://rr.example/a and write to us."
    codes = {p.code for p in checks.run(src, bad, source_lang="ru", target_lang="en")}
    assert codes == {"numbers", "urls", "hashtags", "placeholders"}
    assert [p.code for p in checks.run(src, src, source_lang="ru", target_lang="en")] == ["untranslated"]
    assert [p.code for p in checks.run(src, "", source_lang="ru", target_lang="en")] == ["untranslated"]
    assert [p.severity for p in checks.run("Привет мир", "Hello мир мир мир", source_lang="ru",
                                           target_lang="en")] == ["warning"]
    assert [p.code for p in checks.run("Коротко", "x" * 161, source_lang="ru", target_lang="en",
                                       channel="sms")] == ["length"]


def test_tmx_and_tbx_round_trip(make_user: Callable[..., Actor]) -> None:
    manager = make_user("policy")
    with unit_of_work() as s:
        for term in (HASH, TAKEDOWN, BRAND):
            glossary.save_term(s, manager, term)
        memory.add_approved(s, "ru", "en", "Видео удалено.", "The video was removed.", origin="request 1")
        memory.add_approved(s, "kk", "ru", "Бейне жойылды.", "Видео удалено.", origin="demo")
    with unit_of_work(read_only=True) as s:
        tbx, tmx = glossary.export_tbx(s, manager), memory.export_tmx(s, manager)
        before = [t.model_dump(exclude={"id"}) for t in glossary.list_terms(s, manager)]
        pairs = [(x.source_lang, x.target_lang, x.source_text, x.target_text, x.origin)
                 for x in memory.list_segments(s, manager)[0]]
    assert b"preferredTerm-admn-sts" in tbx and "Бейне жойылды.".encode() in tmx
    with unit_of_work() as s:
        for t in glossary.list_terms(s, manager):
            glossary.remove_term(s, manager, t.id)
        assert glossary.import_tbx(s, manager, tbx) == (3, 0)
        assert memory.import_tmx(s, manager, tmx) == 2
    with unit_of_work(read_only=True) as s:
        assert [t.model_dump(exclude={"id"}) for t in glossary.list_terms(s, manager)] == before
        again = [(x.source_lang, x.target_lang, x.source_text, x.target_text, x.origin)
                 for x in memory.list_segments(s, manager, limit=2)[0]]
    assert again == pairs
    for bad, match in ((b"<tmx><body>", "well-formed"), (b"<html/>", "not a TMX"),
                       (b'<!DOCTYPE x [<!ENTITY a "b">]><tmx/>', "DTD")):
        with unit_of_work() as s, pytest.raises(ValidationFailed, match=match):
            memory.import_tmx(s, manager, bad)
    with unit_of_work() as s, pytest.raises(ValidationFailed, match="not a TBX"):
        glossary.import_tbx(s, manager, tmx)
