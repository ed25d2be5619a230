"""Every form POST of the web UI refuses a missing or wrong CSRF token with 403 and changes nothing."""

from __future__ import annotations

import collections
from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from webkit import declare

from rapidresponse import events
from rapidresponse.app import PAGES
from rapidresponse.auth import Actor
from rapidresponse.auth.models import User, WebSession
from rapidresponse.db import unit_of_work
from rapidresponse.incidents.models import Note, Task

FORM_DATA = {
    "status": "active", "reason": "because", "level": "1", "role": "scribe", "username": "",
    "other": "", "into": "", "kind": "related", "body": "a note", "pinned": "1", "title": "A title",
    "type": "other", "locale": "ru", "current_password": "x", "new_password": "y" * 12,
    "new_password2": "y" * 12,
}


def _state() -> tuple[int, ...]:
    with unit_of_work(read_only=True) as s:
        counts = [int(s.execute(select(func.count()).select_from(model)).scalar_one())
                  for model in (events.Event, WebSession, Note, Task)]
        changed = s.execute(select(func.count()).select_from(User).where(User.locale != "en")).scalar_one()
        return (*counts, int(changed))


def _web_posts() -> list[str]:
    return [route.path for module in PAGES for route in module.router.routes
            if isinstance(route, APIRoute) and "POST" in route.methods]


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_every_form_post_checks_csrf(client: TestClient, logged_in: Callable[..., tuple[Actor, str]],
                                     make_user: Callable[..., Actor], token: str | None) -> None:
    _, csrf = logged_in("admin")
    other = make_user("responder")
    ref = declare(client, csrf)
    second = declare(client, csrf, title="Second")
    client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "first"})
    client.post(f"/incidents/{ref}/tasks", data={"csrf_token": csrf, "title": "first"})
    with unit_of_work(read_only=True) as s:
        note_id = s.execute(select(Note.id)).scalar_one()
        task_id = s.execute(select(Task.id).where(Task.title == "first")).scalar_one()
    paths = _web_posts()
    assert {"/login", "/logout", "/locale", "/incidents/new", "/incidents/{ref}/status",
            "/incidents/{ref}/notes", "/incidents/{ref}/tasks/{task_id}"} <= set(paths)
    before = _state()
    data = {**FORM_DATA, "username": other.username, "other": second, "into": second}
    if token is not None:
        data["csrf_token"] = token
    for path in paths:
        known = {"ref": ref, "note_id": note_id, "task_id": task_id, "playbook_id": "dangerous_challenge",
                 "slug": "pr", "code": "KZ", "name": "authorised_body_request", "decision": "accept"}
        url = path.format_map(collections.defaultdict(lambda: "1", known))  # other ids: 1
        resp = client.post(url, data=data, follow_redirects=False)
        assert resp.status_code == 403, (url, resp.status_code)
        assert "Forbidden" in resp.text
        assert _state() == before, url
    # the same posts with the right token work (the check is what refused them)
    ok = client.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf, "body": "ok"}, follow_redirects=False)
    assert ok.status_code == 303


def test_session_token_of_another_user_is_refused(client: TestClient, make_user: Callable[..., Actor],
                                                  logged_in: Callable[..., tuple[Actor, str]]) -> None:
    from webkit import login

    _, csrf_a = logged_in("commander")
    ref = declare(client, csrf_a)
    other = TestClient(client.app)
    login(other, make_user("commander").username)
    before = _state()
    resp = other.post(f"/incidents/{ref}/notes", data={"csrf_token": csrf_a, "body": "x"}, follow_redirects=False)
    assert resp.status_code == 403 and _state() == before
