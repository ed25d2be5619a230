"""The risk API: the register with its heatmap, a risk's workflow from draft to approval, mitigations,
the digest and its schedule, the annual report, and the errors bad input gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from apikit import Caller
from fastapi.testclient import TestClient


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))


def test_a_risk_from_draft_to_approval(client: TestClient, login: Callable[..., Caller]) -> None:
    author, reviewer, legal, boss = login("policy"), login("policy"), login("legal"), login("commander")
    made = client.post("/api/v1/risks", headers=author.headers, json={
        "harm": "grooming", "country": "RU", "likelihood": 3, "impact": 5, "impact_reason": "harm to minors"})
    assert made.status_code == 201, made.text
    risk = made.json()
    path = made.headers["location"]
    assert path == f"/api/v1/risks/{risk['id']}" and risk["band"] == "high" and risk["area"] == "minors"
    assert {i["name"] for i in risk["indicators"]} >= {"signals", "alerts", "incidents", "requests"}

    steps = [(author, "submit", 200), (boss, "approve", 409), (reviewer, "review", 200), (legal, "review", 200),
             (legal, "review", 409), (legal, "approve", 403), (boss, "approve", 200), (boss, "approve", 409)]
    for who, step, status in steps:
        got = client.post(f"{path}/assessments/1/{step}", headers=who.headers)
        assert got.status_code == status, (step, got.text)
        if status >= 400:
            assert got.headers["content-type"].startswith("application/problem+json")
    approved = client.get(path, headers=boss.headers).json()
    assert approved["version"] == 1 and approved["assessments"][0]["state"] == "approved"

    added = client.post(f"{path}/mitigations", headers=author.headers,
                        json={"kind": "lexicon", "ref": "ru-grooming", "description": "coded terms"})
    assert added.status_code == 201 and added.json()["mitigations"][0]["ref"] == "ru-grooming"
    mid = added.json()["mitigations"][0]["id"]
    assert client.delete(f"{path}/mitigations/{mid}", headers=author.headers).json()["mitigations"] == []
    assert client.delete(f"{path}/mitigations/{mid}", headers=author.headers).status_code == 404
    edited = client.patch(path, headers=author.headers, json={"description": "Grooming in Russian-language chats"})
    assert edited.status_code == 200 and edited.json()["description"].startswith("Grooming")

    listed = client.get("/api/v1/risks?country=RU", headers=boss.headers).json()
    assert listed["total"] == 1 and len(listed["heatmap"]) == 25 and listed["matrix"][0]["band"] == "high"


def test_bad_input_gets_clear_errors(client: TestClient, login: Callable[..., Caller]) -> None:
    author, viewer = login("policy"), login("viewer")
    body = {"harm": "grooming", "country": "RU", "likelihood": 3, "impact": 5}
    assert client.post("/api/v1/risks", headers=author.headers, json=body).status_code == 201
    assert client.post("/api/v1/risks", headers=author.headers, json=body).status_code == 409
    for bad in ({**body, "likelihood": 6}, {**body, "country": "XX"}, {**body, "harm": "No Such"},
                {**body, "extra": 1}, {**body, "likelihood": "three"}):
        got = client.post("/api/v1/risks", headers=author.headers, json=bad)
        assert got.status_code == 422, (bad, got.text)
    assert client.post("/api/v1/risks", headers=author.headers,
                       json={**body, "harm": "no_such_harm"}).status_code == 422
    assert client.get("/api/v1/risks/999999", headers=author.headers).status_code == 404
    assert client.get("/api/v1/risks/9223372036854775808", headers=author.headers).status_code == 422
    assert client.post("/api/v1/risks/1/assessments/0/submit", headers=author.headers).status_code == 422
    assert client.get("/api/v1/risks", headers=viewer.headers).status_code == 403
    assert client.get("/api/v1/risks?band=extreme", headers=author.headers).status_code == 422
    assert client.post("/api/v1/risks/1/assessments", headers=author.headers,
                       json={"likelihood": 1, "impact": 1, "residual_likelihood": 1, "residual_impact": 1}
                       ).status_code == 422  # why is required


def test_the_digest_and_the_report(client: TestClient, login: Callable[..., Caller]) -> None:
    boss, lead = login("commander"), login("comms", email="lead@example.org", locale="ru")
    got = client.put("/api/v1/risks/digest/schedule", headers=boss.headers, json={
        "weekday": 4, "hour": 8, "timezone": "Asia/Tashkent", "recipients": [lead.actor.username]})
    assert got.status_code == 200 and got.json()["enabled"] is True and got.json()["timezone"] == "Asia/Tashkent"
    assert client.put("/api/v1/risks/digest/schedule", headers=lead.headers, json={}).status_code == 403
    assert client.put("/api/v1/risks/digest/schedule", headers=boss.headers,
                      json={"timezone": "Nowhere/City"}).status_code == 422
    assert client.get("/api/v1/risks/digest/schedule", headers=lead.headers).json()["weekday"] == 4
    digest = client.get("/api/v1/risks/digest?language=ru", headers=lead.headers).json()
    assert digest["subject"].startswith("Еженедельная сводка") and "<h1>" in digest["html"]
    assert client.post("/api/v1/risks/digest/send", headers=boss.headers).json() == {"queued": 1}
    assert client.post("/api/v1/risks/digest/send", headers=boss.headers).json() == {"queued": 0}
    report = client.get("/api/v1/risks/report?language=ru", headers=lead.headers)
    assert report.status_code == 200 and report.text.startswith("# Оценка системных рисков")
    pdf = client.get("/api/v1/risks/report?format=pdf", headers=lead.headers)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
