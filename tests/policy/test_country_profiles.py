from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from rapidresponse import policy
from rapidresponse.errors import NotFound
from rapidresponse.policy import Confidence, PolicyDataError, dsa, get_country, load_countries

REECA = {"RU", "BY", "UA", "MD", "GE", "AM", "AZ", "KZ", "UZ", "KG", "TJ", "TM"}
EU_REGION = {"PL", "CZ", "SK", "HU", "RO", "BG", "LT", "LV", "EE", "HR", "SI"}
WESTERN_BALKANS = {"RS", "BA", "ME", "MK", "AL", "XK"}


def test_every_country_loads_and_validates() -> None:
    profiles = load_countries()
    assert set(profiles) == REECA | EU_REGION | WESTERN_BALKANS
    for code, p in profiles.items():
        assert p.code == code and p.version and p.reviewed
        assert p.name.en and p.name.native
        assert p.languages.official and p.time_zones and p.regulators and p.deadlines


def test_eu_membership_matches_the_eu_list_and_brings_dsa_and_tco() -> None:
    for code, p in load_countries().items():
        assert p.eu_member == (code in dsa.EU_MEMBERS)
        names = {d.name for d in p.deadlines}
        laws = {law.id for law in p.laws}
        if p.eu_member:
            assert {"dsa", "tco"} <= laws
            assert {"tco_removal_order", "dsa_art9_order", "dsa_art16_notice", "dsa_art18_threat_to_life"} <= names
            tco = p.deadline("tco_removal_order")
            assert (tco.hours, tco.time, tco.trigger, tco.confidence) == (1, "calendar", "order", "verified")
            assert p.shortest_deadline().name == "tco_removal_order"
        else:
            assert "tco_removal_order" not in names and "dsa" not in laws


def test_country_entries_come_before_shared_ones() -> None:
    pl = get_country("PL")
    assert pl.regulators[0].id == "uke"
    assert "Polish" in pl.deadline("dsa_art9_order").instrument.en  # the country's entry wins over the shared one


def test_every_deadline_has_source_confidence_and_clock_kind() -> None:
    for p in load_countries().values():
        for d in p.deadlines:
            assert str(d.source_url).startswith("http"), (p.code, d.name)
            assert d.confidence in (Confidence.VERIFIED, Confidence.UNCERTAIN)
            assert d.time in ("calendar", "business") and d.trigger in ("order", "notice", "proactive")
            assert d.clock_hours > 0


def test_unknown_clocks_default_to_24h_with_a_warning() -> None:
    ge = get_country("GE")
    d = ge.deadline()
    assert d.defaulted and d.clock_hours == 24 and d.confidence == "uncertain"
    assert any("24 h regional default" in w for w in ge.warnings)


def test_what_domain_marks_uncertain_is_uncertain() -> None:
    assert get_country("AZ").deadline("prohibited_information_notice").confidence == "uncertain"
    assert get_country("KG").deadline("false_information_notice").confidence == "uncertain"
    assert get_country("UZ").deadline("informatization_removal").confidence == "uncertain"
    assert get_country("RU").deadline("register_15_1_hosting").confidence == "uncertain"
    assert get_country("LV").regulator("ptac").confidence == "uncertain"
    assert get_country("PL").regulator("uke").confidence == "uncertain"
    assert get_country("EE").regulator("ttja").confidence == "verified"
    kz = get_country("KZ").deadline("authorised_body_request")
    assert (kz.hours, kz.time, kz.confidence) == (24, "calendar", "verified")


def test_well_established_facts_are_confirmed() -> None:
    ru = get_country("RU")
    for body in ("mvd", "rospotrebnadzor", "fns"):  # the unified register's expert bodies (Decree No. 1101)
        regulator = ru.regulator(body)
        assert regulator is not None and regulator.confidence == "verified" and "1101" in regulator.role.en
    mci = get_country("KZ").regulator("mci")
    assert mci is not None and mci.confidence == "verified"
    assert mci.name.ru == "Министерство культуры и информации Республики Казахстан"
    assert "2023" in mci.role.en and "Information and Social Development" in mci.role.en  # the reorganisation


