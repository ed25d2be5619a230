"""Methods a path does not answer get 405 naming the ones it does; numbers are never read as dates;
a page never starts before the first row or holds fewer than one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from apikit import Caller, assert_problem, snapshot
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rapidresponse.auth import Actor
from rapidresponse.cli import app as cli
from rapidresponse.db import unit_of_work
from rapidresponse.errors import ValidationFailed
from rapidresponse.notify import service as notify

Login = Callable[..., Caller]
GOOD = {"title": "Choking challenge", "type": "dangerous_challenge", "countries": ["KZ"], "languages": ["kk"]}


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/api/v1/incidents", "GET, POST"), ("PUT", "/api/v1/incidents", "GET, POST"),
    ("PUT", "/api/v1/signals", "GET"), ("DELETE", "/api/v1/decisions", "GET, POST"),
    ("POST", "/api/v1/incidents/INC-2026-0001", "GET, PATCH"),
])
def test_api_method_not_allowed_is_405_with_allow(client: TestClient, login: Login, method: str, path: str,
                                                 allow: str) -> None:
    admin = login("admin")
    before = snapshot()
    got = client.request(method, path, headers=admin.headers)
    assert_problem(got, 405)
    assert got.headers["allow"] == allow
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/incidents"), ("PUT", "/signals"), ("POST", "/")])
def test_page_method_not_allowed_is_405_with_allow(client: TestClient, method: str, path: str) -> None:
    got = client.request(method, path)
    assert got.status_code == 405 and got.headers["allow"] == "GET"
    assert got.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/signals", {"until": "0.5"}, "until"), ("/api/v1/signals", {"since": "1772352000"}, "since"),
    ("/api/v1/signals", {"since": "-1e3"}, "since"),
    ("/api/v1/series", {"since": "0", "until": "2026-03-01T00:00:00Z"}, "since"),
    ("/api/v1/trends", {"since": "1"}, "since"), ("/api/v1/detection/series", {"harm": "x", "until": "12"}, "until"),
    ("/api/v1/oncall/fairness", {"start": "1772352000"}, "start"),
])
def test_numbers_are_not_dates_in_queries(client: TestClient, login: Login, path: str, params: dict[str, str],
                                          field: str) -> None:
    problem = assert_problem(client.get(path, params=params, headers=login("admin").headers), 422)
    assert field in problem["detail"] and "not a number" in problem["detail"]


@pytest.mark.parametrize("when", [1772352000, 1772352000.5, "1772352000"])
def test_numbers_are_not_dates_in_bodies(client: TestClient, login: Login, when: Any) -> None:
    commander = login("commander")
    before = snapshot()
    got = client.post("/api/v1/incidents", json={**GOOD, "detected_at": when}, headers=commander.headers)
    assert "detected_at" in assert_problem(got, 422)["detail"]
    assert snapshot() == before


def test_iso_dates_still_work(client: TestClient, login: Login) -> None:
    got = client.get("/api/v1/signals", params={"since": "2026-03-01T00:00:00Z", "until": "2026-03-02T00:00:00+05:00"},
                     headers=login("admin").headers)
    assert got.status_code == 200, got.text


@pytest.mark.parametrize("path", ["/api/v1/signals", "/api/v1/incidents", "/api/v1/decisions", "/api/v1/alerts",
                                  "/api/v1/cases", "/api/v1/notifications", "/api/v1/requests",
                                  "/api/v1/oncall/pages", "/api/v1/trends"])
@pytest.mark.parametrize("params", [{"offset": "-1"}, {"limit": "0"}, {"limit": "-5"}])
def test_negative_offsets_and_empty_pages_are_422(client: TestClient, login: Login, path: str,
                                                 params: dict[str, str]) -> None:
    if "offset" in params and path in ("/api/v1/oncall/pages", "/api/v1/trends"):
        pytest.skip("this list has no offset")
    assert_problem(client.get(path, params=params, headers=login("admin").headers), 422)


def test_services_refuse_a_page_before_the_first_row(make_user: Callable[..., Actor]) -> None:
    admin = make_user("admin")
    with unit_of_work(read_only=True) as s:
        with pytest.raises(ValidationFailed, match="offset"):
            notify.list_outbox(s, admin, offset=-1)
        with pytest.raises(ValidationFailed, match="limit"):
            notify.list_outbox(s, admin, limit=0)


def test_cli_refuses_a_negative_limit(make_user: Callable[..., Actor]) -> None:
    make_user("admin", username="boss")
    got = CliRunner().invoke(cli, ["signals", "trends", "--limit", "-1", "--as", "boss"])
    assert got.exit_code != 0 and "limit" in got.output and "Traceback" not in got.output
