"""Operational HTTP surface: health, readiness, Prometheus metrics, request ids, JSON logs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from rapidresponse import db
from rapidresponse.app import create_app
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_worker=False), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def bearer(make_user: Callable[..., Actor]) -> dict[str, str]:
    actor = make_user("viewer")
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="tests")
    return {"Authorization": f"Bearer {secret}"}


def _log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_healthz(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json() == {"status": "ok"}
    assert resp.headers["content-type"].startswith("application/json")


def test_readyz(client: TestClient) -> None:
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json() == {"status": "ready"}


def test_readyz_reports_an_unreachable_database(engine: Engine, capsys: pytest.CaptureFixture[str],
                                                tmp_path: Any) -> None:
    url = engine.url.render_as_string(hide_password=False)
    try:
        db.configure(f"sqlite:///{tmp_path / 'missing-dir' / 'nowhere.db'}")
        with TestClient(create_app(embedded_worker=False), raise_server_exceptions=False) as c:
            resp = c.get("/readyz", headers={"x-request-id": "ready-check-1"})
    finally:
        db.configure(url)
    assert resp.status_code == 503
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == 503 and "database unavailable" in body["detail"]
    assert resp.headers["x-request-id"] == "ready-check-1"
    failed = [line for line in _log_lines(capsys.readouterr().err) if line.get("event") == "request failed"]
    assert failed, "a 5xx answer is logged"
    assert failed[-1]["status"] == 503 and failed[-1]["route"] == "/readyz" and failed[-1]["level"] == "error"
    assert failed[-1]["request_id"] == "ready-check-1"
    assert "timestamp" in failed[-1]


def test_request_id_generated_or_echoed(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    # errors carry it too
    resp = client.get("/api/v1/me", headers={"X-Request-ID": "err-1"})
    assert resp.status_code == 401 and resp.headers["x-request-id"] == "err-1"


def test_security_headers(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "same-origin"


def test_metrics_count_requests_by_route_template(client: TestClient, bearer: dict[str, str]) -> None:
    client.get("/api/v1/incidents/INC-2026-0042", headers=bearer)
    client.get("/api/v1/incidents", headers=bearer)
    resp = client.get("/metrics")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    assert "# TYPE rapidresponse_http_requests_total counter" in text
    assert re.search(r'rapidresponse_http_requests_total\{method="GET",route="/api/v1/incidents/\{ref\}",'
                     r'status="404"\} [1-9]', text), text[:2000]
    assert re.search(r'rapidresponse_http_requests_total\{method="GET",route="/api/v1/incidents",'
                     r'status="200"\} [1-9]', text)
    assert "rapidresponse_http_request_seconds_bucket" in text
    # label values are route templates, never raw paths (no unbounded cardinality, no refs)
    assert "INC-2026-0042" not in text


def test_metrics_grow_with_requests(client: TestClient) -> None:
    def count() -> float:
        text = client.get("/metrics").text
        m = re.search(r'rapidresponse_http_requests_total\{method="GET",route="/healthz",status="200"\} ([0-9.e+]+)',
                      text)
        return float(m.group(1)) if m else 0.0

    before = count()
    for _ in range(3):
        client.get("/healthz")
    assert count() == before + 3


def test_logs_are_json_lines(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    create_app(embedded_worker=False)  # sets up logging
    capsys.readouterr()
    structlog.contextvars.bind_contextvars(request_id="log-test")
    try:
        structlog.get_logger("rapidresponse.test").warning("something happened", incident="INC-2026-0001",
                                                           text="Қазақстан ә ғ қ")
    finally:
        structlog.contextvars.clear_contextvars()
    lines = _log_lines(capsys.readouterr().err)
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "something happened" and line["level"] == "warning"
    assert line["request_id"] == "log-test" and line["incident"] == "INC-2026-0001"
    assert line["text"] == "Қазақстан ә ғ қ"
    assert re.match(r"\d{4}-\d\d-\d\dT", line["timestamp"])


def test_unknown_paths(client: TestClient) -> None:
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["status"] == 404


def test_openapi_documents_problem_errors(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    declare = schema["paths"]["/api/v1/incidents"]["post"]["responses"]
    assert "application/problem+json" in declare["422"]["content"]
    assert "application/problem+json" in declare["default"]["content"]
    assert client.get("/api/docs").status_code == 200


def test_the_api_docs_load_their_assets_from_this_server(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "http" not in page.text.split("<body>")[0].replace("http-equiv", "")
    urls = [u for u in ("/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css") if u in page.text]
    assert len(urls) == 2
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200 and len(asset.content) > 10_000


def test_hostile_request_ids_are_replaced(engine) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from rapidresponse.app import create_app

    client = TestClient(create_app(embedded_worker=False))
    assert client.get("/healthz", headers={"x-request-id": "abc-123"}).headers["x-request-id"] == "abc-123"
    for hostile in ("x" * 500, "a\tb", "<script>", "id with spaces"):
        echoed = client.get("/healthz", headers={"x-request-id": hostile}).headers["x-request-id"]
        assert echoed != hostile and len(echoed) == 16


def test_metrics_need_the_metrics_token_when_one_is_set(engine: Engine, env: Any) -> None:
    env(metrics_token="s3cret-metrics")
    with TestClient(create_app(embedded_worker=False), raise_server_exceptions=False) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/problem+json")
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        allowed = c.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
        assert allowed.status_code == 200 and "rapidresponse_http_requests_total" in allowed.text


def test_hsts_is_sent_only_when_cookies_are_secure(engine: Engine, env: Any) -> None:
    with TestClient(create_app(embedded_worker=False)) as c:
        assert "strict-transport-security" not in c.get("/healthz").headers
    env(cookie_secure="true")
    with TestClient(create_app(embedded_worker=False)) as c:
        assert c.get("/healthz").headers["strict-transport-security"].startswith("max-age=31536000")
