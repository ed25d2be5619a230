"""User administration in real Chromium: an administrator creates a user (a one-time password shown
once), changes their role and deactivates them; the deactivated user's open session ends at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browserkit import LiveServer

pytestmark = pytest.mark.browser


def test_admin_creates_promotes_and_deactivates_a_user(live_server: LiveServer, page: Any, browser: Any,
                                                       log_in: Callable[..., str]) -> None:
    base = live_server.url
    log_in("admin")
    page.click("a.who-admin")
    page.wait_for_url(f"{base}/admin/users")
    form = page.locator("form[action='/admin/users']")
    form.locator("input[name=username]").fill("dana.browser")
    form.locator("input[name=display_name]").fill("Dana B")
    form.locator("input[name=email]").fill("dana@example.org")
    form.locator("select[name=role]").select_option("viewer")
    form.locator("button[type=submit]").click()
    password = page.locator("code.one-time-password").inner_text()
    assert len(password) >= 10
    row = page.locator("tr.user-row[data-username='dana.browser']")
    assert "Dana B" in row.inner_text() and "dana@example.org" in row.inner_text()

    # Dana logs in elsewhere with the one-time password and must choose her own.
    other = browser.new_context()
    dana = other.new_page()
    dana.goto(f"{base}/login")
    dana.fill("input[name=username]", "dana.browser")
    dana.fill("input[name=password]", password)
    dana.click("form[action='/login'] button[type=submit]")
    dana.wait_for_url(f"{base}/account/password")
    dana.fill("input[name=current_password]", password)
    dana.fill("input[name=new_password]", "violet tangerine kettle 42")
    dana.fill("input[name=new_password2]", "violet tangerine kettle 42")
    dana.click("form[action='/account/password'] button[type=submit]")
    dana.wait_for_url(f"{base}/?done=password")

    row.locator("a").click()
    page.wait_for_url(f"{base}/admin/users/dana.browser")
    page.locator("form[action$='/role'] select[name=role]").select_option("responder")
    page.locator("form[action$='/role'] button[type=submit]").click()
    page.wait_for_url(f"{base}/admin/users/dana.browser?done=user_updated")
    assert "Responder" in page.locator("dl.facts").inner_text()

    page.locator("form[action$='/deactivate'] button[type=submit]").click()
    page.wait_for_url(f"{base}/admin/users/dana.browser?done=user_updated")
    assert page.locator("dd.user-active").inner_text() == "no"
    assert page.locator("form[action$='/reactivate']").count() == 1

    dana.goto(f"{base}/incidents")  # her session ended with the deactivation
    assert dana.url.startswith(f"{base}/login")
    other.close()
