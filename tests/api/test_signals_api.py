"""The signals API: batch intake (partial / all-or-nothing, idempotent), lists, series, trends, tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apikit import PROBLEM, Caller, snapshot
from fastapi.testclient import TestClient

from rapidresponse.db import unit_of_work
from rapidresponse.signals import service


def _run_stage() -> int:
    """The pipeline stage, as the worker runs it behind intake (the test app runs no worker)."""
    with unit_of_work() as s:
        return service.process_pending(s)

BASE = datetime.fromisoformat("2026-03-01T08:00:00+00:00")


def _rows(n: int, start: int = 0, **over: Any) -> list[dict[str, Any]]:
    return [{"external_id": f"a-{i}", "source": "classifier", "occurred_at": (BASE + timedelta(minutes=i)).isoformat(),
             "text": f"собачий кайф челлендж, видео {i}", "harm": "dangerous_challenge", "country": "KZ",
             "language": "kk", **over} for i in range(start, start + n)]


def test_batch_partial_and_idempotent(client: TestClient, login: Callable[..., Caller]) -> None:
    analyst = login("analyst")
    body = {"signals": [*_rows(3), {"external_id": "bad", "source": "classifier"}]}
    got = client.post("/api/v1/signals:batch", json=body, headers=analyst.headers)
    assert got.status_code == 200, got.text
    data = got.json()
    assert (data["inserted"], data["duplicates"], data["status"]) == (3, 0, "accepted")
    assert data["rejected"] == [{"row": 3, "external_id": "bad", "reason": "occurred_at: Field required"}]
    again = client.post("/api/v1/signals:batch", json=body, headers=analyst.headers).json()
    assert (again["inserted"], again["duplicates"]) == (0, 3)
    assert _run_stage() == 3  # the text search reads the fold the stage stores
    listed = client.get("/api/v1/signals", params={"country": "KZ", "q": "КАЙФ"}, headers=analyst.headers).json()
    assert listed["total"] == 3 and listed["items"][0]["text"] == "собачий кайф челлендж, видео 2"


def test_batch_all_or_nothing_is_422_and_changes_nothing(client: TestClient, login: Callable[..., Caller]) -> None:
    admin = login("admin")
    body = {"signals": [*_rows(3), {**_rows(1, 9)[0], "harm": "nope"}]}
    before = snapshot()
    got = client.post("/api/v1/signals:batch", params={"mode": "all_or_nothing"}, json=body, headers=admin.headers)
    assert got.status_code == 422 and got.headers["content-type"].startswith(PROBLEM)
    assert got.json()["rejected"] == [{"row": 3, "external_id": "a-9",
                                       "reason": "harm: unknown harm 'nope' (see `rapidresponse policy taxonomy`)"}]
    assert snapshot() == before


def test_batch_of_ten_thousand_fits_and_more_is_refused(client: TestClient, login: Callable[..., Caller]) -> None:
    admin = login("admin")
    got = client.post("/api/v1/signals:batch", json={"signals": _rows(10_000)}, headers=admin.headers)
    assert got.status_code == 200 and got.json()["inserted"] == 10_000
    over = client.post("/api/v1/signals:batch", json={"signals": _rows(10_001)}, headers=admin.headers)
    assert over.status_code == 422 and over.headers["content-type"].startswith(PROBLEM)
    assert _run_stage() == 10_000
    series = client.get("/api/v1/series", headers=admin.headers, params={
        "harm": "dangerous_challenge", "country": "kz", "since": "2026-03-01T08:00:00Z",
        "until": "2026-03-01T09:00:00Z", "bucket_minutes": 15}).json()
    assert [p["count"] for p in series["points"]] == [15, 15, 15, 15]
    trends = client.get("/api/v1/trends", headers=admin.headers).json()
    assert trends and trends[0]["count"] >= 2


def test_token_scopes_and_roles(client: TestClient, login: Callable[..., Caller]) -> None:
    body = {"signals": _rows(1)}
    read_only = login("responder", scopes=["signals:read"])
    got = client.post("/api/v1/signals:batch", json=body, headers=read_only.headers)
    assert got.status_code == 403 and got.headers["content-type"].startswith(PROBLEM)
    writer = login("responder", scopes=["signals:write"])
    assert client.post("/api/v1/signals:batch", json=body, headers=writer.headers).status_code == 200
    assert client.get("/api/v1/signals", headers=writer.headers).status_code == 403
    viewer = login("viewer")
    assert client.get("/api/v1/series", headers=viewer.headers, params={
        "since": "2026-03-01T08:00:00Z", "until": "2026-03-01T09:00:00Z"}).status_code == 403


def test_bad_queries_are_problems(client: TestClient, login: Callable[..., Caller]) -> None:
    admin = login("admin")
    for params in ({"since": "2026-03-01T08:00:00Z", "until": "2026-03-01T09:00:00Z", "bucket_minutes": 7},
                   {"since": "2026-03-01T09:00:00Z", "until": "2026-03-01T08:00:00Z"},
                   {"since": "2020-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}):
        got = client.get("/api/v1/series", headers=admin.headers, params=params)
        assert got.status_code == 422 and got.headers["content-type"].startswith(PROBLEM), params
    assert client.get("/api/v1/trends/999999", headers=admin.headers).status_code == 404


def test_batch_rejects_nul_and_deep_rows_alone(client: TestClient, login: Callable[..., Caller]) -> None:
    analyst = login("analyst")
    deep: Any = 1
    for _ in range(100):
        deep = {"a": deep}
    body = {"signals": [*_rows(2), {**_rows(1, 5)[0], "text": "nul\u0000here"},
                        {**_rows(1, 6)[0], "metadata": deep}]}
    got = client.post("/api/v1/signals:batch", json=body, headers=analyst.headers)
    assert got.status_code == 200, got.text
    data = got.json()
    assert data["inserted"] == 2 and [r["row"] for r in data["rejected"]] == [2, 3]
    assert "NUL" in data["rejected"][0]["reason"] and "nested more than" in data["rejected"][1]["reason"]
