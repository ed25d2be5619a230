"""HTTP plumbing shared by every router: who is calling, RFC 9457 problem+json errors, body limits,
documents to download."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import re
from collections.abc import Mapping
from typing import Annotated, Any

import orjson
import structlog
from fastapi import Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import auth, documents
from .auth import Actor, SignedIn
from .config import get_settings
from .db import MAX_ID, unit_of_work
from .errors import DomainError, NotAuthenticated, PermissionDenied


def document(markdown: str, fmt: str, *, title: str, language: str, name: str) -> Response:
    """A document to download: ``markdown`` as it is, or typeset as PDF when ``fmt`` is ``pdf``."""
    if fmt == "pdf":
        return Response(documents.pdf(markdown, title=title, language=language), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
    return Response(markdown, media_type="text/markdown; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.md"'})


def json_response(content: Any, status_code: int = 200) -> Response:
    """``content`` (plain dicts, lists, strings, numbers, UTC datetimes) as JSON, encoded by orjson the way
    FastAPI's pydantic encoder writes the route's ``response_model`` (UTC as ``Z``, UTF-8 text): for
    lists read on every request, which then skip building and validating a model per item."""
    return Response(orjson.dumps(content, option=orjson.OPT_UTC_Z), status_code=status_code,
                    media_type="application/json")


Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL: out of range is 422 before anything is looked up."""
SESSION_COOKIE = "rr_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
log = structlog.get_logger("rapidresponse.http")


def problem(status: int, title: str, detail: str, headers: Mapping[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    sent = {**({"WWW-Authenticate": "Bearer"} if status == 401 else {}), **(headers or {})}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=sent or None)


def client_ip(request: Request) -> str:
    """The address of whoever sent the request: the peer, or, when the peer is a configured trusted
    proxy, the nearest address in X-Forwarded-For that is not one (a client cannot forge its way past
    a proxy that appends what it saw)."""
    peer = request.client.host if request.client else "unknown"
    proxies = _networks(tuple(get_settings().trusted_proxies))
    if not proxies or not _within(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, proxies):
            return hop if _address(hop) is not None else peer
    return peer


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _within(text: str, networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]) -> bool:
    addr = _address(text)
    return addr is not None and any(addr in net for net in networks)


def session_user(request: Request) -> SignedIn | None:
    """The user behind the session cookie, or None; looked up once per request."""
    if hasattr(request.state, "session_user"):
        cached: SignedIn | None = request.state.session_user
        return cached
    found: SignedIn | None = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with unit_of_work(read_only=True) as s:
            found = auth.resolve_session(s, token)
    request.state.session_user = found
    return found


def tokens_match(a: str, b: str) -> bool:
    """Compare secrets in constant time; an empty one never matches."""
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def current_actor(request: Request) -> Actor:
    """FastAPI dependency: a Bearer token, or a session cookie (with a CSRF header on writes)."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated("use 'Authorization: Bearer <token>'")
        actor = auth.authenticate_token(secret.strip())
    else:
        found = session_user(request)
        if found is None:
            raise NotAuthenticated("log in or send an API token")
        actor = found.actor
        if request.method not in SAFE_METHODS and not tokens_match(request.headers.get(CSRF_HEADER, ""),
                                                                   found.csrf_token):
            raise PermissionDenied("missing or wrong CSRF token (send it in the X-CSRF-Token header)")
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
"""An endpoint parameter: the authenticated caller."""


def is_api(request: Request) -> bool:
    """A request to the REST API or a health check (answered with problem+json, never a page)."""
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/readyz")


async def domain_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, DomainError)
    return problem(exc.status, exc.title, exc.detail, **exc.extra)


def _jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        out.append({"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", "")),
                    "type": str(err.get("type", ""))})
    return out


def validation_detail(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """The first error as one line, and every error."""
    errors = _jsonable_errors(exc.errors())
    first = errors[0] if errors else {"loc": [], "msg": "invalid input"}
    detail = f"{'.'.join(first['loc'])}: {first['msg']}" if first["loc"] else str(first["msg"])
    return detail, errors


async def validation_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, RequestValidationError)
    detail, errors = validation_detail(exc)
    return problem(422, "Validation failed", detail, errors=errors)


def allowed_methods(request: Request) -> list[str]:
    """The methods some route answers on the request's path (a path may have one route per method)."""
    routes = request.app.router.routes
    return [m for m in METHODS
            if any(route.matches({**request.scope, "method": m})[0] == Match.FULL for route in routes)]


def error_headers(request: Request, exc: StarletteHTTPException) -> dict[str, str]:
    """The headers of a routing error; a 405's ``Allow`` names every method of the path, not one route's."""
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return headers


async def http_error(request: Request, exc: Exception) -> Any:
    """Routing errors as problem+json, with their headers."""
    assert isinstance(exc, StarletteHTTPException)
    return problem(exc.status_code, str(exc.detail), str(exc.detail), headers=error_headers(request, exc))


async def unhandled_error(request: Request, exc: Exception) -> Any:
    log.exception("unhandled error", path=request.url.path)
    return problem(500, "Internal server error", "the server failed; the error was logged")


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (or the larger limit of a bulk path) with 413 before
    the app reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None,
                 patterns: dict[str, int] | None = None) -> None:
        self.app, self.default_max, self.larger = app, max_bytes, larger or {}
        # Paths with ids (file uploads): a regular expression matched against the whole path.
        self.patterns = [(re.compile(p), n) for p, n in (patterns or {}).items()]

    def _max_for(self, path: str) -> int:
        if path in self.larger:
            return self.larger[path]
        return next((n for p, n in self.patterns if p.fullmatch(path)), self.default_max)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send, self._max_for(scope.get("path", "")))

    async def _limited(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > max_bytes):
            await self._reject(scope, receive, send, max_bytes)
            return
        # A chunked body, or one longer than its Content-Length, is counted as it is read. Once it is
        # over the limit the app is told the client went away, its answer is dropped, and 413 is sent:
        # raising from receive() would reach the app wrapped (exception groups, "error parsing the
        # body") rather than as a clear 413.
        seen, too_large, started = 0, False, False

        async def limited() -> Message:
            nonlocal seen, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes and not started:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if too_large:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not too_large:
                raise
        if too_large:
            await self._reject(scope, receive, send, max_bytes)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem(413, "Payload too large", f"the request body is over {max_bytes} bytes")
        await response(scope, receive, send)

