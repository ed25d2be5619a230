from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rapidresponse.errors import NotFound
from rapidresponse.policy import dsa, dsa_fields_for_harm
from rapidresponse.policy.loading import PolicyDataError
from rapidresponse.policy.taxonomy import Exposure, load_taxonomy

AREAS = {"dangerous_acts", "self_harm", "child_safety", "bullying_harassment", "hate_speech", "violent_extremism",
         "violent_graphic", "animal_cruelty", "privacy", "scams_illegal_goods", "coordinated_inauthentic_behaviour",
         "misinformation", "commercial_and_ip", "platform_rules"}
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def test_taxonomy_covers_every_area_with_harms() -> None:
    t = load_taxonomy()
    assert {a.slug for a in t.areas} == AREAS
    assert all(t.children(a.slug) for a in t.areas)


def test_every_node_is_fully_resolved() -> None:
    for node in load_taxonomy().harms():
        assert node.name.en and CYRILLIC.search(node.name.ru), node.slug
        assert dsa.is_category(node.dsa.category)
        assert all(dsa.is_keyword(k) for k in node.dsa.keywords)
        cats = {node.dsa.category, *node.dsa.additional_categories}
        assert all(dsa.keyword_fits(k, set(cats)) for k in node.dsa.keywords), node.slug
        assert node.policy_clause.strip() and node.policy_clause_text.ru
        assert 1 <= node.severity <= 4
        assert node.team
        assert isinstance(node.exposure, Exposure)


def test_every_dsa_category_is_reachable_from_a_harm() -> None:
    """A decision about any kind of content can be filed under the statement category the DSA wants."""
    reached = {c for node in load_taxonomy().harms() for c in (node.dsa.category, *node.dsa.additional_categories)}
    assert reached == set(dsa.Category), sorted(set(dsa.Category) - reached)
    ip = dsa_fields_for_harm("copyright_infringement")
    assert ip["category"] == "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    assert dsa_fields_for_harm("hidden_advertising") == {"category": "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
                                                         "category_specification": ["KEYWORD_HIDDEN_ADVERTISEMENT"]}
    assert dsa_fields_for_harm("spam") == {"category": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"}
    assert dsa_fields_for_harm("unspecified_notice") == {"category": "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"}


def test_harms_inherit_from_their_area() -> None:
    t = load_taxonomy()
    csam = t.get("csam")
    assert csam.parent == "child_safety"
    assert csam.severity == 4 and csam.team == "child_safety" and csam.exposure is Exposure.EXTREME
    assert t.get("grooming").dsa.keywords == ("KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",)


def test_mapping_helper_gives_dsa_fields() -> None:
    assert dsa_fields_for_harm("dangerous_challenge") == {
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "category_specification": ["KEYWORD_UNSAFE_CHALLENGES"]}
    doxxing = dsa_fields_for_harm("doxxing")
    assert doxxing["category_addition"] == ["STATEMENT_CATEGORY_CYBER_VIOLENCE"]


def test_unknown_slug_is_not_found() -> None:
    with pytest.raises(NotFound, match="unknown harm 'nope'"):
        load_taxonomy().get("nope")


def test_unknown_dsa_category_names_file_and_path(policy_files: Callable[[str, Any], Path]) -> None:
    path = policy_files("taxonomy.yaml", {"areas": [{"slug": "hate_speech", "harms": [
        {"slug": "religious_hatred", "dsa": {"category": "STATEMENT_CATEGORY_HATE"}}]}]})
    with pytest.raises(PolicyDataError) as exc:
        load_taxonomy()
    detail = exc.value.detail
    assert str(path) in detail
    assert "areas[4].harms[1].dsa.category" in detail
    assert "'STATEMENT_CATEGORY_HATE' is not a DSA statement category" in detail


def test_unknown_keyword_in_packaged_position_blames_the_override(policy_files: Callable[[str, Any], Path]) -> None:
    path = policy_files("taxonomy.yaml", {"areas": [{"slug": "self_harm", "dsa": {
        "category": "STATEMENT_CATEGORY_SELF_HARM", "keywords": ["KEYWORD_SUICIDAL"]}}]})
    with pytest.raises(PolicyDataError, match=r"areas\[1\]\.dsa\.keywords\[0\].*KEYWORD_SUICIDAL") as exc:
        load_taxonomy()
    assert exc.value.detail.startswith(str(path))


def test_keyword_outside_category_is_rejected(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("taxonomy.yaml", {"areas": [{"slug": "privacy", "dsa": {
        "category": "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "keywords": ["KEYWORD_PHISHING"]}}]})
    with pytest.raises(PolicyDataError, match="KEYWORD_PHISHING belongs under STATEMENT_CATEGORY_SCAMS_AND_FRAUD"):
        load_taxonomy()


def test_override_edits_adds_and_removes(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("taxonomy.yaml", {"version": "2026.1-local", "areas": [
        {"slug": "dangerous_acts", "policy_clause": "Наши правила §2.1", "harms": [
            {"slug": "dangerous_stunts", "remove": True},
            {"slug": "blackout_challenge", "name": {"en": "Blackout challenge", "ru": "Игра в обморок"}}]}]})
    t = load_taxonomy()
    assert t.version == "2026.1-local"
    assert "dangerous_stunts" not in t
    assert t.get("blackout_challenge").policy_clause == "Наши правила §2.1"
    assert t.get("dangerous_challenge").severity == 4  # untouched packaged data survives


def test_duplicate_slug_and_bad_yaml(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("taxonomy.yaml", {"areas": [{"slug": "privacy", "harms": [
        {"slug": "csam", "name": {"en": "x", "ru": "х"}}]}]})
    with pytest.raises(PolicyDataError, match="slug 'csam' appears twice"):
        load_taxonomy()
    path = policy_files("taxonomy.yaml", "areas: [\n  - slug: x\n    name: {en: a")
    with pytest.raises(PolicyDataError, match=re.escape(str(path)) + ":.*not valid YAML"):
        load_taxonomy()


def test_every_team_a_node_names_has_its_name_in_both_languages() -> None:
    t = load_taxonomy()
    for node in t.nodes.values():
        assert t.team_name(node.team, "ru") and t.team_name(node.team, "en"), node.slug
    assert (t.team_name("youth_safety", "ru"), t.team_name("youth_safety", "en")) == (
        "Безопасность детей и подростков", "Youth safety")


def test_a_team_a_policy_team_adds_without_a_name_has_none(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("taxonomy.yaml", {"areas": [{"slug": "privacy", "team": "privacy_ops"}],
                                   "teams": [{"slug": "fraud", "name": {"en": "Scams", "ru": "Мошенничество"}}]})
    t = load_taxonomy()
    assert t.get("doxxing").team == "privacy_ops" and t.team_name("privacy_ops", "ru") is None
    assert t.team_name("fraud", "en") == "Scams" and t.team_name("child_safety", "ru") == "Защита детей"
