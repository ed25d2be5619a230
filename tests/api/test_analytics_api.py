"""The analytics API: the console (JSON, CSV, Parquet), metrics with their filters and CSV, saved
queries, the schema browser and the warehouse's status, with the errors bad input gets."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from apikit import Caller
from fastapi.testclient import TestClient


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))


@pytest.fixture
def synced(client: TestClient, login: Callable[..., Caller], declare: Callable[..., dict[str, Any]]) -> Caller:
    """Two incidents in the warehouse; returns an analyst."""
    commander = login("commander")
    declare(commander, title="Choking challenge KZ", countries=["KZ"])
    declare(commander, title="Hate wave RU", type="hate_speech_wave", countries=["RU"], languages=["ru"])
    analyst = login("analyst")
    resp = client.post("/api/v1/analytics/sync", headers=analyst.headers)
    assert resp.status_code == 200 and resp.json()["incidents"] == 2, resp.text
    return analyst


def test_the_console_answers_in_json_csv_and_parquet(client: TestClient, synced: Caller) -> None:
    body = {"sql": "SELECT ref, title FROM incidents WHERE title LIKE $t ORDER BY ref", "params": {"t": "%KZ%"}}
    got = client.post("/api/v1/analytics/query", json=body, headers=synced.headers)
    assert got.status_code == 200, got.text
    out = got.json()
    assert out["columns"] == ["ref", "title"] and out["row_count"] == 1 and not out["truncated"]
    assert out["rows"][0][1] == "Choking challenge KZ"
    csv = client.post("/api/v1/analytics/query?format=csv", json=body, headers=synced.headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "Choking challenge KZ" in csv.text and "attachment" in csv.headers["content-disposition"]
    parquet = client.post("/api/v1/analytics/query?format=parquet", json=body, headers=synced.headers)
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == 1
    history = client.get("/api/v1/analytics/history", headers=synced.headers).json()
    assert len(history) == 3 and all(h["error"] is None for h in history)


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({"sql": "DELETE FROM incidents"}, 400, "read-only SELECT"),
    ({"sql": "SELECT * FROM read_csv('/etc/passwd')"}, 400, "read_csv() is not available"),
    ({"sql": "SELECT * FROM users"}, 400, "no table 'users'"),
    ({"sql": ""}, 422, ""),
    ({"sql": "SELECT 1", "extra": True}, 422, ""),
    ({"sql": "SELECT 1", "limit": 0}, 422, ""),
    ({"sql": "SELECT $missing"}, 400, "parameter"),
    ({"sql": "SELECT 'a\x00b'"}, 422, ""),
])
def test_bad_queries_get_a_clear_error(client: TestClient, synced: Caller, body: dict[str, Any], status: int,
                                       detail: str) -> None:
    got = client.post("/api/v1/analytics/query", json=body, headers=synced.headers)
    assert got.status_code == status, got.text
    assert got.headers["content-type"].startswith("application/problem+json")
    assert detail in got.json()["detail"]


def test_roles_without_the_console_are_refused(client: TestClient, synced: Caller,
                                               login: Callable[..., Caller]) -> None:
    viewer, comms = login("viewer"), login("comms")
    assert client.post("/api/v1/analytics/query", json={"sql": "SELECT 1"}, headers=viewer.headers).status_code == 403
    assert client.get("/api/v1/analytics/overview", headers=viewer.headers).status_code == 403
    assert client.get("/api/v1/analytics/overview", headers=comms.headers).status_code == 200  # metrics only
    assert client.post("/api/v1/analytics/query", json={"sql": "SELECT 1"}, headers=comms.headers).status_code == 403
    scoped = login("analyst", scopes=["analytics:read"])
    refused = client.post("/api/v1/analytics/query", json={"sql": "SELECT 1"}, headers=scoped.headers)
    assert refused.status_code == 403 and "scope" in refused.json()["detail"]


def test_metrics_take_filters_and_download_as_csv(client: TestClient, synced: Caller) -> None:
    got = client.get("/api/v1/analytics/metrics/by_country", headers=synced.headers)
    assert got.status_code == 200, got.text
    assert dict(map(tuple, got.json()["rows"])) == {"KZ": 1, "RU": 1}
    only_ru = client.get("/api/v1/analytics/metrics/by_country?language=ru&harm=hate-speech", headers=synced.headers)
    assert only_ru.status_code == 200
    csv = client.get("/api/v1/analytics/metrics/by_country?format=csv", headers=synced.headers)
    assert csv.headers["content-type"].startswith("text/csv") and "KZ" in csv.text
    overview = client.get("/api/v1/analytics/overview", headers=synced.headers).json()
    assert overview["incidents"] == 2 and {s["stage"] for s in overview["stages"]} >= {"declare", "mitigate"}
    for bad in ("/api/v1/analytics/metrics/nope", "/api/v1/analytics/metrics/by_country?start=2026-13-01",
                "/api/v1/analytics/metrics/by_country?start=2026-03-02&end=2026-03-01",
                "/api/v1/analytics/metrics/by_country?severity=9", "/api/v1/analytics/metrics/by_country?country=XX1",
                "/api/v1/analytics/overview?unknown=1"):
        assert client.get(bad, headers=synced.headers).status_code == 422, bad


def test_saved_queries_round_trip(client: TestClient, synced: Caller, login: Callable[..., Caller]) -> None:
    body = {"name": "Incidents in a country", "description": "by ISO code",
            "sql": "SELECT count(*) AS n FROM incident_tags WHERE kind = 'country' AND value = $c",
            "parameters": [{"name": "c", "default": "KZ"}], "shared_with": "analyst"}
    made = client.post("/api/v1/analytics/queries", json=body, headers=synced.headers)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    assert made.headers["location"].endswith(f"/queries/{key}")
    run = client.post(f"/api/v1/analytics/queries/{key}/run", json={"c": "RU"}, headers=synced.headers)
    assert run.status_code == 200 and run.json()["rows"] == [[1]]
    colleague = login("analyst")
    assert client.post(f"/api/v1/analytics/queries/{key}/run", json={}, headers=colleague.headers).json()["rows"] \
        == [[1]]
    assert client.delete(f"/api/v1/analytics/queries/{key}", headers=colleague.headers).status_code == 403
    unknown = client.post(f"/api/v1/analytics/queries/{key}/run", json={"x": 1}, headers=synced.headers)
    assert unknown.status_code == 422 and "no parameter 'x'" in unknown.json()["detail"]
    renamed = client.put(f"/api/v1/analytics/queries/{key}", json={**body, "name": "Per country"},
                         headers=synced.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Per country"
    bad_role = client.post("/api/v1/analytics/queries", json={**body, "shared_with": "nobody"}, headers=synced.headers)
    assert bad_role.status_code == 422
    assert client.delete(f"/api/v1/analytics/queries/{key}", headers=synced.headers).status_code == 204
    assert client.get(f"/api/v1/analytics/queries/{key}", headers=synced.headers).status_code == 404
    starters = [q for q in client.get("/api/v1/analytics/queries", headers=synced.headers).json() if q["starter"]]
    assert len(starters) >= 5
    ran = client.post(f"/api/v1/analytics/queries/{starters[0]['key']}/run", headers=synced.headers)
    assert ran.status_code == 200, ran.text


def test_the_schema_browser_and_status(client: TestClient, synced: Caller) -> None:
    tables = {t["name"]: t for t in client.get("/api/v1/analytics/tables", headers=synced.headers).json()}
    assert tables["incidents"]["rows"] == 2
    assert all(c["description"] for c in tables["incidents"]["columns"])
    assert {"signals", "pages", "requests", "series"} <= set(tables)
    status = client.get("/api/v1/analytics/status", headers=synced.headers).json()
    assert status["behind"]["signals"] == 0 and status["synced_at"]
