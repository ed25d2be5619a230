"""Single sign-on with one OpenID Connect provider: the authorization code flow with state, nonce and
PKCE (authlib builds the request), the ID token checked against the provider's published keys (joserfc).

:func:`start` and :func:`finish` talk to the provider and touch no database; :func:`sign_in` holds the
rules of who may come in (existing users, or new ones with the configured role; allowed email domains).
What the browser must keep between the two legs (state, nonce, PKCE verifier, where to go next) travels
in a cookie signed with the installation's secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy.orm import Session

from ..clock import now
from ..config import get_settings
from ..errors import DomainError, ValidationFailed
from . import service
from .permissions import SYSTEM
from .schemas import Person

FLOW_SECONDS = 600
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
LEEWAY_SECONDS = 60


class SsoError(DomainError):
    """Single sign-on did not work; ``kind`` says why in one word (the web shows a sentence for each)."""

    kind = "invalid_token"


class ProviderUnreachable(SsoError):
    status, title, kind = 502, "Sign-in provider unreachable", "unreachable"


class StateMismatch(SsoError):
    status, title, kind = 400, "Sign-in not started here", "state"


class InvalidToken(SsoError):
    status, title, kind = 401, "Invalid ID token", "invalid_token"


class NotAllowed(SsoError):
    status, title, kind = 403, "Not allowed to sign in", "not_allowed"


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    username: str
    email: str | None
    email_verified: bool | None
    name: str


def enabled() -> bool:
    return bool(get_settings().oidc_issuer)


def redirect_uri() -> str:
    return get_settings().base_url.rstrip("/") + "/auth/oidc/callback"


def _get(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=get_settings().oidc_timeout_seconds)
        response.raise_for_status()
        found = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ProviderUnreachable(f"cannot read {url}: {exc}") from exc
    if not isinstance(found, dict):
        raise ProviderUnreachable(f"{url} did not answer with a JSON object")
    return found


def _metadata() -> dict[str, Any]:
    issuer = get_settings().oidc_issuer or ""
    meta = _get(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if meta.get("issuer") != issuer:
        raise ProviderUnreachable(f"the discovery document names the issuer {meta.get('issuer')!r}, not {issuer!r}")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(meta.get(name), str):
            raise ProviderUnreachable(f"the discovery document has no {name}")
    return meta


# --- the browser's share of the flow, signed --------------------------------------------------

def _mac(body: bytes) -> str:
    key = get_settings().effective_secret_key.encode()
    return hmac.new(key, b"oidc-flow:" + body, hashlib.sha256).hexdigest()


def _seal(values: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode())
    return f"{body.decode()}.{_mac(body)}"


def _unseal(cookie: str) -> dict[str, Any] | None:
    body, _, mac = cookie.partition(".")
    if not body or not hmac.compare_digest(mac.encode(), _mac(body.encode()).encode()):
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(body.encode()))
    except ValueError:
        return None
    if not isinstance(values, dict) or not isinstance(values.get("exp"), int) or values["exp"] < now().timestamp():
        return None
    return values


# --- the two legs ----------------------------------------------------------------------------

def start(next_path: str = "/") -> tuple[str, str]:
    """The provider's authorization URL to send the browser to, and the cookie to keep until it returns."""
    settings = get_settings()
    meta = _metadata()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    url = prepare_grant_uri(meta["authorization_endpoint"], settings.oidc_client_id, "code",
                            redirect_uri=redirect_uri(), scope=settings.oidc_scopes, state=state, nonce=nonce,
                            code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
    cookie = _seal({"state": state, "nonce": nonce, "verifier": verifier, "next": next_path,
                    "exp": int(now().timestamp()) + FLOW_SECONDS})
    return url, cookie


def finish(cookie: str, *, state: str, code: str, error: str = "") -> tuple[Identity, str]:
    """Check the provider's answer to :func:`start`: the state, then the code exchanged for an ID token
    whose signature, issuer, audience, nonce and lifetime are checked. Returns who it names and where
    the browser was going."""
    flow = _unseal(cookie)
    if flow is None or not state or not hmac.compare_digest(state.encode(), str(flow["state"]).encode()):
        raise StateMismatch("the sign-in's state does not match the one this browser started with")
    if error:
        raise NotAllowed(f"the provider refused the sign-in: {error[:100]}")
    if not code:
        raise InvalidToken("the provider sent no authorization code")
    settings = get_settings()
    meta = _metadata()
    try:
        response = httpx.post(meta["token_endpoint"], timeout=settings.oidc_timeout_seconds,
                              auth=(settings.oidc_client_id, settings.oidc_client_secret),
                              data={"grant_type": "authorization_code", "code": code,
                                    "redirect_uri": redirect_uri(), "code_verifier": flow["verifier"]})
    except httpx.HTTPError as exc:
        raise ProviderUnreachable(f"cannot reach the token endpoint: {exc}") from exc
    try:
        id_token = response.json()["id_token"] if response.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        id_token = None
    if not isinstance(id_token, str):
        raise InvalidToken(f"the provider gave no ID token for the code (HTTP {response.status_code})")
    claims = verify_id_token(id_token, meta, nonce=str(flow["nonce"]))
    return _identity(claims), str(flow.get("next") or "/")


def verify_id_token(id_token: str, meta: dict[str, Any], *, nonce: str) -> dict[str, Any]:
    """The ID token's claims, once its signature (by a key in the provider's JWKS), issuer, audience,
    authorized party, nonce and lifetime are right; InvalidToken otherwise."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    client_id = get_settings().oidc_client_id
    try:
        keys = KeySet.import_key_set(_get(meta["jwks_uri"]))  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as exc:
        raise ProviderUnreachable(f"the provider's keys cannot be read: {exc}") from exc
    try:
        token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        registry = jwt.JWTClaimsRegistry(
            now=int(now().timestamp()), leeway=LEEWAY_SECONDS, iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": client_id}, sub={"essential": True},
            exp={"essential": True}, iat={"essential": True}, nonce={"essential": True, "value": nonce})
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidToken(f"the ID token is not valid: {exc}") from exc
    claims: dict[str, Any] = dict(token.claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise InvalidToken("the ID token is meant for several parties and not authorized for this one")
    return claims


def _identity(claims: dict[str, Any]) -> Identity:
    claim = get_settings().oidc_username_claim
    username = claims.get(claim)
    if not isinstance(username, str) or not username.strip():
        raise NotAllowed(f"the provider sent no {claim!r} claim to use as the user name")
    email = claims.get("email") if isinstance(claims.get("email"), str) else None
    verified = claims.get("email_verified")
    name = claims.get("name")
    return Identity(subject=str(claims["sub"]), username=username.strip().lower(), email=email,
                    email_verified=verified if isinstance(verified, bool) else None,
                    name=name if isinstance(name, str) else "")


# --- who may come in -------------------------------------------------------------------------

def sign_in(session: Session, identity: Identity) -> Person:
    """The user the identity names: an existing active user, or (with a default role configured) a new
    one. Allowed email domains, when set, need a verified email in one of them."""
    settings = get_settings()
    domains = {d.strip().lower().lstrip("@") for d in settings.oidc_allowed_domains if d.strip()}
    if domains:
        domain = (identity.email or "").rpartition("@")[2].lower()
        if identity.email_verified is False or domain not in domains:
            raise NotAllowed(f"sign-on is open to addresses in {', '.join(sorted(domains))} only")
    found = service.person_named(session, identity.username)
    if found is not None:
        if not found.is_active:
            raise NotAllowed(f"the user {identity.username!r} is disabled")
        return found
    if not settings.oidc_default_role:
        raise NotAllowed(f"there is no user {identity.username!r} here; ask an administrator to create one")
    try:
        created, _ = service.create_user(session, SYSTEM, username=identity.username,
                                         role=settings.oidc_default_role, password=secrets.token_urlsafe(32),
                                         display_name=identity.name, email=identity.email)
    except ValidationFailed as exc:
        raise NotAllowed(f"cannot create the user {identity.username!r}: {exc.detail}") from exc
    return created
