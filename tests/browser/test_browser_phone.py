"""The UI on a phone (390 px wide) and on a desktop (1440 px), in real Chromium: every page each role can reach
by following links fits the width (nothing scrolls sideways), the navigation collapses into a menu on the
phone, and fits one line on the desktop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from browserkit import PASSWORD, LiveServer
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy.orm import Session

pytestmark = pytest.mark.browser
ROLES = ("commander", "responder", "legal", "viewer", "admin")
EVERY_ROLE = ("admin", "commander", "responder", "policy", "legal", "comms", "analyst", "viewer")
SKIP = re.compile(r"^/(logout|live/|api/|static/|oncall/feed/|oncall/ack/)|/live$|\.(csv|pdf|ics|json|md|parquet)$"
                  r"|/export|/download|format=(pdf|csv|md|json|ics|html)")
MOST_PAGES = 80


def _shape(path: str) -> str:
    """Pages of one kind once: /incidents/INC-2026-0001 and /incidents/INC-2026-0002 are one shape."""
    return re.sub(r"INC-\d{4}-\d{4}", "{ref}", re.sub(r"/\d+(?=/|$)", "/{id}", path))


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> Iterator[None]:
    """An incident with a task and a note, so the crawl reaches an incident's pages."""
    from rapidresponse.auth import SYSTEM
    from rapidresponse.auth import service as auth
    from rapidresponse.db import make_engine
    from rapidresponse.incidents import service, work
    from rapidresponse.incidents.schemas import IncidentCreate, NoteCreate, TaskCreate

    name = live_server.make_user("commander", timezone="Asia/Almaty")
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as s:
            actor = auth.to_actor(auth.find_person(s, name))
            inc = service.declare(s, actor, IncidentCreate(
                title="Очень длинное название инцидента о волне опасных челленджей среди подростков в Алматы",
                type="dangerous_challenge", countries=["KZ", "RU"], languages=["ru", "kk"]))
            work.add_task(s, actor, inc.ref, TaskCreate(title="Brief the helpline partner in Almaty", owner=name))
            work.add_note(s, actor, inc.ref, NoteCreate(body="https://example.org/" + "a" * 120))
            s.commit()
        del SYSTEM
    finally:
        engine.dispose()
    yield


def _log_in(browser: Any, server: LiveServer, role: str, width: int) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    username = server.make_user(role)
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(account/.*)?$"))
    return context, page


def _links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        foreign = "://" in href and not href.startswith(base)
        if not href or foreign or href.startswith(("#", "mailto:", "javascript:")):
            continue
        path = urldefrag(href.replace(base, ""))[0]
        if path.startswith("/") and not SKIP.search(path):
            out.append(path)
    return out


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone(live_server: LiveServer, browser: Any, world: None, role: str) -> None:
    context, page = _log_in(browser, live_server, role, 390)
    try:
        assert page.locator(".nav-toggle-label").is_visible(), "the navigation is a menu on a phone"
        assert not page.locator("nav.mainnav").is_visible()
        page.click(".nav-toggle-label")
        assert page.locator("nav.mainnav").is_visible()
        queue, seen, wide = ["/"], set(), []
        while queue and len(seen) < MOST_PAGES:
            path = queue.pop(0)
            shape = _shape(urlsplit(path).path)
            if shape in seen:
                continue
            seen.add(shape)
            try:
                response = page.goto(live_server.url + path)
            except PlaywrightError as exc:  # a link that downloads a file is no page
                if "Download is starting" in str(exc):
                    continue
                raise
            kind = response.headers.get("content-type", "") if response is not None else ""
            if response is None or response.status >= 400 or "text/html" not in kind:
                continue
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                culprit = page.evaluate("""() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(-1).map(e => e.tagName + '.' + e.className)[0] || ''""")
                wide.append(f"{path} (+{overflow}px, {culprit})")
            queue.extend(_links(page, live_server.url))
        assert len(seen) > 5, seen
        assert not wide, f"pages wider than a 390 px phone as {role}:\n  " + "\n  ".join(wide)
    finally:
        context.close()


def test_every_role_is_measured() -> None:
    from rapidresponse.auth import ROLES as ACCOUNT_ROLES

    assert set(EVERY_ROLE) == set(ACCOUNT_ROLES), "a new role must have its navigation measured too"


@pytest.mark.parametrize("role", EVERY_ROLE)
def test_the_navigation_fits_one_line_on_a_desktop(live_server: LiveServer, browser: Any, role: str) -> None:
    context, page = _log_in(browser, live_server, role, 1440)
    try:
        assert not page.locator(".nav-toggle-label").is_visible()
        tops = page.eval_on_selector_all("nav.mainnav > a, nav.mainnav > details > summary",
                                         "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
        assert tops and max(tops) - min(tops) <= 4, f"the navigation wraps for {role}: {tops}"
        height = page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
        assert height < 80, height
    finally:
        context.close()
