"""Error pages for the web UI (the API answers problem+json instead)."""

from __future__ import annotations

import html

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response


def html_error(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    body = (f"<!doctype html><meta charset=utf-8><title>{status} {html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p><p><a href='/'>Home</a></p>")
    return HTMLResponse(body, status_code=status)
