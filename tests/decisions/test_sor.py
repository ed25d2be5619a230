from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rapidresponse.decisions.sor import SorInvalid, check, parse
from rapidresponse.decisions.sor_export import export, read_csv, read_statements

Make = Callable[..., dict[str, Any]]
TEXTS = {
    "ru": "Пост призывает подростков к опасному челленджу «собачий кайф».",
    "kk": "Жасөспірімдерді қауіпті әрекетке шақыратын жазба: әғқңөұүһі.",
    "ka": "პოსტი მოუწოდებს მოზარდებს საშიში გამოწვევისკენ.",
    "hy": "Գրառումը դեռահասներին կոչ է անում վտանգավոր մարտահրավերի.",
}


def errors(data: dict[str, Any]) -> list[str]:
    return [str(i) for i in check(data) if i.level == "error"]


def warnings(data: dict[str, Any]) -> list[str]:
    return [str(i) for i in check(data) if i.level == "warning"]


def test_a_complete_statement_is_valid(make_statement: Make) -> None:
    model, issues = parse(make_statement())
    assert issues == []
    body = model.to_api()
    assert body["content_date"] == "2026-11-26" and body["territorial_scope"] == ["PL", "LT"]
    assert "decision_monetary" not in body  # no nulls in the API body


@pytest.mark.parametrize(("fields", "expected"), [
    ({"decision_ground": None}, "decision_ground: is required [required]"),
    ({"puid": None}, "puid: is required [required]"),
    ({"decision_visibility": None},
     "decision_visibility: at least one of decision_visibility, decision_monetary, decision_provision, "
     "decision_account is required [required_without_all]"),
    ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]},
     "decision_visibility_other: is required when decision_visibility has DECISION_VISIBILITY_OTHER [required_if]"),
    ({"decision_monetary": "DECISION_MONETARY_OTHER"},
     "decision_monetary_other: is required when decision_monetary is DECISION_MONETARY_OTHER [required_if]"),
    ({"content_type": ["CONTENT_TYPE_OTHER"]},
     "content_type_other: is required when content_type has CONTENT_TYPE_OTHER [required_if]"),
    ({"illegal_content_legal_ground": None},
     "illegal_content_legal_ground: is required when decision_ground is DECISION_GROUND_ILLEGAL_CONTENT [required_if]"),
    ({"illegal_content_explanation": None},
     "illegal_content_explanation: is required when decision_ground is DECISION_GROUND_ILLEGAL_CONTENT [required_if]"),
    ({"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT", "illegal_content_legal_ground": None,
      "illegal_content_explanation": None, "incompatible_content_explanation": "ToS §2.1"},
     "incompatible_content_ground: is required when decision_ground is DECISION_GROUND_INCOMPATIBLE_CONTENT "
     "[required_if]"),
    ({"territorial_scope": ["PL", "UA"]}, "territorial_scope: 'UA' is not an allowed value (upper case, e.g. RU)"),
    ({"territorial_scope": ["pl"]}, "territorial_scope: 'pl' is not an allowed value"),
    ({"content_language": "ru"}, "content_language: 'ru' is not an allowed value (upper case, e.g. RU) [in]"),
    ({"content_date": "27.11.2026"}, "content_date: '27.11.2026' is not a date in the format YYYY-MM-DD"),
    ({"content_date": "1999-12-31"}, "content_date: 1999-12-31 is before 2000-01-01 [after_or_equal]"),
    ({"application_date": "2019-12-31"}, "application_date: 2019-12-31 is before 2020-01-01 [after_or_equal]"),
    ({"application_date": "2038-01-02"}, "application_date: 2038-01-02 is after 2038-01-01 [before_or_equal]"),
    ({"end_date_account_restriction": "2026-02-30"}, "end_date_account_restriction: '2026-02-30' is not a date"),
    ({"automated_detection": True}, 'automated_detection: must be a string (use "Yes" or "No") [string]'),
    ({"automated_detection": "yes"}, "automated_detection: 'yes' is not an allowed value [in]"),
    ({"automated_decision": "Yes"}, "automated_decision: 'Yes' is not an allowed value [in]"),
    ({"content_type": ["CONTENT_TYPE_MEME"]}, "content_type: 'CONTENT_TYPE_MEME' is not an allowed value [in]"),
    ({"source_type": "SOURCE_OTHER"}, "source_type: 'SOURCE_OTHER' is not an allowed value [in]"),
    ({"category": "STATEMENT_CATEGORY_TERRORISM"}, "category: 'STATEMENT_CATEGORY_TERRORISM' is not an allowed value"),
    ({"category_addition": ["STATEMENT_CATEGORY_CHILD_SAFETY"]},
     "category_addition: 'STATEMENT_CATEGORY_CHILD_SAFETY'"),
    ({"category_specification": ["KEYWORD_BLUE_WHALE"]}, "category_specification: 'KEYWORD_BLUE_WHALE' is not"),
    ({"puid": "rr 2026/1"}, "puid: may contain only letters a-z A-Z, digits, - and _ [regex]"),
    ({"puid": "x" * 501}, "puid: is 501 characters; at most 500 [max]"),
    ({"decision_facts": "ф" * 5001}, "decision_facts: is 5001 characters; at most 5000 [max]"),
    ({"illegal_content_explanation": "ә" * 2001}, "illegal_content_explanation: is 2001 characters; at most 2000"),
    ({"decision_ground_reference_url": "terms#2.1"}, "decision_ground_reference_url: must be an http(s) URL [url]"),
    ({"content_id": {"EAN-13": "123"}}, "content_id: EAN-13 must be exactly 13 digits [ean13]"),
    ({"decision_type": "removal"}, "decision_type: is not a statement-of-reasons field (API v2) [unknown_field]"),
    ({"content_type": "CONTENT_TYPE_TEXT"}, "content_type: must be a list of strings [array]"),
])
def test_each_rule_gives_one_clear_line(make_statement: Make, fields: dict[str, Any], expected: str) -> None:
    found = errors(make_statement(**fields))
    assert any(line.startswith(expected) for line in found), found
    with pytest.raises(SorInvalid) as exc:
        parse(make_statement(**fields))
    assert expected in exc.value.detail


