"""Helpers for the API tests: callers with real tokens or sessions, problem checks, DB snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text

from rapidresponse import db
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from rapidresponse.events import Event

PROBLEM = "application/problem+json"


@dataclass
class Caller:
    """A user with a real API token."""

    actor: Actor
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def username(self) -> str:
        return self.actor.username


@dataclass
class WebCaller:
    """A user with a real web session (cookie + CSRF token)."""

    actor: Actor
    cookie: str
    csrf: str

    @property
    def cookies(self) -> dict[str, str]:
        return {"rr_session": self.cookie}


def token_for(actor: Actor, *, scopes: list[str] | None = None, days: int | None = 90) -> str:
    with unit_of_work() as s:
        _, secret = auth.create_token(s, actor, name="tests", scopes=scopes, days=days)
    return secret


def session_for(actor: Actor) -> tuple[str, str]:
    with unit_of_work() as s:
        user = auth.find_person(s, actor.username)
        return auth.start_session(s, user, ip="testclient", user_agent="pytest")


def snapshot() -> dict[str, Any]:
    """Every table's row count, and the content of the incident tables, to prove nothing changed."""
    out: dict[str, Any] = {}
    with unit_of_work(read_only=True) as s:
        for table in db.Base.metadata.sorted_tables:
            out[table.name] = s.execute(select(func.count()).select_from(table)).scalar_one()
        for name in ("incidents", "incident_members", "incident_notes", "incident_tasks", "incident_links",
                     "users", "api_tokens"):
            if name in db.Base.metadata.tables:
                rows = s.execute(text(f"SELECT * FROM {name} ORDER BY 1")).all()
                out[f"{name}:rows"] = [tuple(str(v) for v in r) for r in rows]
        out["events:last"] = s.execute(select(func.max(Event.id))).scalar_one()
    return out


def assert_problem(resp: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status``; returns its body."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["content-type"].startswith(PROBLEM), resp.headers["content-type"]
    body: dict[str, Any] = resp.json()
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body
