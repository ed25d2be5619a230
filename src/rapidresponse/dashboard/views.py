"""The first page after login (the "now" board) and the live streams that keep pages current."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from .. import incidents
from ..db import unit_of_work
from ..web import pages
from ..web.context import request_locale
from ..web.security import WebUser, require_user
from ..web.templating import render
from . import board, search
from .live import Listener, feed

router = APIRouter(include_in_schema=False)
pages.templates(__file__)
PING_SECONDS = 15
# A stream ends after this long and the browser reconnects, so a session logged out or a role changed
# since stops receiving within that time.
STREAM_SECONDS = 600


@router.get("/")
def dashboard(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    with unit_of_work(read_only=True) as s:
        now_board = board.build(s, user.actor, request_locale(request))
    return render(request, "dashboard/home.html", board.context(now_board))


async def _changes(listener: Listener) -> AsyncIterator[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    ends = loop.time() + STREAM_SECONDS
    try:
        yield {"event": "ready", "data": "{}", "retry": 3000}
        while (left := ends - loop.time()) > 0:
            try:
                change = await asyncio.wait_for(listener.queue.get(), timeout=left)
            except TimeoutError:
                return
            if listener.dropped:  # it fell behind: the page reloads what it shows
                listener.dropped = False
                yield {"event": "reload", "data": "{}"}
                continue
            yield {"event": "change", "id": str(change.id), "data": json.dumps(change.data())}
    finally:
        feed().leave(listener)


def _wants_events(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


@router.get("/search")
def search_page(request: Request, user: Annotated[WebUser, Depends(require_user)], q: str = "") -> Response:
    """Everything the viewer may see that matches the words of ``q``."""
    q = q.replace("\x00", "")[:200].strip()
    with unit_of_work(read_only=True) as s:
        found = search.search(s, user.actor, q)
    return render(request, "dashboard/search.html", {"q": q, "found": found, "kinds": search.KINDS})


@router.get("/live/board")
async def board_stream(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """What changes on the board, as server-sent events (only what this viewer may see); a browser that
    asks for a page instead is sent to the board."""
    if not _wants_events(request):
        return RedirectResponse("/", status_code=303)
    return EventSourceResponse(_changes(feed().listen(user.actor)), ping=PING_SECONDS)


def _incident_id(user: WebUser, ref: str) -> int:
    with unit_of_work(read_only=True) as s:
        return incidents.get(s, user.actor, ref).id


@router.get("/incidents/{ref}/live")
async def incident_stream(request: Request, ref: str, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    """What changes on one incident (timeline, tasks, status), as server-sent events."""
    incident_id = await run_in_threadpool(_incident_id, user, ref)
    if not _wants_events(request):
        return RedirectResponse(f"/incidents/{quote(ref.strip().upper())}", status_code=303)
    return EventSourceResponse(_changes(feed().listen(user.actor, incident_id)), ping=PING_SECONDS)
