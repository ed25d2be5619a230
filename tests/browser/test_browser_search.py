"""Global search in real Chromium, as a viewer: the / key opens it, and a restricted incident never shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser


def _incidents(server: LiveServer) -> tuple[str, str]:
    from rapidresponse.auth import service as auth
    from rapidresponse.db import make_engine
    from rapidresponse.incidents import service
    from rapidresponse.incidents.schemas import IncidentCreate

    name = server.make_user("commander")
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as s:
            actor = auth.to_actor(auth.find_person(s, name))
            shown = service.declare(s, actor, IncidentCreate(title="Kestrel hashtag wave", type="hate_speech_wave"))
            hidden = service.declare(s, actor, IncidentCreate(title="Kestrel grooming ring", type="child_safety"))
            s.commit()
            return shown.ref, hidden.ref
    finally:
        engine.dispose()


def test_a_viewer_searches_with_the_keyboard_and_never_finds_a_restricted_incident(
        live_server: LiveServer, page: Any, log_in: Callable[..., str]) -> None:
    shown, hidden = _incidents(live_server)
    log_in("viewer")
    page.keyboard.press("/")
    page.wait_for_url(live_server.url + "/search")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("kestrel")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/search?q=kestrel")
    results = page.locator(".search-results")
    assert results.get_by_role("link", name=f"{shown} · Kestrel hashtag wave").is_visible()
    assert hidden not in page.content() and "grooming" not in page.content().lower().replace("q=kestrel", "")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q", "on the search page, / focuses the box"
