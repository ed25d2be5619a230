"""Web UI routes: server-rendered pages that work without JavaScript.

Views stay thin: parse the form, call a service inside one unit of work, redirect (303).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from . import (
    approval_views,
    auth_views,
    dashboard,
    detection_views,
    hashlist_views,
    incident_actions,
    incident_views,
    lexicon_views,
    notify_views,
    oncall_actions,
    oncall_views,
    playbook_views,
    policy_views,
    request_views,
    signal_views,
    update_views,
)
from .errors import html_error, install
from .security import CsrfFailed, Redirect
from .templating import HERE

ROUTERS = (auth_views.router, dashboard.router, incident_views.router, incident_actions.router,
           playbook_views.router, update_views.router, approval_views.router, notify_views.router,
           oncall_views.router, oncall_actions.router,
           request_views.router, policy_views.router, lexicon_views.router, hashlist_views.router,
           signal_views.router, detection_views.router)


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
    for router in ROUTERS:
        app.include_router(router)
