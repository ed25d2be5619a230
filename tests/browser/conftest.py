"""Browser fixtures: a real server (uvicorn, in a subprocess) on a loopback port with its own SQLite
database, driven by real Chromium through Playwright. SQLite only: the server is a separate process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browserkit import PASSWORD, LiveServer, serve

CHROMIUM = os.environ.get("RAPIDRESPONSE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium, or make browser-deps)"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        import playwright  # noqa: F401
    except ImportError:
        if IN_CI:
            pytest.fail("browser tests need the playwright package")
        pytest.skip("browser tests need the playwright package (pip install -e '.[dev]')")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_chromium()
    from rapidresponse.web.templating import compile_catalogs

    compile_catalogs()  # the Russian UI needs the .mo; `make catalogs` does the same
    var = tmp_path_factory.mktemp("browser-var")
    with serve(var) as server:
        yield server


@pytest.fixture(scope="session")
def browser(live_server: LiveServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies); any JavaScript dialog is recorded in ``page.dialogs``."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.dialogs = []

    def on_dialog(dialog: Any) -> None:
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def log_in(live_server: LiveServer, page: Any) -> Callable[..., str]:
    """Log in through the login form as a new user of ``role``; returns the username."""

    def run(role: str = "commander", **kw: Any) -> str:
        username = live_server.make_user(role, **kw)
        page.goto(live_server.url + "/")
        assert page.url.startswith(live_server.url + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(live_server.url + "/")
        return username

    return run
