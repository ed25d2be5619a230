"""The token cache: each process keeps resolved API tokens in memory, checked against the database's
auth version, so that a revocation, a deactivation or a role change made anywhere is refused or
applied by the very next request of every process (real ``serve`` processes on the test database)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from processes import environment, serving
from rapidresponse import auth
from rapidresponse.auth import SYSTEM, Actor
from rapidresponse.auth import service as auth_service
from rapidresponse.db import get_engine, unit_of_work
from rapidresponse.errors import NotAuthenticated

pytestmark = pytest.mark.slow
DECLARE = {"title": "Token cache check", "type": "dangerous_challenge", "countries": ["KZ"], "languages": ["ru"]}


def _token(actor: Actor, *, scopes: list[str] | None = None) -> tuple[int, str]:
    with unit_of_work() as s:
        out, secret = auth.create_token(s, actor, name="cache test", scopes=scopes)
    return out.id, secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_revoked_through_one_process_is_refused_by_the_next_request_of_another(
        engine: Engine, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    commander = make_user("commander")
    token_id, secret = _token(commander)
    with serving(environment(engine, tmp_path), count=2) as (one, other):
        for served in (one, other, one, other):  # both processes have resolved (and kept) it
            assert httpx.get(served.url + "/api/v1/incidents", headers=_bearer(secret)).status_code == 200
        assert httpx.delete(f"{one.url}/api/v1/tokens/{token_id}", headers=_bearer(secret)).status_code == 204
        refused = httpx.get(other.url + "/api/v1/incidents", headers=_bearer(secret))
        assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
        assert httpx.get(one.url + "/api/v1/incidents", headers=_bearer(secret)).status_code == 401


def test_a_role_change_and_a_deactivation_apply_to_the_next_request(
        engine: Engine, make_user: Callable[..., Actor], tmp_path: Path) -> None:
    commander = make_user("commander")
    _, secret = _token(commander)
    with serving(environment(engine, tmp_path)) as (served,):
        assert httpx.post(served.url + "/api/v1/incidents", json=DECLARE, headers=_bearer(secret)).status_code == 201
        with unit_of_work() as s:  # another process: the test's own
            auth.update_user(s, SYSTEM, commander.username, role="viewer")
        demoted = httpx.post(served.url + "/api/v1/incidents", json=DECLARE, headers=_bearer(secret))
        assert demoted.status_code == 403 and "viewer" in demoted.json()["detail"]
        assert httpx.get(served.url + "/api/v1/incidents", headers=_bearer(secret)).status_code == 200
        with unit_of_work() as s:
            auth.update_user(s, SYSTEM, commander.username, is_active=False)
        assert httpx.get(served.url + "/api/v1/incidents", headers=_bearer(secret)).status_code == 401


def test_the_cache_answers_until_the_auth_version_moves(engine: Engine, make_user: Callable[..., Actor]) -> None:
    """A change made behind the product's back (raw SQL, no version bump) is not seen while the version
    stays; any product change to a user or token moves the version and every entry is looked up again."""
    responder = make_user("responder")
    token_id, secret = _token(responder)
    granted = auth.authenticate_token(secret).scopes
    assert granted is not None and "incidents:note" in granted
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE api_tokens SET scopes = :s WHERE id = :id"),
                     {"s": '["incidents:read"]', "id": token_id})
    assert auth.authenticate_token(secret).scopes == granted  # served from memory
    other_id, _ = _token(make_user("viewer"))
    with unit_of_work() as s:
        auth_service.revoke_token(s, SYSTEM, other_id)  # someone else's token: the version moves
    assert auth.authenticate_token(secret).scopes == frozenset({"incidents:read"})
    with unit_of_work() as s:
        auth_service.revoke_token(s, SYSTEM, token_id)
    with pytest.raises(NotAuthenticated):
        auth.authenticate_token(secret)


def test_an_expired_entry_is_refused_without_a_version_change(
        engine: Engine, make_user: Callable[..., Actor], fake_clock) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work() as s:
        _, secret = auth.create_token(s, make_user("responder"), name="short", days=1)
    assert auth.authenticate_token(secret).role == "responder"
    fake_clock.advance(days=1, seconds=1)
    with pytest.raises(NotAuthenticated):
        auth.authenticate_token(secret)
