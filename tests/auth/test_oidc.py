"""Single sign-on against a real OpenID Connect provider on a local port: the whole flow through the
app's pages (redirects followed by hand), and each way a sign-in must be refused."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from sqlalchemy import Engine

from rapidresponse import events
from rapidresponse.auth import Actor
from rapidresponse.auth import service as auth
from rapidresponse.db import unit_of_work
from receivers import free_port


@pytest.fixture
def provider(env: Callable[..., None]) -> Iterator[OidcProvider]:
    with OidcProvider() as idp:
        env(oidc_issuer=idp.issuer, oidc_name="Example ID", oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET)
        yield idp


def start(client: TestClient, next: str = "/incidents") -> str:
    """Press "Sign in with …": returns the provider URL the browser is sent to."""
    resp = client.get(f"/auth/oidc/login?next={next}", follow_redirects=False)
    assert resp.status_code == 303, resp.text
    assert "rr_oidc=" in resp.headers["set-cookie"] and "HttpOnly" in resp.headers["set-cookie"]
    return resp.headers["location"]


def at_provider(url: str) -> str:
    """The browser at the provider, which signs its user in at once: returns the callback path."""
    resp = httpx.get(url, follow_redirects=False)
    assert resp.status_code == 302, resp.text
    back = urlsplit(resp.headers["location"])
    assert back.path == "/auth/oidc/callback"
    return f"{back.path}?{back.query}"


def sign_on(client: TestClient, next: str = "/incidents") -> Response:
    return client.get(at_provider(start(client, next)), follow_redirects=False)


def test_sign_on_starts_a_session(engine: Engine, client: TestClient, provider: OidcProvider,
                                  make_user: Callable[..., Actor]) -> None:
    alice = make_user("responder", username="alice")
    page = client.get("/login")
    assert "Sign in with Example ID" in page.text and 'href="/auth/oidc/login?next=/"' in page.text
    url = start(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{provider.issuer}/authorize?")
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    assert {"state", "nonce", "code_challenge"} <= query.keys() and query["scope"] == ["openid email profile"]
    done = client.get(at_provider(url), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/incidents"
    assert "rr_session=" in done.headers["set-cookie"]
    assert client.get("/incidents").status_code == 200
    with unit_of_work() as s:
        logins = [e for e in events.for_subject(s, "user", alice.user_id) if e.type == "user.logged_in"]
    assert logins[-1].payload["method"] == "sso"


def test_the_login_page_offers_sso_only_when_configured(engine: Engine, client: TestClient) -> None:
    assert "Sign in with" not in client.get("/login").text
    assert client.get("/auth/oidc/login", follow_redirects=False).headers["location"] == "/login"


def test_unknown_users_are_refused_unless_a_default_role_is_set(engine: Engine, client: TestClient,
                                                                provider: OidcProvider,
                                                                env: Callable[..., None]) -> None:
    provider.user["preferred_username"] = "Bekzat"
    refused = sign_on(client)
    assert refused.status_code == 403 and "may not use rapidresponse" in refused.text
    assert "rr_session=" not in refused.headers.get("set-cookie", "")
    env(oidc_default_role="viewer")
    assert sign_on(client).status_code == 303
    with unit_of_work() as s:
        created = auth.find_person(s, "bekzat")
    assert created.role == "viewer" and created.email == "alice@example.org" and created.display_name == "Alice Example"


def test_disabled_users_and_other_email_domains_are_refused(engine: Engine, client: TestClient,
                                                            provider: OidcProvider, env: Callable[..., None],
                                                            make_user: Callable[..., Actor]) -> None:
    make_user("responder", username="alice")
    env(oidc_allowed_domains='["example.com"]')
    assert sign_on(client).status_code == 403
    env(oidc_allowed_domains='["example.org"]')
    provider.user["email_verified"] = False
    assert sign_on(client).status_code == 403
    provider.user["email_verified"] = True
    assert sign_on(client).status_code == 303
    client.cookies.clear()
    with unit_of_work() as s:
        auth.update_user(s, auth.SYSTEM, "alice", is_active=False)
    assert sign_on(client).status_code == 403


@pytest.mark.parametrize("mischief", [
    {"signature": True},
    {"aud": "someone-else"},
    {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    {"nonce": "not-the-one-sent"},
    {"iss": "http://127.0.0.1:9/"},
], ids=["tampered-signature", "wrong-audience", "expired", "wrong-nonce", "wrong-issuer"])
def test_bad_id_tokens_are_refused(engine: Engine, client: TestClient, provider: OidcProvider,
                                   make_user: Callable[..., Actor], mischief: dict[str, object]) -> None:
    make_user("responder", username="alice")
    provider.mischief = mischief
    refused = sign_on(client)
    assert refused.status_code == 401, refused.text
    assert "answer could not be verified" in refused.text
    assert "rr_session=" not in refused.headers.get("set-cookie", "")
    assert client.get("/incidents", follow_redirects=False).status_code == 303  # still logged out


def test_wrong_state_and_replayed_callbacks_are_refused(engine: Engine, client: TestClient,
                                                        provider: OidcProvider,
                                                        make_user: Callable[..., Actor]) -> None:
    make_user("responder", username="alice")
    callback = at_provider(start(client))
    forged = callback.replace("state=", "state=x")
    refused = client.get(forged, follow_redirects=False)
    assert refused.status_code == 400 and "did not start here" in refused.text
    assert provider.token_requests == 0  # the code was never spent
    # a callback started in another browser (no flow cookie here) is refused too
    other = TestClient(client.app)
    assert other.get(at_provider(start(client)), follow_redirects=False).status_code == 400
    # a finished sign-in cannot be replayed: its flow cookie is gone
    callback = at_provider(start(client))
    assert client.get(callback, follow_redirects=False).status_code == 303
    assert client.get(callback, follow_redirects=False).status_code == 400


def test_an_unreachable_provider_is_said_plainly(engine: Engine, client: TestClient,
                                                 env: Callable[..., None]) -> None:
    env(oidc_issuer=f"http://127.0.0.1:{free_port()}", oidc_client_id=CLIENT_ID, oidc_timeout_seconds="2")
    resp = client.get("/auth/oidc/login")
    assert resp.status_code == 502 and "cannot be reached" in resp.text
    client.cookies.set("rr_locale", "ru")
    assert "недоступна" in client.get("/auth/oidc/login").text
