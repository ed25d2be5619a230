from __future__ import annotations

import pytest

from rapidresponse.errors import NotFound
from rapidresponse.policy.rules import checklist


def keys(countries: list[str], harms: list[str]) -> dict[str, object]:
    return {o.key: o for o in checklist(countries, harms)}


def test_terrorist_content_in_eu_and_kz() -> None:
    items = keys(["PL", "LT", "KZ"], ["terrorist_content"])
    assert {"EU:dsa_art17", "EU:dsa_art24_5", "PL+LT:tco_removal_order", "PL+LT:dsa_art18_threat_to_life",
            "KZ:authorised_body_request"} <= set(items)
    tco = checklist(["PL", "LT", "KZ"], ["terrorist_content"])[2]
    assert tco.key == "PL+LT:tco_removal_order" and tco.hours == 1 and tco.confidence == "verified"
    assert tco.source_url.startswith("https://eur-lex.europa.eu/")


def test_tco_and_art18_only_for_their_harms() -> None:
    items = keys(["EE"], ["phishing"])
    assert "EE:tco_removal_order" not in items and "EE:dsa_art18_threat_to_life" not in items
    assert "EU:dsa_art17" in items
    assert "EE:dsa_art18_threat_to_life" in keys(["EE"], ["suicide_promotion"])


def test_russia_register_for_self_harm_not_for_scams() -> None:
    assert "RU:register_15_1_owner" in keys(["RU"], ["self_harm"])
    items = keys(["RU"], ["phishing"])
    assert "RU:register_15_1_owner" not in items and "RU:prosecutor_15_3" in items
    assert "EU:dsa_art17" not in items  # no EU country, no DSA duties


def test_every_obligation_has_a_source_and_confidence() -> None:
    for o in checklist(["RU", "KZ", "PL", "GE", "AZ"], ["csam", "terrorist_content"]):
        assert o.instrument and o.source_url.startswith("http") and o.confidence in ("verified", "uncertain")


def test_country_without_profile_is_flagged_not_dropped() -> None:
    items = keys(["DE"], ["csam"])
    assert items["DE:no_profile"].hours == 24  # type: ignore[attr-defined]


def test_unknown_harm_is_an_error() -> None:
    with pytest.raises(NotFound):
        checklist(["KZ"], ["blue_whale"])
