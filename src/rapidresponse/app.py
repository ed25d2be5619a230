"""The FastAPI application: REST API under /api/v1, the web UI, health and metrics."""

from __future__ import annotations

import hmac
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__, domains, events, http, logs
from .analytics import api as analytics_api
from .analytics import views as analytics_views
from .approvals import api as approvals_api
from .approvals import views as approvals_views
from .auth import api as auth_api
from .auth import views as auth_views
from .config import get_settings
from .dashboard import api as dashboard_api
from .dashboard import views as dashboard_views
from .db import get_engine
from .decisions import api as decisions_api
from .decisions import views as decisions_views
from .detection import api as detection_api
from .detection import views as detection_views
from .errors import DomainError
from .hashes import api as hashes_api
from .hashes import views as hashes_views
from .incidents import api as incidents_api
from .incidents import views as incidents_views
from .language import api as language_api
from .language import views as language_views
from .notify import api as notify_api
from .notify import views as notify_views
from .oncall import api as oncall_api
from .oncall import views as oncall_views
from .playbooks import api as playbooks_api
from .playbooks import views as playbooks_views
from .policy import api as policy_api
from .policy import views as policy_views
from .privacy import api as privacy_api
from .privacy import views as privacy_views
from .requests import api as requests_api
from .requests import views as requests_views
from .reviews import api as reviews_api
from .reviews import views as reviews_views
from .risk import api as risk_api
from .risk import views as risk_views
from .signals import api as signals_api
from .signals import views as signals_views
from .translation import api as translation_api
from .translation import views as translation_views
from .web import site
from .wellness import api as wellness_api
from .wellness import views as wellness_views

API = (incidents_api, auth_api, notify_api, playbooks_api, approvals_api, oncall_api, policy_api, requests_api,
       decisions_api, language_api, signals_api, hashes_api, detection_api, reviews_api, analytics_api,
       risk_api, wellness_api, translation_api, privacy_api, dashboard_api)
PAGES = (auth_views, dashboard_views, incidents_views, playbooks_views, approvals_views, notify_views, oncall_views,
         requests_views, policy_views, decisions_views, language_views, hashes_views, signals_views, detection_views,
         reviews_views, analytics_views, risk_views, wellness_views, translation_views, privacy_views)
REQUESTS = Counter("rapidresponse_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("rapidresponse_http_request_seconds", "HTTP request latency", ["method", "route"])
events.subscriber_failures()  # listed from the first scrape
log = structlog.get_logger("rapidresponse.http")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")  # a caller's id is kept only when it is short and plain


class Observe:
    """Every HTTP request: a request id (the caller's when short and plain) bound to its log lines and
    sent back, the security headers, and the request counted and timed per route. Plain ASGI (no
    extra task or body stream per request, as a ``BaseHTTPMiddleware`` would add)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        method = scope["method"]

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                route = getattr(scope.get("route"), "path", "unmatched")
                REQUESTS.labels(method, route, status).inc()
                LATENCY.labels(method, route).observe(time.perf_counter() - started)
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")
                if self.hsts:  # served over HTTPS: browsers must never fall back to plain HTTP
                    headers.setdefault("strict-transport-security", "max-age=31536000; includeSubDomains")
                if status >= 500:  # still inside the request's context: the line has its id
                    log.error("request failed", method=method, route=route, status=status)
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            structlog.contextvars.clear_contextvars()


def create_app(*, embedded_worker: bool | None = None) -> FastAPI:
    settings = get_settings()
    logs.setup(settings.log_level, settings.log_json)
    domains.load()
    run_worker = settings.embedded_worker if embedded_worker is None else embedded_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads  # = the pool's size
        stop = None
        if run_worker:
            from . import worker

            _, stop = worker.start_in_thread(settings.worker_interval_seconds)
        yield
        if stop is not None:
            stop.set()

    app = FastAPI(
        title="rapidresponse", version=__version__, lifespan=lifespan,
        description="Incident response for Trust & Safety teams. Authenticate with "
                    "`Authorization: Bearer <token>` (create one with `rapidresponse users token`). "
                    "Errors are RFC 9457 problem+json.",
        docs_url=None, openapi_url="/api/openapi.json", redoc_url=None,
    )
    app.add_exception_handler(DomainError, http.domain_error)
    app.add_exception_handler(RequestValidationError, http.validation_error)
    app.add_exception_handler(StarletteHTTPException, http.http_error)
    app.add_exception_handler(Exception, http.unhandled_error)
    # Health checks first: a request is matched against the routes in order, and falling through
    # every router's routes costs more than the check itself.
    _add_operational_routes(app)
    for module in API:
        app.include_router(module.router)
    _add_api_docs(app)
    site.mount(app)
    for module in PAGES:
        app.include_router(module.router)
    _document_problems(app)

    app.add_middleware(Observe, hsts=settings.cookie_secure)
    app.add_middleware(http.BodyLimit, max_bytes=settings.max_body_bytes,
                       larger={"/api/v1/signals:batch": settings.max_signal_batch_bytes},
                       patterns={r"(/api/v1)?/hashlists/\d+/import": settings.max_hash_upload_bytes,
                                 r"/api/v1/hashes:match(-image)?|/hashlists/check": settings.max_hash_upload_bytes})
    return app


def _add_api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/docs, its scripts and styles served from the installed swagger-ui-bundle
    (no CDN: the docs work on a network without the internet)."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    assets = "/api/docs/assets"
    app.mount(assets, StaticFiles(directory=swagger_ui_path), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> Response:
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="rapidresponse API",
                                   swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{assets}/swagger-ui.css",
                                   swagger_favicon_url=f"{assets}/favicon-32x32.png")


def _add_operational_routes(app: FastAPI) -> None:
    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    def readyz() -> Response:
        """The database answers."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # the point is to report any failure
            return http.problem(503, "Not ready", f"database unavailable: {type(exc).__name__}")
        return Response('{"status":"ready"}', media_type="application/json")

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        """Prometheus metrics; with ``RAPIDRESPONSE_METRICS_TOKEN`` set, only for ``Bearer <that token>``."""
        expected = get_settings().metrics_token
        if expected:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return http.problem(401, "Not authenticated", "metrics need the metrics token as a Bearer token",
                                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document; validation errors list each one in `errors`.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "loc": {"type": "array", "items": {"type": "string"}}, "msg": {"type": "string"},
            "type": {"type": "string"}}}},
    },
}


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI schema say what errors really are: problem+json, on every operation.

    FastAPI documents its own 422 shape (``HTTPValidationError``, application/json); this app answers
    every error, 422 included, with problem+json (see :mod:`.http`).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        components["Problem"] = PROBLEM_SCHEMA
        error = {"description": "Error (RFC 9457 problem)",
                 "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {**error, "description": "Validation failed"}
                responses.setdefault("default", error)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
