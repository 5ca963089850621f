"""Production sign-in: the OpenID Connect authorization-code flow with PKCE, against a small
identity provider served on a free port (discovery, authorize, token)."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import jwt
import pytest
import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.testclient import TestClient

from services.web import oidc
from services.web.app import create_app
from services.web.settings import WebSettings
from shared.runtime.nats_server import free_port

# Who the provider's next token is for (a test may sign in a customer instead).
ISSUED = {"sub": "agent-sso", "role": "agent"}


def _identity_provider(base: str) -> FastAPI:
    idp = FastAPI()
    challenges: dict[str, str] = {}

    @idp.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, str]:
        return {"issuer": base, "authorization_endpoint": f"{base}/authorize",
                "token_endpoint": f"{base}/token"}  # fmt: skip

    @idp.get("/authorize")
    async def authorize(request: Request) -> RedirectResponse:
        q = request.query_params
        assert q["response_type"] == "code" and q["code_challenge_method"] == "S256"
        challenges["code-1"] = q["code_challenge"]
        back = {"code": "code-1", "state": q["state"]}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}")

    @idp.post("/token")
    async def token(code: str = Form(), code_verifier: str = Form()) -> JSONResponse:
        digest = hashlib.sha256(code_verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenges.get(code):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        claims = {**ISSUED, "exp": int(time.time()) + 600}
        return JSONResponse({"access_token": jwt.encode(claims, "k" * 32), "token_type": "Bearer"})

    return idp


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(_identity_provider(base), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield base
    server.should_exit = True
    thread.join(5)


@pytest.fixture
def console(issuer: str) -> Iterator[TestClient]:
    settings = WebSettings(_env_file=None, env="production", session_secret="s" * 40,
                           oidc_issuer=issuer, oidc_client_id="console",
                           public_url="https://testserver", gateway_url="http://127.0.0.1:9")  # fmt: skip
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def test_sign_in_through_the_identity_provider(console: TestClient) -> None:
    assert "/sign-in/local" not in console.get("/sign-in").text  # production: no "sign in as"
    to_idp = console.get("/sign-in/oidc?next=/agent", follow_redirects=False)
    assert to_idp.status_code == 303
    back = httpx.get(to_idp.headers["location"])  # the user signs in at the provider
    callback = urlparse(back.headers["location"])
    assert callback.path == "/auth/callback"
    done = console.get(f"/auth/callback?{callback.query}", follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/agent"
    # Signed in as an agent: the agent page is offered (and fails only on the absent gateway).
    assert console.get("/agent").status_code == 503


def test_a_forged_callback_is_refused(console: TestClient) -> None:
    to_idp = console.get("/sign-in/oidc", follow_redirects=False)
    query = parse_qs(urlparse(to_idp.headers["location"]).query)
    forged = console.get(f"/auth/callback?code=code-1&state=not-{query['state'][0]}")
    assert forged.status_code == 400 and "sign_in_failed" in forged.text
    assert console.get("/agent", follow_redirects=False).status_code == 303  # still signed out


def test_the_token_scope_decides_which_operator_pages_are_offered(console: TestClient) -> None:
    """The provider's token carries no `operations` scope: the analytics page is refused with a
    page that says why (the gateway would refuse its calls anyway)."""
    to_idp = console.get("/sign-in/oidc?next=/agent", follow_redirects=False)
    callback = urlparse(httpx.get(to_idp.headers["location"]).headers["location"])
    console.get(f"/auth/callback?{callback.query}", follow_redirects=False)
    refused = console.get("/agent/analytics")
    assert refused.status_code == 403 and "scope_required" in refused.text
    assert oidc._scopes({"scope": "openid operations"}) == "openid operations"
    assert oidc._scopes({"scope": ["operations"]}) == ""  # not the form the gateway reads


@pytest.mark.parametrize(
    ("saved", "expected"), [("en-US", "en-US"), ("fr-FR", "en-GB"), (None, "en-GB")]
)
def test_a_customer_signs_in_with_the_formats_she_saved(
    console: TestClient, saved, expected
) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/me/contact"
        if saved is None:
            return httpx.Response(404, json={"code": "notifications_contact_not_found"})
        return httpx.Response(200, json={"customer_id": "cust-sso", "locale": saved})

    console.app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(gateway),
                                               base_url="http://gateway")  # fmt: skip
    ISSUED.update(sub="cust-sso", role="customer")
    try:
        to_idp = console.get("/sign-in/oidc?next=/sign-in", follow_redirects=False)
        callback = urlparse(httpx.get(to_idp.headers["location"]).headers["location"])
        console.get(f"/auth/callback?{callback.query}", follow_redirects=False)
    finally:
        ISSUED.update(sub="agent-sso", role="agent")
    assert f'<html lang="{expected}">' in console.get("/sign-in").text
