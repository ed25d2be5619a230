"""The dashboard: open incidents by severity, my tasks, recent activity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from .. import incidents, requests
from ..db import unit_of_work
from ..web import pages
from ..web.activity import describe
from ..web.context import request_locale
from ..web.security import WebUser, require_user
from ..web.templating import render

router = APIRouter(include_in_schema=False)
pages.templates(__file__)


@router.get("/")
def dashboard(request: Request, user: Annotated[WebUser, Depends(require_user)]) -> Response:
    locale = request_locale(request)
    actor = user.actor
    with unit_of_work(read_only=True) as s:
        counts = incidents.open_by_severity(s, actor)
        tasks = incidents.my_tasks(s, actor, limit=15)
        activity = [
            {"at": ev.occurred_at, "actor": ev.actor, "ref": ev.payload.get("ref", ""),
             "text": describe(locale, ev.type, ev.payload)}
            for ev in incidents.recent_activity(s, actor, limit=25)
        ]
        clocks = requests.open_clocks(s, actor)
    total = sum(counts.values())
    top = max(counts.values()) if total else 0
    return render(request, "dashboard/home.html", {
        "counts": counts, "total_open": total, "top": top, "tasks": tasks, "activity": activity,
        "clocks": clocks,
    })