def test_eu_coordinators_of_hu_sk_ro_bg_hr_si_are_confirmed() -> None:
    for code, regulator_id in {"HU": "nmhh", "SK": "cms", "RO": "ancom", "BG": "crc", "HR": "hakom",
                               "SI": "akos"}.items():
        regulator = get_country(code).regulator(regulator_id)
        assert regulator is not None and regulator.confidence == "verified", code
        assert "Digital Services Coordinator" in regulator.role.en and "not confirmed" not in regulator.role.en, code


def test_western_balkans_profiles() -> None:
    zones = {"RS": "Europe/Belgrade", "BA": "Europe/Sarajevo", "ME": "Europe/Podgorica", "MK": "Europe/Skopje",
             "AL": "Europe/Tirane", "XK": "Europe/Belgrade"}
    for code in WESTERN_BALKANS:
        p = get_country(code)
        assert not p.eu_member and p.time_zones == (zones[code],) and p.holidays == code
        assert "dsa" not in {law.id for law in p.laws} and p.regulators
        d = p.shortest_deadline()  # no known platform clock: the regional default, with a warning
        assert d.defaulted and d.clock_hours == 24 and d.confidence == "uncertain" and p.warnings
    assert get_country("RS").languages.official == ("sr-Cyrl",) and "sr-Latn" in get_country("RS").languages.all
    assert get_country("XK").name.en == "Kosovo" and "sq" in get_country("XK").languages.official
    assert get_country("MK").languages.official == ("mk", "sq")
    hr, si = get_country("HR"), get_country("SI")
    assert hr.shortest_deadline().name == si.shortest_deadline().name == "tco_removal_order"


def test_generated_text_is_grammatical() -> None:
    adjectives = {"EE": "an Estonian", "PL": "a Polish", "HU": "a Hungarian", "CZ": "a Czech", "LT": "a Lithuanian",
                  "HR": "a Croatian", "SI": "a Slovenian", "BG": "a Bulgarian"}
    for code, adjective in adjectives.items():
        assert f"(order from {adjective} authority)" in get_country(code).deadline("dsa_art9_order").instrument.en
    for p in load_countries().values():
        for d in p.deadlines:
            assert not re.search(r"\ba [AEIOU]", d.instrument.en), (p.code, d.instrument)
            assert not re.search(r"from an? [A-Z][a-z]+(ia|ary|and|ania) authority", d.instrument.en), d.instrument


def test_shipped_data_cites_nothing_the_repository_does_not_hold() -> None:
    for path in sorted((Path(policy.__file__).parent / "data").rglob("*.yaml")):
        assert not re.search(r"\b[A-Z]+\.md\b", path.read_text(encoding="utf-8")), path.name


def test_kazakhstan_is_one_utc_plus_5_zone() -> None:
    kz = get_country("KZ")
    assert kz.time_zones == ("Asia/Almaty",)
    for month in (1, 7):
        assert datetime(2026, month, 1, tzinfo=UTC).astimezone(kz.zone).utcoffset() == timedelta(hours=5)


def test_languages_are_bcp47_and_holidays_resolve() -> None:
    assert get_country("KZ").languages.official == ("kk", "ru")
    assert get_country("by").languages.official == ("be", "ru")
    assert {p.holidays for p in load_countries().values()} == REECA | EU_REGION | WESTERN_BALKANS


def test_unknown_country_and_deadline() -> None:
    with pytest.raises(NotFound, match="no country profile 'XX'"):
        get_country("XX")
    with pytest.raises(NotFound, match="KZ has no deadline 'nope'"):
        get_country("KZ").deadline("nope")