@pytest.mark.parametrize(("fields", "expected"), [
    ({"source_type": "SOURCE_VOLUNTARY"},
     "source_identity: is discarded by the API when source_type is SOURCE_VOLUNTARY"),
    ({"decision_visibility_other": "shadow"}, "decision_visibility_other: is discarded by the API unless"),
    ({"content_type_other": "sticker"}, "content_type_other: is discarded by the API unless content_type has"),
    ({"incompatible_content_ground": "ToS"}, "incompatible_content_ground: is discarded by the API unless"),
    ({"incompatible_content_illegal": "Yes"}, "incompatible_content_illegal: is discarded by the API unless"),
    ({"category_specification_other": "x"}, "category_specification_other: is discarded by the API unless"),
    ({"category_addition": ["STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"]}, "category_addition: repeats the main"),
    ({"category_specification": ["KEYWORD_PHISHING"]},
     "category_specification: KEYWORD_PHISHING is documented under STATEMENT_CATEGORY_SCAMS_AND_FRAUD"),
    ({"category_specification": ["KEYWORD_OTHER"]}, "category_specification_other: describe the keyword"),
    ({"end_date_visibility_restriction": "2026-01-01"}, "end_date_visibility_restriction: 2026-01-01 is before"),
])
def test_warnings_keep_the_statement_and_export_drops_what_the_api_discards(
        make_statement: Make, fields: dict[str, Any], expected: str) -> None:
    data = make_statement(**fields)
    assert errors(data) == []
    assert any(line.startswith(expected) for line in warnings(data)), warnings(data)
    body = parse(data)[0].to_api()
    field = expected.split(":")[0]
    if "discarded" in expected:
        assert field not in body
    if field == "category_addition":
        assert "category_addition" not in body


def test_keywords_in_category_addition_are_consistent(make_statement: Make) -> None:
    data = make_statement(category_addition=["STATEMENT_CATEGORY_PROTECTION_OF_MINORS"],
                          category_specification=["KEYWORD_TERRORIST_CONTENT", "KEYWORD_UNSAFE_CHALLENGES"])
    assert check(data) == []


def test_incompatible_ground_statement(make_statement: Make) -> None:
    data = make_statement(decision_ground="DECISION_GROUND_INCOMPATIBLE_CONTENT", illegal_content_legal_ground=None,
                          illegal_content_explanation=None, incompatible_content_ground="Community Guidelines §2.1",
                          incompatible_content_explanation="Dangerous challenge", incompatible_content_illegal="No",
                          decision_visibility=None, decision_account="DECISION_ACCOUNT_SUSPENDED",
                          end_date_account_restriction="2026-12-27", source_type="SOURCE_VOLUNTARY",
                          source_identity=None)
    body = parse(data)[0].to_api()
    assert body["incompatible_content_illegal"] == "No" and body["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"


def test_json_export_batches_of_at_most_100_and_rejects_invalid(make_statement: Make, tmp_path: Path) -> None:
    statements = [make_statement(puid=f"rr-{i}", decision_facts=TEXTS["kk"]) for i in range(230)]
    statements[7] = make_statement(puid="rr-bad", content_date="yesterday")
    result = export(statements, tmp_path, fmt="json")
    assert result.exported == 229
    assert [r.index for r in result.checked.rejected] == [7]
    assert result.checked.rejected[0].lines("in.json") == [
        "in.json: statement 7 (puid rr-bad): content_date: 'yesterday' is not a date in the format YYYY-MM-DD "
        "[date_format]"]
    sizes = [len(json.loads(f.read_text(encoding="utf-8"))["statements"]) for f in result.files]
    assert sizes == [100, 100, 29]
    raw = result.files[0].read_text(encoding="utf-8")
    assert TEXTS["kk"] in raw  # written as is, not \u escapes
    assert "rr-bad" not in "".join(f.read_text(encoding="utf-8") for f in result.files)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_round_trip_keeps_cyrillic_kazakh_georgian_armenian(make_statement: Make, tmp_path: Path, fmt: str) -> None:
    statements = [make_statement(puid=f"rr-{lang}", decision_facts=text, illegal_content_explanation=text,
                                 content_language=lang.upper() if lang != "hy" else "HY",
                                 content_id={"EAN-13": "4006381333931"}) for lang, text in TEXTS.items()]
    result = export(statements, tmp_path / "out", fmt=fmt)
    assert result.exported == 4
    back = read_csv(result.files[0]) if fmt == "csv" else read_statements(result.files[0])
    assert [s["decision_facts"] for s in back] == list(TEXTS.values())
    expected = [parse(s)[0].to_api() for s in statements]
    assert back == expected
    for s in back:  # what comes back is valid again
        assert errors(s) == []


def test_read_statements_accepts_one_a_list_or_a_bulk_body(make_statement: Make, tmp_path: Path) -> None:
    for doc in (make_statement(), [make_statement()], {"statements": [make_statement()]}):
        path = tmp_path / "in.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        assert len(read_statements(path)) == 1
