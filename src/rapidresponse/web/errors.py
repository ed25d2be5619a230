"""Error pages for the web UI (the API answers problem+json instead).

A 404 page never repeats what was asked for, so that an unknown incident and a restricted one
the user may not know of give the same page.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import http
from ..errors import DomainError
from ..i18n import N_
from .security import login_url

log = structlog.get_logger("rapidresponse.web")


def _texts(status: int, detail: str) -> tuple[str, str]:
    """(title msgid, detail) for a status; details are shown only where they help and leak nothing."""
    if status == 404:
        return N_("Not found"), ""
    if status == 403:
        return N_("Forbidden"), ""
    if status == 405:
        return N_("Method not allowed"), ""
    if status == 409:
        return N_("Conflict"), detail
    if status == 422:
        return N_("Validation failed"), detail
    if status == 429:
        return N_("Too many requests"), detail
    return N_("Something went wrong"), detail


def html_error(request: Request, status: int, title: str, detail: str,
               headers: Mapping[str, str] | None = None) -> Response:
    if status == 401:
        return RedirectResponse(login_url(request), status_code=303)
    msgid, shown = _texts(status, detail)
    try:
        from .templating import render

        page = render(request, "error.html", {"status": status, "title_msgid": msgid, "detail": shown, "here": "/"},
                      status=status)
    except Exception as exc:  # the error page must not fail itself (e.g. database down)
        log.warning("cannot render error page", error=str(exc))
        body = (f"<!doctype html><meta charset=utf-8><title>{status} {html.escape(title)}</title>"
                f"<h1>{html.escape(title)}</h1><p>{html.escape(shown)}</p><p><a href='/'>Home</a></p>")
        page = HTMLResponse(body, status_code=status)
    page.headers.update(headers or {})
    return page


async def _domain_error(request: Request, exc: Exception) -> Any:
    if http.is_api(request):
        return await http.domain_error(request, exc)
    assert isinstance(exc, DomainError)
    return html_error(request, exc.status, exc.title, exc.detail)


async def _validation_error(request: Request, exc: Exception) -> Any:
    if http.is_api(request):
        return await http.validation_error(request, exc)
    assert isinstance(exc, RequestValidationError)
    return html_error(request, 422, "Validation failed", http.validation_detail(exc)[0])


async def _http_error(request: Request, exc: Exception) -> Any:
    assert isinstance(exc, StarletteHTTPException)
    if not http.is_api(request) and exc.status_code in (404, 405):
        return html_error(request, exc.status_code, str(exc.detail), str(exc.detail),
                          http.error_headers(request, exc))
    return await http.http_error(request, exc)


def install(app: FastAPI) -> None:
    """Answer errors of page requests with an HTML page; the API's stay problem+json."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