def test_override_corrects_a_deadline_without_a_release(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("countries/KZ.yaml", {"version": "2026.1-legal-review", "deadlines": [
        {"name": "threat_notification", "hours": 1, "notes": "internal target agreed with legal"}]})
    kz = get_country("KZ")
    assert kz.version == "2026.1-legal-review"
    d = kz.deadline("threat_notification")
    assert d.hours == 1 and not d.defaulted and d.instrument.en.startswith("Law No. 18-VIII")
    assert kz.deadline("authorised_body_request").hours == 24


def test_override_adds_a_country(policy_files: Callable[[str, Any], Path]) -> None:
    doc = {"code": "DE", "version": "1", "reviewed": "2026-11-01", "name": {"en": "Germany", "native": "Deutschland"},
           "eu_member": True, "includes": ["eu"], "languages": {"official": ["de"]}, "time_zones": ["Europe/Berlin"],
           "holidays": "DE", "regulators": [{"id": "bnetza", "name": {"en": "Federal Network Agency",
                                                                      "native": "Bundesnetzagentur"}}],
           "deadlines": []}
    policy_files("countries/DE.yaml", doc)
    de = get_country("DE")
    assert de.shortest_deadline().name == "tco_removal_order"


@pytest.mark.parametrize(("patch", "message"), [
    ({"time_zones": ["Asia/Alma_Ata_Nowhere"]}, r"time_zones\[0\]: 'Asia/Alma_Ata_Nowhere' is not an IANA time zone"),
    ({"languages": {"official": ["Kazakh"]}}, "is not a BCP 47 language tag"),
    ({"deadlines": [{"name": "authorised_body_request", "time": "weekdays"}]}, r"deadlines\[0\]\.time"),
    ({"deadlines": [{"name": "authorised_body_request", "source_url": "adilet"}]}, r"deadlines\[0\]\.source_url"),
    ({"holidays": "XX"}, "'XX' is not a country the holidays package knows"),
    ({"deadlines": [{"name": "authorised_body_request", "regulator": "kgb"}]}, "names regulator 'kgb'"),
])
def test_invalid_overrides_name_the_file_and_field(policy_files: Callable[[str, Any], Path], patch: dict[str, Any],
                                                   message: str) -> None:
    policy_files("countries/KZ.yaml", patch)
    with pytest.raises(PolicyDataError, match=message) as exc:
        load_countries()
    assert "countries/KZ.yaml (with override" in exc.value.detail


def test_eu_member_must_include_eu(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("countries/EE.yaml", {"includes": []})
    with pytest.raises(PolicyDataError, match=r"includes: \[eu\]"):
        load_countries()


def test_a_regulator_is_named_in_each_language_with_the_short_name_that_language_uses() -> None:
    rkn = get_country("RU").regulator("rkn")
    assert rkn is not None
    assert (rkn.short_name("en"), rkn.short_name("ru")) == ("Roskomnadzor (RKN)", "Роскомнадзор (РКН)")
    assert rkn.label("ru").endswith("массовых коммуникаций (Роскомнадзор (РКН))")
    rpms = get_country("SK").regulator("cms")  # Slovakia's RpMS: no Russian short name, the Russian name alone
    assert rpms is not None and rpms.short_name("en") == "RpMS" and rpms.short_name("ru") == ""
    assert rpms.label("ru") == "Совет по медиауслугам" and rpms.label("en").endswith("(RpMS)")
    assert get_country("RO").regulator("ancom").short_name("ru") == "ANCOM"  # type: ignore[union-attr]
    assert policy.regulator_label("kz", "mci", "ru") == "Министерство культуры и информации Республики Казахстан (МКИ)"
    assert policy.regulator_label("KZ", "nobody", "ru") is None and policy.regulator_label("ZZ", "mci", "en") is None
    for profile in load_countries().values():  # a short name in Latin letters on a Russian page is an acronym
        for r in profile.regulators:
            assert re.fullmatch(r"[A-Z]{2,8}|[^A-Za-z]*", r.short_name("ru")), (profile.code, r.id, r.short_name("ru"))
