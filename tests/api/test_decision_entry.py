"""Recording a decision through the API: a decision affecting EU users that could never become a valid
DSA statement of reasons is a 422 problem naming the field, and nothing is stored; strict input
(unknown fields, NUL characters) is a 422 on every database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient

DECISION = {"puid": "pl-1", "content_date": "2026-02-27", "action": "remove", "harm": "dangerous_challenge",
            "explanation": "Dangerous challenge", "facts": "Choking challenge video", "territorial_scope": ["PL"]}
# (the decision's fields, the field the problem names, the statement rule it breaks)
REFUSED = [
    ({"puid": "pl/video/1"}, "puid", "regex"),
    ({"puid": "pl video 1"}, "puid", "regex"),
    ({"content_type": "other"}, "content_type_other", "required_if"),
    ({"content_language": "kaa"}, "content_language", "in"),
    ({"content_date": "1999-12-31"}, "content_date", "after_or_equal"),
    ({"end_date": "2038-01-02"}, "end_date", "before_or_equal"),
    ({"policy_clause": "x" * 501}, "policy_clause", "max"),
    ({"explanation": "x" * 2001}, "explanation", "max"),
    ({"ground": "law", "legal_ground": "x" * 501}, "legal_ground", "max"),
]


@pytest.mark.parametrize(("fields", "field", "rule"), REFUSED)
def test_a_decision_that_makes_no_valid_statement_is_refused(client: TestClient, login: Callable[..., Caller],
                                                             fields: dict[str, Any], field: str, rule: str) -> None:
    policy = login("policy")
    state = snapshot()
    resp = client.post("/api/v1/decisions", json={**DECISION, **fields}, headers=policy.headers)
    body = assert_problem(resp, 422)
    assert body["field"] == field and body["detail"].startswith(f"{field}: ") and f"[{rule}]" in body["detail"]
    assert body["errors"][0]["loc"] == ["body", field]
    assert snapshot() == state


def test_a_valid_decision_exports_as_a_valid_statement(client: TestClient, login: Callable[..., Caller]) -> None:
    policy = login("policy")
    other = {**DECISION, "content_type": "other", "content_type_other": "Livestream replay"}
    resp = client.post("/api/v1/decisions", json=other, headers=policy.headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["content_type_other"] == "Livestream replay"
    export = client.get("/api/v1/decisions/sor", headers=policy.headers).json()
    assert export["exported"] == 1 and export["rejected"] == []
    (st,) = export["batches"][0]["statements"]
    assert st["content_type"] == ["CONTENT_TYPE_OTHER"] and st["content_type_other"] == "Livestream replay"


def test_decisions_outside_the_eu_are_not_held_to_the_statement_rules(client: TestClient,
                                                                      login: Callable[..., Caller]) -> None:
    policy = login("policy")
    kz = {**DECISION, "puid": "kz/clip/1", "content_language": "kaa", "territorial_scope": ["KZ"],
          "action": "geo_restrict"}
    assert client.post("/api/v1/decisions", json=kz, headers=policy.headers).status_code == 201
    assert client.get("/api/v1/decisions/sor", headers=policy.headers).json()["exported"] == 0


@pytest.mark.parametrize("change", [{"facts": "Choking\x00challenge"}, {"puid": "pl-\x00"},
                                    {"content_type_other": "a\x00"}, {"territorial_scope": ["PL\x00"]},
                                    {"colour": "red"}])
def test_strict_input_is_a_422_on_every_database(client: TestClient, login: Callable[..., Caller],
                                                 change: dict[str, Any]) -> None:
    policy = login("policy")
    state = snapshot()
    assert_problem(client.post("/api/v1/decisions", json={**DECISION, **change}, headers=policy.headers), 422)
    decision = client.post("/api/v1/decisions", json=DECISION, headers=policy.headers).json()
    assert_problem(client.post(f"/api/v1/decisions/{decision['id']}/appeals",
                               json={"appellant": "uploader", "reason": "x\x00"}, headers=policy.headers), 422)
    assert_problem(client.get("/api/v1/decisions", params={"harm": "a\x00"}, headers=policy.headers), 422)
    assert snapshot()["policy_appeals"] == state["policy_appeals"]
