"""The helpline registry: shipped lines are real, sourced and dated; a line not checked for six months
is flagged (by the product's clock); the CLI, the API, the country page and the playbooks show it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rapidresponse import policy
from rapidresponse.cli import app
from rapidresponse.policy.helplines import STALE_AFTER_MONTHS, months_before

runner = CliRunner()


def test_every_line_is_sourced_dated_and_in_a_known_country() -> None:
    countries = policy.load_countries()
    lines = policy.helplines_for()
    assert len(lines) >= 15
    for h in lines:
        assert h.country in countries, h.id
        assert h.source.strip() and h.last_checked <= date.today() and h.name.en and h.name.ru
        assert h.id.startswith(h.country.lower() + "_"), h.id


def test_the_long_established_lines_are_there() -> None:
    numbers = {(h.country, h.kind.value): h.number for h in policy.helplines_for()}
    assert numbers[("RU", "child")] == "8-800-2000-122"
    assert numbers[("KZ", "child")] == "150"
    assert numbers[("UA", "child")] == "116 111" and numbers[("UA", "suicide_prevention")] == "7333"
    assert numbers[("UA", "crisis")] == "116 123"  # La Strada-Ukraine's national hotline
    for code in ("PL", "EE", "LV", "LT", "CZ", "SK", "HU", "RO", "BG", "SI", "MD"):
        assert numbers[(code, "child")] == "116 111", code  # the harmonised European child helpline
    assert not policy.helplines_for(["TM"])  # nothing we could confirm: nothing shown, not a guess


def test_a_line_is_stale_six_months_after_its_last_check(fake_clock: Any) -> None:
    line = next(h for h in policy.helplines_for(["KZ"]) if h.kind == "child")
    checked = line.last_checked
    fake_clock.now = datetime(checked.year, checked.month, checked.day, 12, tzinfo=fake_clock.now.tzinfo)
    assert not line.stale()
    fake_clock.now = fake_clock.now.replace(year=checked.year + (checked.month + STALE_AFTER_MONTHS - 1) // 12,
                                            month=(checked.month + STALE_AFTER_MONTHS - 1) % 12 + 1)
    assert not line.stale()  # exactly six months: still fresh
    fake_clock.advance(days=1)
    assert line.stale()
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2027, 3, 15), 6) == date(2026, 9, 15)


def test_playbook_text_lists_the_countries_lines() -> None:
    text = policy.helplines_text(["kz", "RU"], "ru")
    assert text.startswith("KZ: 150 (") and "RU: 8-800-2000-122 (Детский телефон доверия)" in text
    assert "112" not in text  # the emergency number is said in the template's own words
    assert policy.helplines_text(["TM"], "en") == "—"


def test_cli_lists_and_flags_stale_lines(fake_clock: Any) -> None:
    result = runner.invoke(app, ["policy", "helplines", "--country", "ua"])
    assert result.exit_code == 0, result.output
    assert "7333" in result.output and "116 111" in result.output and "STALE" not in result.output
    data = json.loads(runner.invoke(app, ["policy", "helplines", "--json"]).output)
    assert {d["country"] for d in data} >= {"RU", "KZ", "UA", "PL"} and not any(d["stale"] for d in data)
    fake_clock.now = datetime.fromisoformat("2027-12-01T00:00:00+00:00")
    result = runner.invoke(app, ["policy", "helplines", "--country", "RU"])
    assert result.exit_code == 0 and "STALE" in result.output and "ru_children" in result.output
    assert runner.invoke(app, ["policy", "helplines", "--country", "XX"]).exit_code == 2


def test_a_team_corrects_a_line_in_its_override(tmp_path: Path, env: Callable[..., None], fake_clock: Any) -> None:
    (tmp_path / "helplines.yaml").write_text(
        "helplines:\n  - id: kz_children\n    last_checked: 2025-01-10\n"
        "  - id: ua_lifeline\n    remove: true\n", encoding="utf-8")
    env(policy_dir=str(tmp_path))
    policy.clear_cache()
    kz = next(h for h in policy.helplines_for(["KZ"]) if h.id == "kz_children")
    assert kz.number == "150" and kz.last_checked == date(2025, 1, 10) and kz.stale()
    assert "ua_lifeline" not in {h.id for h in policy.helplines_for(["UA"])}


def test_a_bad_entry_names_the_file_and_the_field(tmp_path: Path, env: Callable[..., None]) -> None:
    (tmp_path / "helplines.yaml").write_text("helplines:\n  - id: kz_children\n    number: call us\n",
                                             encoding="utf-8")
    env(policy_dir=str(tmp_path))
    policy.clear_cache()
    with pytest.raises(policy.PolicyDataError, match=r"helplines\.yaml: helplines\[\d+\]\.number"):
        policy.load_helplines()


def test_a_lines_own_name_is_cut_out_in_its_language() -> None:
    hu = next(h for h in policy.helplines_for(["HU"]) if h.kind.value == "child")
    assert hu.name.parts("ru") == ("Детская линия (", "Kék Vonal", ")") and hu.own_language == "hu"
    assert hu.name.parts("en") == ("Child helpline (", "Kék Vonal", ")")
    lifeline = next(h for h in policy.helplines_for(["UA"]) if h.kind.value == "suicide_prevention")
    assert lifeline.own_language == "en"  # the line's own name is English, its languages Ukrainian and Russian
    ru = next(h for h in policy.helplines_for(["RU"]) if h.kind.value == "child")
    assert ru.name.parts("ru") == ("Детский телефон доверия", "", "")


def test_an_own_name_missing_from_a_name_is_refused(policy_files: Callable[[str, Any], Path]) -> None:
    policy_files("helplines.yaml", {"helplines": [{"id": "hu_children", "name": {
        "en": "Child helpline", "ru": "Детская линия (Kék Vonal)", "own": "Kék Vonal"}}]})
    policy.clear_cache()
    with pytest.raises(policy.PolicyDataError, match="own name 'Kék Vonal' must be written as it is in both"):
        policy.helplines_for(["HU"])
