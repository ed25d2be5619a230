"""Reply letters per regulator: every letter carries the legal entity, the outgoing number from the
register, the date, the addressee (organisation first, never twice), the time as people write it, the
attachments and the signatory, in Russian and English (and the regulator's own language)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from rapidresponse import policy
from rapidresponse.auth import Actor
from rapidresponse.db import unit_of_work
from rapidresponse.requests import outgoing, replies
from rapidresponse.requests import service as requests
from rapidresponse.requests.models import RegulatorRequest
from rapidresponse.requests.schemas import OutcomeIn, RequestOut

MakeRequest = Callable[..., RequestOut]
REGULATORS: dict[str, dict[str, Any]] = {
    "roskomnadzor": {"country": "RU", "regulator": "rkn", "language": "ru", "reference": "ЕР-15.1/2026-88412",
                     "sender": "Роскомнадзор, Управление контроля и надзора в сфере электронных коммуникаций",
                     "legal_basis": "149-ФЗ, ст. 15.1"},
    "kz_ministry": {"country": "KZ", "regulator": "mci", "language": "kk", "reference": "01-12/345",
                    "sender": "Министерство культуры и информации РК", "legal_basis": "Закон № 18-VIII, ст. 9(4)(2)"},
    "uz_regulator": {"country": "UZ", "regulator": "uzkomnazorat", "language": "uz", "reference": "17/2231",
                     "sender": "Oʻzkomnazorat", "legal_basis": "Law on Informatization"},
    "ua_national_council": {"country": "UA", "regulator": "national_council", "language": "uk",
                            "reference": "НР-0042", "sender": "Відділ моніторингу платформ",
                            "legal_basis": "Закон України «Про медіа»"},
    "dsa_coordinator": {"country": "EE", "regulator": "ttja", "language": "et", "reference": "TTJA-7/2026",
                        "sender": "TTJA", "legal_basis": "DSA Art. 9"},
}
# (organisation line, then what must follow it) for ru and en
ADDRESSEE = {
    "roskomnadzor": {"ru": ("Федеральная служба по надзору в сфере связи", "Управление контроля и надзора"),
                     "en": ("Federal Service for Supervision of Communications", "Управление контроля и надзора")},
    "kz_ministry": {"ru": ("Министерство культуры и информации Республики Казахстан", None),
                    "en": ("Ministry of Culture and Information of the Republic of Kazakhstan", None)},
    "uz_regulator": {"ru": ("Инспекция по контролю в сфере информатизации и телекоммуникаций", None),
                     "en": ("Inspection for Control in the Field of Informatization", None)},
    "ua_national_council": {"ru": ("Национальный совет Украины по вопросам телевидения", "Відділ моніторингу"),
                            "en": ("National Council of Television and Radio Broadcasting", "Відділ моніторингу")},
    "dsa_coordinator": {"ru": ("Департамент защиты прав потребителей и технического надзора", None),
                        "en": ("Consumer Protection and Technical Regulatory Authority", None)},
}
ZONE = {"RU": ("10.03.2026 12:00 МСК", "10.03.2026 12:00 (Moscow time)"),
        "KZ": ("10.03.2026 14:00 (время Астаны)", "10.03.2026 14:00 (Astana time)"),
        "UZ": ("10.03.2026 14:00 (время Ташкента)", "10.03.2026 14:00 (Tashkent time)"),
        "UA": ("10.03.2026 11:00 (время Киева)", "10.03.2026 11:00 (Kyiv time)"),
        "EE": ("10.03.2026 11:00 EET", "10.03.2026 11:00 EET")}
SUBJECT = {"roskomnadzor": ("О принятых мерах по требованию Роскомнадзора", "Roskomnadzor's demand"),
           "kz_ministry": ("подпунктом 2) пункта 4 статьи 9", "Art. 9(4)(2)"),
           "uz_regulator": ("Республики Узбекистан", "Republic of Uzbekistan"),
           "ua_national_council": ("Законом Украины «О медиа»", 'Law of Ukraine "On Media"'),
           "dsa_coordinator": ("статьи 9 Регламента (ЕС) 2022/2065", "Article 9 of Regulation (EU) 2022/2065")}
PARTS = {  # what every letter in the language carries, from the settings
    "ru": ("Компания «Экзампл Платформ Б.В.»", "г. Амстердам", "Исх. № TS-0001/2026 от 12.03.2026",
           "Приложение:\n1. Копия доверенности подписанта", "Руководитель службы Trust & Safety", "А. С. Петрова",
           "Доступ ограничен на территории", "На рассмотрении."),
    "en": ("Example Platform B.V.", "Amsterdam", "Our ref.: TS-0001/2026", "Date: 12.03.2026",
           "Attachments:\n1. Power of attorney of the signatory (copy)", "Head of Trust & Safety", "A. S. Petrova",
           "Access restricted in", "Under review."),
}
RECEIVED = "2026-03-10T09:00:00+00:00"
DRAFTED = datetime.fromisoformat("2026-03-12T08:00:00+00:00")


def _letter(make_request: MakeRequest, legal: Actor, kind: str) -> tuple[int, str]:
    out = make_request(legal, received_at=RECEIVED, items=["https://video.example/a", "vid:42"],
                       **REGULATORS[kind])
    with unit_of_work() as s:
        requests.set_outcome(s, legal, out.id, out.items[0].id, OutcomeIn(outcome="restricted_in_country"))
        return out.id, replies.draft(s, legal, out.id).body


def _render(request_id: int, lang: str) -> str:
    with unit_of_work(read_only=True) as s:
        req = s.get(RegulatorRequest, request_id)
        assert req is not None
        number = outgoing.for_request(s, request_id)
        assert number is not None
        return replies.render_letter(req, requests.items(s, req), lang, policy.get_country(req.country, s),
                                     number=number.number, dated=number.issued_at)


@pytest.mark.parametrize("kind", list(REGULATORS))
def test_each_regulator_gets_its_letter_with_every_required_part(fake_clock: Any, make_user: Callable[..., Actor],
                                                                 make_request: MakeRequest, kind: str) -> None:
    fake_clock.now = DRAFTED
    legal = make_user("legal")
    rid, body = _letter(make_request, legal, kind)
    assert replies.letter_kind(REGULATORS[kind]["country"], policy.get_country(REGULATORS[kind]["country"])) == kind
    for lang, zone_text in zip(("ru", "en"), ZONE[REGULATORS[kind]["country"]], strict=True):
        text = _render(rid, lang)
        for part in PARTS[lang]:
            assert part in text, (kind, lang, part)
        assert SUBJECT[kind][0 if lang == "ru" else 1] in text, (kind, lang)
        assert zone_text in text, (kind, lang, zone_text)
        assert not re.search(r"\((Europe|Asia)/", text) and "Europe/" not in text and "Asia/" not in text
        assert REGULATORS[kind]["reference"] in text and "https://video.example/a" in text and "vid:42" in text
        organisation, unit = ADDRESSEE[kind][lang]
        lines = text.splitlines()
        org_at = next(i for i, line in enumerate(lines) if organisation in line)
        assert sum(organisation in line for line in lines) == 1, (kind, lang)  # the addressee is named once
        if unit:
            assert next(i for i, line in enumerate(lines) if unit in line) == org_at + 1, (kind, lang)
        assert "Роскомнадзор," not in text  # the sender's short name is not repeated after the full one
        representative = "законный представитель в Республике Казахстан" if lang == "ru" else "legal representative"
        assert (representative in text) == (kind == "kz_ministry"), (kind, lang)
        # the parts come in the order of an official letter: sender, number and date, addressee, text, signature
        assert (text.index(PARTS[lang][0]) < text.index("TS-0001/2026") < text.index(organisation)
                < text.index("https://video.example/a") < text.rindex(PARTS[lang][-3])), (kind, lang)
    assert body.count("TS-0001/2026") == (1 if body.count(replies.SEPARATOR) == 0 else 2)


def test_letters_in_the_regulators_own_languages(fake_clock: Any, make_user: Callable[..., Actor],
                                                 make_request: MakeRequest) -> None:
    fake_clock.now = DRAFTED
    legal = make_user("legal")
    _, kz = _letter(make_request, legal, "kz_ministry")
    kk, en = kz.split(replies.SEPARATOR)
    assert "Қазақстан Республикасының Мәдениет және ақпарат министрлігі" in kk and "Астана уақыты" in kk
    assert "«Экзампл Платформ Қазақстан» ЖШС, Қазақстан Республикасындағы заңды өкіл" in kk
    assert "Шығ. № TS-0001/" in kk and "Қосымша:" in kk and "24 сағат" in kk
    assert "through: Example Platform Kazakhstan LLP" in en
    _, ua = _letter(make_request, legal, "ua_national_council")
    uk, _ = ua.split(replies.SEPARATOR)
    assert "Національна рада України з питань телебачення і радіомовлення\nВідділ моніторингу" in uk
    assert "Вих. № TS-0002/" in uk and "за київським часом" in uk and "Додаток:" in uk
    _, uz = _letter(make_request, legal, "uz_regulator")
    assert uz.split(replies.SEPARATOR)[0].startswith("Компания")  # Uzbek has no template: Russian, then English
    _, ee = _letter(make_request, legal, "dsa_coordinator")
    assert replies.SEPARATOR not in ee and "Article 9(5)" in ee  # Estonian has no template: English only


def test_outgoing_numbers_are_sequential_per_year_and_kept_on_redraft(fake_clock: Any,
                                                                      make_user: Callable[..., Actor],
                                                                      make_request: MakeRequest) -> None:
    fake_clock.now = DRAFTED
    legal = make_user("legal")
    first, _ = _letter(make_request, legal, "roskomnadzor")
    second, _ = _letter(make_request, legal, "kz_ministry")
    with unit_of_work() as s:
        body = replies.draft(s, legal, first).body  # redrafted: same number
    assert "TS-0001/2026" in body
    fake_clock.now = datetime.fromisoformat("2027-01-01T00:30:00+00:00")
    third, body = _letter(make_request, legal, "uz_regulator")
    assert "TS-0001/2027" in body and "от 01.01.2027" in body  # a new year starts again at 1 (in Tashkent: 5:30)
    with unit_of_work(read_only=True) as s:
        assert [(r.number, r.request_id, r.country) for r in outgoing.register(s, 2026)] == [
            ("TS-0001/2026", first, "RU"), ("TS-0002/2026", second, "KZ")]
        assert [r.number for r in outgoing.register(s, 2027)] == ["TS-0001/2027"]
        assert outgoing.for_request(s, third) is not None


def test_the_requisites_come_from_the_settings(fake_clock: Any, env: Callable[..., None],
                                               make_user: Callable[..., Actor], make_request: MakeRequest) -> None:
    env(letter_number_prefix="ИСХ", letter_legal_entity=json.dumps({"en": "Acme Video Ltd", "ru": "ООО «Акме Видео»"}),
        letter_signatory=json.dumps({"en": "I. Ivanov", "ru": "И. И. Иванов"}),
        letter_attachments=json.dumps({"en": [], "ru": ["Реестр материалов на 2 л. в 1 экз."]}))
    fake_clock.now = DRAFTED
    legal = make_user("legal")
    _, body = _letter(make_request, legal, "roskomnadzor")
    ru, en = body.split(replies.SEPARATOR)
    assert ru.startswith("ООО «Акме Видео»") and "Исх. № ИСХ-0001/2026" in ru and "И. И. Иванов" in ru
    assert "Приложение:\n1. Реестр материалов на 2 л. в 1 экз." in ru
    assert en.startswith("Acme Video Ltd") and "I. Ivanov" in en and "Attachments:" not in en


@pytest.mark.parametrize("zone,lang,expected", [
    ("Europe/Moscow", "ru", "01.07.2026 15:00 МСК"), ("Asia/Almaty", "ru", "01.07.2026 17:00 (время Астаны)"),
    ("Asia/Almaty", "en", "01.07.2026 17:00 (Astana time)"), ("Europe/Warsaw", "en", "01.07.2026 14:00 CEST"),
    ("Europe/Tallinn", "ru", "01.07.2026 15:00 EEST"), ("Asia/Tomsk", "ru", "01.07.2026 19:00 UTC+7"),
])
def test_time_zones_are_written_as_people_write_them(zone: str, lang: str, expected: str) -> None:
    assert policy.local_time_text(datetime.fromisoformat("2026-07-01T12:00:00+00:00"), zone, lang) == expected



def test_outgoing_numbers_have_no_gaps_or_repeats_under_concurrency(fake_clock: Any,
                                                                    make_user: Callable[..., Actor],
                                                                    make_request: MakeRequest) -> None:
    fake_clock.now = DRAFTED
    legal = make_user("legal")
    ids = [make_request(legal, received_at=RECEIVED, **REGULATORS["roskomnadzor"]).id for _ in range(8)]

    def draft(request_id: int) -> str:
        with unit_of_work() as s:
            replies.draft(s, legal, request_id)
            number = outgoing.for_request(s, request_id)
            assert number is not None
            return number.number

    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(draft, ids))
    assert sorted(numbers) == [f"TS-{n:04d}/2026" for n in range(1, 9)]
