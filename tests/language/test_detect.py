"""Language identification: lingua for the languages it has, telling letters for Uzbek, Kyrgyz, Tajik."""

from __future__ import annotations

import threading

import pytest

from rapidresponse.language import detect as detect_mod
from rapidresponse.language.detect import detect, detector


@pytest.mark.parametrize(("text", "lang", "script"), [
    ("Мне очень грустно сегодня, никто не пишет", "ru", "cyrillic"),
    ("Мені дуже сумно сьогодні, допоможіть", "uk", "cyrillic"),
    ("Сёння вельмі добрае надвор'е і сонца", "be", "cyrillic"),
    ("Бүгін ауа райы өте жақсы, балалар ойнап жүр", "kk", "cyrillic"),
    ("Dzisiaj jest bardzo ładna pogoda", "pl", "latin"),
    ("Astăzi vremea este foarte frumoasă", "ro", "latin"),
    ("Bu gün hava çox yaxşıdır", "az", "latin"),
    ("დღეს ძალიან კარგი ამინდია", "ka", "georgian"),
    ("Այսօր եղանակը շատ լավ է", "hy", "armenian"),
    ("the weather is very nice today", "en", "latin"),
    # not in lingua: decided by the letters only these alphabets have
    ("Ўзбекистон ёшлари ҳақида гапирамиз", "uz", "cyrillic"),
    ("Oʻzbekiston yoshlari haqida gapiramiz", "uz", "latin"),
    ("Бүгүн аба ырайы абдан жакшы, балдар ойноп жүрүшөт", "ky", "cyrillic"),
    ("Имрӯз ҳаво хеле хуб аст, бачаҳо бозӣ мекунанд", "tg", "cyrillic"),
])
def test_detect(text: str, lang: str, script: str) -> None:
    got = detect(text)
    assert (got.lang, got.script) == (lang, script)
    assert 0.0 < got.confidence <= 1.0


def test_fallback_confidence_is_honest() -> None:
    one = detect("ўй")  # a single telling letter: could be Belarusian ў too
    many = detect("Ўзбекистон ёшлари ҳақида ғалаба қилиш ҳақида")
    assert one.lang == "uz" and one.confidence <= 0.6
    assert many.lang == "uz" and one.confidence < many.confidence <= 0.95


def test_no_letters() -> None:
    assert detect("4:20 !!! 123") == ("und", 0.0, "none")
    assert detect("") == ("und", 0.0, "none")


def test_detector_is_built_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_mod, "_detector", None)
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(detector())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(d) for d in seen}) == 1
