"""The decision log on the real database: recording, appeals, and statements of reasons built from
decisions affecting EU users, with invalid decisions reported by field and rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app as cli_app
from rapidresponse.db import unit_of_work
from rapidresponse.decisions import service as decisions
from rapidresponse.decisions import sor, sor_export
from rapidresponse.decisions.models import ContentDecision
from rapidresponse.decisions.schemas import AppealCreate, AppealDecide, DecisionCreate, DecisionFilter, DecisionOut
from rapidresponse.decisions.sor_mapping import statement
from rapidresponse.decisions.statements import build_sor
from rapidresponse.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rapidresponse.incidents import service as incidents
from rapidresponse.incidents.schemas import IncidentCreate

runner = CliRunner()
MakeDecision = Callable[..., DecisionOut]


def _decision(defaults: dict[str, Any], **fields: Any) -> DecisionCreate:
    return DecisionCreate.model_validate({**defaults, **fields})


def test_record_and_build_a_valid_statement(fake_clock: Any, make_user: Callable[..., Actor],
                                            make_decision: MakeDecision) -> None:
    policy = make_user("policy")
    did = make_decision(policy).id
    with unit_of_work(read_only=True) as s:
        d = decisions.get(s, policy, did)
        assert d.policy_clause.startswith("Community Guidelines §2.1")  # from the taxonomy
        built = statement(d)
        assert statement(decisions.load(s, policy, did)) == built
    assert sor.check(built) == []
    assert built["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert built["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert built["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert built["category_specification"] == ["KEYWORD_UNSAFE_CHALLENGES"]
    assert built["territorial_scope"] == ["PL"] and built["content_language"] == "PL"
    assert built["source_type"] == "SOURCE_ARTICLE_16" and built["application_date"] == "2026-03-01"


def test_legal_ground_global_and_account_actions(fake_clock: Any, make_user: Callable[..., Actor],
                                                 make_decision: MakeDecision) -> None:
    legal = make_user("legal")
    make_decision(legal, puid="tco-1", ground="law", legal_ground="Regulation (EU) 2021/784 Art. 3",
                  harm="terrorist_content", territorial_scope=[], source_type="authority",
                  source_identity="TTJA removal order")
    make_decision(legal, puid="acct-7", action="account_suspend", end_date="2026-04-01", source_type="voluntary",
                  source_identity="should be dropped", automated_detection=True, automated_decision="partially")
    make_decision(legal, puid="ru-only", action="geo_restrict", territorial_scope=["RU"])
    with unit_of_work(read_only=True) as s:
        result = build_sor(s, legal)
    by_puid = {st.puid: st.to_api() for _, st in result.valid}
    assert set(by_puid) == {"tco-1", "acct-7"}  # the RU-only geo-restriction does not affect EU users
    tco = by_puid["tco-1"]
    assert tco["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT" and len(tco["territorial_scope"]) == 30
    assert tco["illegal_content_legal_ground"] == "Regulation (EU) 2021/784 Art. 3"
    assert tco["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    acct = by_puid["acct-7"]
    assert acct["decision_account"] == "DECISION_ACCOUNT_SUSPENDED" and "decision_visibility" not in acct
    assert acct["end_date_account_restriction"] == "2026-04-01" and "source_identity" not in acct
    assert acct["automated_detection"] == "Yes" and acct["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"


def _stored_unchecked(actor: Actor, make_decision: MakeDecision, recorded_as: str, **fields: Any) -> int:
    """A decision recorded before the entry check existed: recorded valid (puid ``recorded_as``), then
    changed in the table."""
    did = make_decision(actor, puid=recorded_as).id
    with unit_of_work() as s:
        row = s.get(ContentDecision, did)
        assert row is not None
        for name, value in fields.items():
            setattr(row, name, value)
    return did


# Every rule of the statement of reasons a decision can break when it is recorded: (the decision's fields,
# the decision field refused, the statement field and rule). Rules the mapping cannot break (shapes, the
# category from the taxonomy, the application date) are tested on raw statements in test_sor.py.
ENTRY_RULES = [
    ({"puid": "https://example.org/v/1"}, "puid", "puid", "regex"),
    ({"content_type": "other"}, "content_type_other", "content_type_other", "required_if"),
    ({"content_language": "kaa"}, "content_language", "content_language", "in"),
    ({"content_date": "1999-12-31"}, "content_date", "content_date", "after_or_equal"),
    ({"content_date": "2038-01-02"}, "content_date", "content_date", "before_or_equal"),
    ({"end_date": "2038-01-02"}, "end_date", "end_date_visibility_restriction", "before_or_equal"),
    ({"policy_clause": "x" * 501}, "policy_clause", "incompatible_content_ground", "max"),
    ({"explanation": "x" * 2001}, "explanation", "incompatible_content_explanation", "max"),
    ({"ground": "law", "legal_ground": "x" * 501}, "legal_ground", "illegal_content_legal_ground", "max"),
    ({"ground": "law", "legal_ground": "Art. 3", "explanation": "x" * 2001}, "explanation",
     "illegal_content_explanation", "max"),
]


@pytest.mark.parametrize(("fields", "field", "sor_field", "rule"), ENTRY_RULES)
def test_decisions_that_make_invalid_statements_are_refused(fake_clock: Any, make_user: Callable[..., Actor],
                                                            decision_defaults: dict[str, Any], fields: dict[str, Any],
                                                            field: str, sor_field: str, rule: str) -> None:
    policy = make_user("policy")
    with pytest.raises(ValidationFailed) as exc, unit_of_work() as s:
        decisions.record_decision(s, policy, _decision(decision_defaults, **{"puid": "bad-1", **fields}))
    assert exc.value.extra["field"] == field
    assert str(exc.value).startswith(f"{field}: ") and f"{sor_field} [{rule}]" in str(exc.value)
    first = exc.value.extra["errors"][0]
    assert (first["loc"], first["type"]) == (["body", field], f"statement_of_reasons.{rule}")
    with unit_of_work(read_only=True) as s:
        assert decisions.list_decisions(s, policy, DecisionFilter()).total == 0


def test_the_statement_rules_bind_decisions_affecting_eu_users_only(fake_clock: Any, make_user: Callable[..., Actor],
                                                                    make_decision: MakeDecision) -> None:
    policy = make_user("policy")
    kk = make_decision(policy, puid="kz/clip/1", content_language="kaa", territorial_scope=["KZ"],
                       action="geo_restrict")
    assert kk.affects_eu is False
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        decisions.record_decision(s, policy, DecisionCreate.model_validate(
            {**kk.model_dump(include={"content_date", "action", "harm", "explanation", "facts"}),
             "puid": "kz/clip/2", "territorial_scope": ["KZ", "LT"]}))


def test_other_content_is_described_and_exported(fake_clock: Any, make_user: Callable[..., Actor],
                                                 make_decision: MakeDecision) -> None:
    policy = make_user("policy")
    d = make_decision(policy, content_type="other", content_type_other="Livestream replay with chat overlay")
    assert d.content_type_other == "Livestream replay with chat overlay"
    with unit_of_work(read_only=True) as s:
        ((_, st),) = build_sor(s, policy).valid
    exported = st.to_api()
    assert exported["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert exported["content_type_other"] == "Livestream replay with chat overlay"


@pytest.mark.parametrize(("fields", "field", "rule"), [
    ({"puid": "https://example.org/v/1"}, "puid", "regex"),
    ({"content_language": "kaa"}, "content_language", "in"),
    ({"content_date": date(1999, 12, 31)}, "content_date", "after_or_equal"),
    ({"policy_clause": "x" * 501}, "incompatible_content_ground", "max"),
    ({"content_type": "other"}, "content_type_other", "required_if"),
])
def test_stored_invalid_decisions_are_reported_by_field_and_rule(fake_clock: Any, make_user: Callable[..., Actor],
                                                                 make_decision: MakeDecision, fields: dict[str, Any],
                                                                 field: str, rule: str) -> None:
    policy = make_user("policy")
    make_decision(policy, puid="good-1")
    bad = _stored_unchecked(policy, make_decision, "bad-1", **fields)
    with unit_of_work(read_only=True) as s:
        result = build_sor(s, policy)
    assert [st.puid for _, st in result.valid] == ["good-1"]
    ((d, issues),) = result.rejected
    assert d.id == bad
    assert (field, rule) in [(i.field, i.rule) for i in issues if i.level == "error"]
    line = result.error_lines()[0]
    assert line.startswith(f"decision {bad} (puid ") and f"{field}:" in line and f"[{rule}]" in line


def test_batches_of_at_most_100_json_and_csv_through_the_cli(fake_clock: Any, make_user: Callable[..., Actor],
                                                             make_decision: MakeDecision,
                                                             decision_defaults: dict[str, Any], tmp_path: Path) -> None:
    admin = make_user("admin", username="sor-admin")
    with unit_of_work() as s:
        for n in range(205):
            decisions.record_decision(s, admin, _decision(decision_defaults, puid=f"pl-{n:04d}",
                                                          facts=f"Факт №{n} — ąę"))
    _stored_unchecked(admin, make_decision, "has-space", puid="has space")
    result = runner.invoke(cli_app, ["decisions", "export-sor", "--out", str(tmp_path / "json"), "--as", "sor-admin"])
    assert result.exit_code == 2, result.output
    assert "exported 205 statements, rejected 1" in result.output
    assert "puid has space" in result.output and "[regex]" in result.output
    files = sorted((tmp_path / "json").glob("*.json"))
    sizes = [len(json.loads(f.read_text(encoding="utf-8"))["statements"]) for f in files]
    assert sizes == [100, 100, 5]
    assert "Факт №7 — ąę" in files[0].read_text(encoding="utf-8")
    result = runner.invoke(cli_app, ["decisions", "export-sor", "--format", "csv", "--out", str(tmp_path / "csv"),
                                     "--as", "sor-admin"])
    rows = sor_export.read_csv(tmp_path / "csv" / "decisions.csv")
    assert len(rows) == 205 and all(sor.check(r) == [] for r in rows)
    assert runner.invoke(cli_app, ["decisions", "export-sor", "--format", "xml", "--out", str(tmp_path)]).exit_code == 2


def test_record_rules_and_permissions(engine: Any, make_user: Callable[..., Actor], make_decision: MakeDecision,
                                      decision_defaults: dict[str, Any]) -> None:
    policy = make_user("policy")
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        decisions.record_decision(s, make_user("commander"), _decision(decision_defaults))
    for fields, field in (({"harm": "nonsense"}, "harm"), ({"ground": "law"}, "legal_ground"),
                          ({"action": "geo_restrict", "territorial_scope": []}, "territorial_scope")):
        with pytest.raises(ValidationFailed) as exc, unit_of_work() as s:
            decisions.record_decision(s, policy, _decision(decision_defaults, **fields))
        assert exc.value.extra["field"] == field
    make_decision(policy)
    with pytest.raises(Conflict), unit_of_work() as s:
        decisions.record_decision(s, policy, _decision(decision_defaults))
    with pytest.raises(PermissionDenied), unit_of_work() as s:
        build_sor(s, make_user("responder"))


def test_appeals(fake_clock: Any, make_user: Callable[..., Actor], make_decision: MakeDecision) -> None:
    legal = make_user("legal")
    did = make_decision(legal).id
    with unit_of_work() as s:
        (appeal,) = decisions.file_appeal(s, legal, did, AppealCreate(appellant="uploader", reason="Это пародия")
                                          ).appeals
    with pytest.raises(Conflict), unit_of_work() as s:
        decisions.file_appeal(s, legal, did, AppealCreate(appellant="again", reason="x"))
    with pytest.raises(ValidationFailed), unit_of_work() as s:
        decisions.decide_appeal(s, legal, did, appeal.id, AppealDecide(status="reversed"))
    with unit_of_work() as s:
        decisions.decide_appeal(s, legal, did, appeal.id, AppealDecide(status="reversed", note="Restored: satire"))
    with pytest.raises(Conflict), unit_of_work() as s:
        decisions.decide_appeal(s, legal, did, appeal.id, AppealDecide(status="upheld"))
    with pytest.raises(NotFound), unit_of_work() as s:
        decisions.decide_appeal(s, legal, did, appeal.id + 1, AppealDecide(status="upheld"))
    with unit_of_work(read_only=True) as s:
        (stored,) = decisions.appeals(s, [did])[did]
        assert (stored.status, stored.outcome_note) == ("reversed", "Restored: satire")
        (shown,) = decisions.get(s, legal, did).appeals
        assert (shown.status, shown.outcome_note) == ("reversed", "Restored: satire")


def test_decisions_linked_to_restricted_incidents_are_hidden(fake_clock: Any, make_user: Callable[..., Actor],
                                                            make_decision: MakeDecision) -> None:
    member, outsider = make_user("admin"), make_user("legal")
    with unit_of_work() as s:
        ref = incidents.declare(s, member, IncidentCreate(title="CSAM hash match", type="child_safety")).ref
    did = make_decision(member, incident=ref, harm="csam").id
    with pytest.raises(NotFound), unit_of_work() as s:
        decisions.get(s, outsider, did)
    with unit_of_work(read_only=True) as s:
        assert decisions.list_decisions(s, outsider, DecisionFilter()).total == 0
        assert decisions.list_decisions(s, member, DecisionFilter(incident=ref)).total == 1
        assert build_sor(s, outsider).valid == []
        assert len(build_sor(s, member).valid) == 1
