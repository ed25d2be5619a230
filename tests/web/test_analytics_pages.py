"""The analytics pages: the metrics page with its charts, tables and CSV downloads, and the SQL
console (run, refuse, download, save), in English and Russian."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webkit import declare

from rapidresponse import analytics
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.db import unit_of_work


@pytest.fixture(autouse=True)
def own_warehouse(tmp_path: Path, env: Callable[..., None]) -> None:
    env(analytics_path=str(tmp_path / "warehouse.duckdb"))


def _sync() -> None:
    with unit_of_work(read_only=True) as s:
        analytics.sync_now(s, SYSTEM)


def test_the_metrics_page_draws_charts_with_tables_and_csv(client: TestClient,
                                                           logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    declare(client, csrf, countries="KZ")
    declare(client, csrf, countries="RU, KZ")
    _sync()
    page = client.get("/analytics")
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") >= 4 and "tilemap" in html and "Harm × country" in html
    assert "/analytics/metrics/by_country.csv" in html and "<details" in html
    assert ">KZ<" in html.replace(" ", "") or "KZ" in html
    csv = client.get("/analytics/metrics/by_country.csv?country=KZ")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0] == '"value","incidents"' and '"KZ",2' in csv.text
    metric = client.get("/analytics/metrics/by_country")
    assert metric.status_code == 200 and "The period before" in metric.text and "<svg" in metric.text
    assert client.get("/analytics/metrics/no_such_metric").status_code == 404
    assert 'href="/analytics/metrics/weekly' in html
    filtered = client.get("/analytics?country=RU&severity=4")
    assert filtered.status_code == 200
    assert client.get("/analytics?start=not-a-date").status_code == 422
    client.post("/locale", data={"locale": "ru", "csrf_token": csrf, "next": "/analytics"})
    assert "Инциденты по неделям" in client.get("/analytics").text


def test_the_empty_warehouse_says_so_until_it_is_refreshed(client: TestClient,
                                                           logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("commander")
    declare(client, csrf, countries="KZ")
    page = client.get("/analytics")
    assert page.status_code == 200 and "No incident was declared in this period" in page.text
    refreshed = client.post("/analytics/sync", data={"csrf_token": csrf, "next": "/analytics?country=KZ"},
                            follow_redirects=False)
    assert refreshed.status_code == 303
    assert refreshed.headers["location"] == "/analytics?country=KZ&done=analytics_synced"
    after = client.get(refreshed.headers["location"])
    assert "The warehouse is up to date." in after.text and "No incident was declared" not in after.text
    outside = client.post("/analytics/sync", data={"csrf_token": csrf, "next": "https://elsewhere.example"},
                          follow_redirects=False)
    assert outside.headers["location"].startswith("/analytics?")


def test_the_console_runs_refuses_downloads_and_saves(client: TestClient,
                                                     logged_in: Callable[..., tuple[Actor, str]]) -> None:
    _, csrf = logged_in("analyst")
    _sync()
    page = client.get("/analytics/sql")
    assert page.status_code == 200 and "Challenges by country" in page.text and "incident_tags" in page.text
    run = client.post("/analytics/sql", data={"csrf_token": csrf, "params": "n=3",
                                              "sql": "SELECT range AS i, range * 2 AS twice FROM range($n)"})
    assert run.status_code == 200 and 'id="result"' in run.text and "3 rows" in run.text
    assert "<svg" in run.text  # a quick bar chart of the numbers
    refused = client.post("/analytics/sql", data={"csrf_token": csrf, "params": "", "sql": "DROP TABLE signals"})
    assert refused.status_code == 400 and "read-only SELECT" in refused.text
    assert "DROP TABLE signals" in refused.text  # the query is kept to be corrected
    download = client.post("/analytics/sql/download", data={"csrf_token": csrf, "params": "", "format": "csv",
                                                             "sql": "SELECT 42 AS answer"})
    assert download.status_code == 200 and download.text.splitlines() == ['"answer"', "42"]
    saved = client.post("/analytics/queries", data={"csrf_token": csrf, "name": "The answer", "description": "",
                                                     "sql": "SELECT 42 AS answer", "params": "", "shared_with": ""},
                        follow_redirects=False)
    assert saved.status_code == 303 and "done=query_saved" in saved.headers["location"]
    again = client.get(saved.headers["location"])
    assert "The answer" in again.text and "SELECT 42 AS answer" in again.text and "The query was saved." in again.text
    nameless = client.post("/analytics/queries", data={"csrf_token": csrf, "name": "", "sql": "SELECT 1",
                                                        "params": "", "shared_with": ""})
    assert nameless.status_code == 422
    no_csrf = client.post("/analytics/sql", data={"sql": "SELECT 1"})
    assert no_csrf.status_code in (400, 403)
