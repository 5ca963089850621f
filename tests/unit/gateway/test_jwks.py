"""Tokens verified against a JWKS URL (the production path with an identity provider)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from tests.support.gateway.harness import Harness, make_settings

PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def jwks_url() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(PRIVATE.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "idp-1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def _token(key: object, kid: str, **overrides: object) -> str:
    now = int(time.time())
    claims = {
        "sub": "cust-1",
        "role": "customer",
        "iss": "https://idp.example",
        "aud": "concierge-api",
    }
    claims.update({"iat": now, "exp": now + 300, **overrides})
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})  # type: ignore[arg-type]


def test_jwks_verification(jwks_url: str) -> None:
    settings = make_settings(
        jwt_algorithms=["RS256"], jwks_url=jwks_url, jwt_issuer="https://idp.example"
    )
    harness = Harness(settings)
    with TestClient(harness.app, raise_server_exceptions=False) as client:

        def status(token: str) -> int:
            return client.get(
                "/v1/test/things", headers={"Authorization": f"Bearer {token}"}
            ).status_code

        assert status(_token(PRIVATE, "idp-1")) == 200
        assert status(_token(PRIVATE, "unknown-kid")) == 401
        assert status(_token(OTHER, "idp-1")) == 401  # right kid, wrong key
        assert status(_token(PRIVATE, "idp-1", aud="other-api")) == 401
        # The local HS256 secret is not accepted once an identity provider is configured.
        assert status(harness.token()) == 401
