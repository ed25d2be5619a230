"""The policy API: reference data, the incident rules checklist, requests, decisions and their export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient
from sqlalchemy import update

from rapidresponse.db import unit_of_work
from rapidresponse.decisions.models import ContentDecision

REQUEST = {"country": "KZ", "regulator": "mci", "sender": "Министерство культуры и информации",
           "legal_basis": "Закон № 18-VIII ст. 9(4)(2)", "language": "kk", "received_at": "2026-03-01T08:00:00+00:00",
           "items": ["https://example.org/v/1", "  https://example.org/v/1  ", "vid:9"]}
DECISION = {"puid": "pl-1", "content_date": "2026-02-27", "action": "remove", "harm": "dangerous_challenge",
            "explanation": "Dangerous challenge", "facts": "Choking challenge video", "territorial_scope": ["pl"]}


def test_reference_data(client: TestClient, login: Callable[..., Caller]) -> None:
    responder = login("responder")
    countries = client.get("/api/v1/policy/countries", headers=responder.headers).json()
    assert {c["code"] for c in countries} >= {"KZ", "RU", "PL", "UA", "GE"}
    kz = client.get("/api/v1/policy/countries/kz", headers=responder.headers).json()
    assert kz["name"]["native"] == "Қазақстан"
    assert_problem(client.get("/api/v1/policy/countries/XX", headers=responder.headers), 404)
    nodes = client.get("/api/v1/policy/taxonomy", headers=responder.headers).json()["nodes"]
    assert any(n["slug"] == "grooming" for n in nodes)
    assert_problem(client.get("/api/v1/policy/taxonomy", headers=login("viewer").headers), 403)


def test_helpline_registry(client: TestClient, login: Callable[..., Caller], fake_clock: Any) -> None:
    responder = login("responder")
    kz = client.get("/api/v1/policy/helplines?country=kz", headers=responder.headers).json()
    child = next(h for h in kz if h["kind"] == "child")
    assert child["number"] == "150" and child["source"] and child["last_checked"] and child["stale"] is False
    everything = client.get("/api/v1/policy/helplines", headers=responder.headers).json()
    assert {h["country"] for h in everything} >= {"RU", "KZ", "UA", "PL"}
    fake_clock.advance(days=2000)
    responder = login("responder")  # the first token has expired
    assert all(h["stale"] for h in client.get("/api/v1/policy/helplines?country=RU",
                                              headers=responder.headers).json())
    assert_problem(client.get("/api/v1/policy/helplines?country=XX", headers=responder.headers), 404)
    assert_problem(client.get("/api/v1/policy/helplines?country=KAZ", headers=responder.headers), 422)
    assert_problem(client.get("/api/v1/policy/helplines", headers=login("viewer").headers), 403)


def test_incident_rules(client: TestClient, login: Callable[..., Caller],
                        declare: Callable[..., dict[str, Any]]) -> None:
    commander = login("commander")
    inc = declare(commander, countries=["KZ", "PL"], harm_categories=["dangerous-acts", "memes"])
    body = client.get(f"/api/v1/incidents/{inc['ref']}/rules", headers=commander.headers).json()
    assert body["harms"] == ["dangerous_acts"] and body["unknown_harms"] == ["memes"]
    keys = [o["key"] for o in body["obligations"]]
    assert "EU:dsa_art17" in keys and "KZ:authorised_body_request" in keys
    assert_problem(client.get("/api/v1/incidents/INC-2099-0001/rules", headers=commander.headers), 404)


def test_request_flow(client: TestClient, login: Callable[..., Caller]) -> None:
    legal = login("legal")
    resp = client.post("/api/v1/requests", json=REQUEST, headers=legal.headers)
    assert resp.status_code == 201, resp.text
    req = resp.json()
    assert req["ref"].startswith("REQ-2026-") and resp.headers["location"] == f"/api/v1/requests/{req['ref']}"
    assert [i["target"] for i in req["items"]] == ["https://example.org/v/1", "vid:9"]
    assert req["deadline"] == "authorised_body_request" and req["owner"] == legal.username
    assert req["clock"]["due_local"].startswith("2026-03-02T13:00:00+05:00")
    item = req["items"][1]["id"]
    url = f"/api/v1/requests/{req['ref'].lower()}/items/{item}/outcome"  # the reference or the id
    assert_problem(client.post(url, json={"outcome": "no_action"}, headers=legal.headers), 422)
    out = client.post(url, json={"outcome": "no_action", "reason": "not found"}, headers=legal.headers).json()
    assert out["items"][1]["outcome"] == "no_action"
    drafted = client.post(f"/api/v1/requests/{req['ref']}/reply/draft", headers=legal.headers).json()
    assert drafted["reply"]["languages"] == ["kk", "en"] and "Шара қолданылмады." in drafted["reply"]["body"]
    edited = client.put(f"/api/v1/requests/{req['id']}/reply", json={"body": "Құрметті әріптестер"},
                        headers=legal.headers).json()
    assert edited["reply"]["body"] == "Құрметті әріптестер" and edited["reply"]["status"] == "draft"
    listing = client.get("/api/v1/requests?status=open", headers=legal.headers).json()
    assert listing["total"] == 1 and listing["items"][0]["items"] == []
    submitted = client.post(f"/api/v1/requests/{req['id']}/reply/submit", headers=legal.headers).json()
    approval = submitted["reply"]["approval_id"]
    assert submitted["reply"]["status"] == "submitted" and approval
    other = login("legal")
    got = client.get(f"/api/v1/approvals/{approval}", headers=other.headers).json()
    assert got["text"] == "Құрметті әріптестер" and got["kind"] == "regulator_reply"
    decided = client.post(f"/api/v1/approvals/{approval}/decision", headers=other.headers,
                          json={"decision": "approved", "text_sha256": got["text_sha256"]})
    assert decided.status_code == 200, decided.text
    done = client.get(f"/api/v1/requests/{req['id']}", headers=legal.headers).json()
    assert done["status"] == "answered" and done["reply"]["status"] == "sent" and done["clock"]["level"] == "answered"
    assert_problem(client.post(f"/api/v1/requests/{req['id']}/reply/submit", headers=legal.headers), 409)
    assert_problem(client.get("/api/v1/requests/999", headers=legal.headers), 404)


def test_bad_request_input_changes_nothing(client: TestClient, login: Callable[..., Caller]) -> None:
    legal, responder = login("legal"), login("responder")
    state = snapshot()
    for change, status in (({"regulator": "rkn"}, 422), ({"country": "K1"}, 422), ({"items": []}, 422),
                           ({"received_at": "2026-03-01T08:00:00"}, 422), ({"language": "Kazakh"}, 422)):
        body = assert_problem(client.post("/api/v1/requests", json={**REQUEST, **change}, headers=legal.headers),
                              status)
        assert body["detail"]
    assert_problem(client.post("/api/v1/requests", json=REQUEST, headers=responder.headers), 403)
    assert snapshot() == state


def test_decisions_and_sor_export(client: TestClient, login: Callable[..., Caller]) -> None:
    policy = login("policy")
    resp = client.post("/api/v1/decisions", json=DECISION, headers=policy.headers)
    assert resp.status_code == 201, resp.text
    assert resp.json()["territorial_scope"] == ["PL"] and resp.json()["affects_eu"] is True
    assert_problem(client.post("/api/v1/decisions", json={**DECISION, "puid": "bad id"}, headers=policy.headers), 422)
    bad = client.post("/api/v1/decisions", json={**DECISION, "puid": "pl-2"}, headers=policy.headers).json()
    with unit_of_work() as s:  # as if recorded before decisions were checked as statements
        s.execute(update(ContentDecision).where(ContentDecision.id == bad["id"]).values(puid="bad id"))
    client.post("/api/v1/decisions", json={**DECISION, "puid": "ru-1", "territorial_scope": ["RU"],
                                           "action": "geo_restrict"}, headers=policy.headers)
    appealed = client.post(f"/api/v1/decisions/{bad['id']}/appeals", json={"appellant": "u", "reason": "r"},
                           headers=policy.headers).json()
    decided = client.post(f"/api/v1/decisions/{bad['id']}/appeals/{appealed['appeals'][0]['id']}",
                          json={"status": "upheld"}, headers=policy.headers).json()
    assert decided["appeals"][0]["status"] == "upheld"
    export = client.get("/api/v1/decisions/sor", headers=policy.headers).json()
    assert export["exported"] == 1 and len(export["batches"]) == 1
    assert export["batches"][0]["statements"][0]["puid"] == "pl-1"
    (rejected,) = export["rejected"]
    assert rejected["puid"] == "bad id" and {"field": "puid", "rule": "regex"}.items() <= rejected["issues"][0].items()
    assert client.get("/api/v1/decisions?eu_only=true", headers=policy.headers).json()["total"] == 2
    assert_problem(client.get("/api/v1/decisions/sor", headers=login("responder").headers), 403)
    assert_problem(client.post("/api/v1/decisions", json={**DECISION, "harm": "nope"}, headers=policy.headers), 422)
