"""`rapidresponse policy …`: country profiles, the taxonomy, deadline clocks and the rules checklist."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from rapidresponse.cli import app

runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(app, ["policy", *args])


def test_countries_table_and_json() -> None:
    result = run("countries")
    assert result.exit_code == 0, result.output
    assert "Kazakhstan" in result.output
    data = json.loads(run("countries", "--json").output)
    kz = next(r for r in data if r["code"] == "KZ")
    assert kz["zone"] == "Asia/Almaty" and kz["eu_member"] is False and kz["shortest_deadline"]["hours"] == 24
    pl = next(r for r in data if r["code"] == "PL")
    assert pl["shortest_deadline"]["name"] == "tco_removal_order" and pl["regulator"] == "UKE"


def test_country_and_taxonomy() -> None:
    result = run("country", "KZ")
    assert result.exit_code == 0 and "Қазақстан" in result.output
    kz = json.loads(run("country", "KZ", "--json").output)
    assert kz["deadlines"][0]["name"] == "authorised_body_request"
    assert run("country", "XX").exit_code == 2
    result = run("taxonomy")
    assert result.exit_code == 0 and "Самоповреждение" in result.output
    nodes = json.loads(run("taxonomy", "--json").output)["nodes"]
    assert any(n["slug"] == "csam" for n in nodes)


def test_deadline_prints_local_and_utc() -> None:
    result = run("deadline", "KZ", "--received", "2026-11-27T18:30:00+05:00")
    assert result.exit_code == 0, result.output
    assert "Sat 2026-11-28 18:30 +05" in result.output and "Sat 2026-11-28 13:30 UTC" in result.output
    data = json.loads(run("deadline", "KZ", "--received", "2026-11-27T18:30:00+05:00", "--deadline",
                          "inspection_remedy", "--json").output)
    assert data["due_local"] == "2026-12-02T18:00:00+05:00" and data["due_utc"] == "2026-12-02T13:00:00+00:00"


def test_deadline_bad_input_exits_2() -> None:
    assert run("deadline", "KZ", "--received", "tomorrow").exit_code == 2
    assert run("deadline", "KZ", "--received", "2026-11-27T18:30:00").exit_code == 2
    result = run("deadline", "KZ", "--received", "2026-11-27T18:30:00+05:00", "--deadline", "nope")
    assert result.exit_code == 2 and "KZ has no deadline 'nope'" in result.output


def test_rules_command() -> None:
    data = json.loads(run("rules", "--country", "PL", "--harm", "terrorist_content", "--json").output)
    assert any(o["deadline"] == "tco_removal_order" for o in data)
