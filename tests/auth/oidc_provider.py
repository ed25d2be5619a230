"""A small but real OpenID Connect provider for the single sign-on tests, on 127.0.0.1 in a thread.

It serves discovery, its keys (JWKS), an authorization endpoint that signs in ``user`` at once and
sends the browser back with a code, and a token endpoint that checks the client's secret, the
redirect URI and the PKCE verifier, then returns an ID token signed with an RSA key made for the run.
``mischief`` makes its next ID token wrong in one way: ``signature`` (signed by another key under the
same key id), or claims to override (``{"aud": "someone-else"}``, an expired ``exp``, another ``nonce``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "rapidresponse"
CLIENT_SECRET = "provider-shared-secret"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OidcProvider:
    def __init__(self) -> None:
        self.port = _port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "use": "sig", "alg": "RS256"})
        self.user: dict[str, Any] = {"sub": "idp-1", "preferred_username": "alice", "email": "alice@example.org",
                                     "email_verified": True, "name": "Alice Example"}
        self.mischief: dict[str, Any] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]}

    def id_token(self, nonce: str) -> str:
        issued = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": issued, "exp": issued + 300, "nonce": nonce,
                  **self.user, **{k: v for k, v in self.mischief.items() if k != "signature"}}
        key = self.key
        if self.mischief.get("signature"):
            key = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "use": "sig", "alg": "RS256"})
        return jwt.encode({"alg": "RS256", "kid": "signing-1"}, claims, key)

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str]]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" \
                or query.get("code_challenge_method") != "S256" or not query.get("code_challenge") \
                or "openid" not in query.get("scope", "").split():
            return 400, {}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query.get("nonce", ""), "challenge": query["code_challenge"],
                            "redirect_uri": query["redirect_uri"]}
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"location": back}

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != expected:
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant is None or form.get("grant_type") != "authorization_code" \
                or form.get("redirect_uri") != grant["redirect_uri"] or challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant"}
        return 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                     "id_token": self.id_token(grant["nonce"])}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any] | None = None,
                      headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/jwks":
                    self._send(200, KeySet([provider.key]).as_dict(private=False))
                elif url.path == "/authorize":
                    status, headers = provider.authorize(query)
                    self._send(status, headers=headers)
                else:
                    self._send(404)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path == "/token":
                    self._send(*provider.token(form, self.headers.get("authorization", "")))
                else:
                    self._send(404)

        return Handler
