"""Helpers for web UI tests: read CSRF tokens from pages, log in through the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def page_csrf(client: TestClient, path: str = "/") -> str:
    resp = client.get(path)
    assert resp.status_code == 200, resp.text
    return csrf_from(resp.text)


def login(client: TestClient, username: str, password: str = PASSWORD, next: str = "/") -> str:
    """Log in through the form; returns the session's CSRF token."""
    token = page_csrf(client, "/login")
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": next}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    return page_csrf(client, "/incidents" if resp.headers["location"] != "/account/password"
                     else "/account/password")


def declare(client: TestClient, csrf: str, **fields: str) -> str:
    """Declare through the form; returns the new reference."""
    data = {"csrf_token": csrf, "title": "Choking challenge among minors", "type": "dangerous_challenge",
            "countries": "KZ, RU", "languages": "ru, kk", **fields}
    resp = client.post("/incidents/new", data=data, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    location = resp.headers["location"]
    return location.split("/incidents/")[1].split("?")[0]
