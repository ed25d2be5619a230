"""The site around every domain's pages: static files, error pages, redirects and CSRF refusals.

Pages are server-rendered and work without JavaScript; each domain's ``views.py`` holds its own.
Views stay thin: parse the form, call a service inside one unit of work, redirect (303).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from .errors import html_error, install
from .security import CsrfFailed, Redirect
from .templating import HERE


async def _redirect(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Redirect)
    return RedirectResponse(exc.url, status_code=303)


async def _csrf_failed(request: Request, exc: Exception) -> Response:
    return html_error(request, 403, "Forbidden", "")


def mount(app: FastAPI) -> None:
    install(app)
    app.add_exception_handler(Redirect, _redirect)
    app.add_exception_handler(CsrfFailed, _csrf_failed)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
