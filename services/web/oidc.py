"""OpenID Connect authorization-code flow with PKCE against the brand's identity provider.

The console keeps the access token the provider issues and sends it to the gateway, which
verifies it (issuer, audience, signature through GATEWAY_JWKS_URL) on every call. The role claim
is read here without verification only to choose which pages to offer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import jwt
from fastapi import Request

from services.web.api import ApiError
from services.web.session import Role
from services.web.settings import WebSettings


@dataclass(frozen=True)
class SignedIn:
    token: str
    subject: str
    role: Role
    next: str
    scopes: str = ""


def _refused(detail: str) -> ApiError:
    return ApiError(400, "sign_in_failed", "Sign-in did not complete", detail)


async def _discover(settings: WebSettings) -> dict[str, str]:
    url = f"{(settings.oidc_issuer or '').rstrip('/')}/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url)
            response.raise_for_status()
            config: dict[str, str] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _refused("The identity provider did not answer.") from exc
    return config


def _redirect_uri(settings: WebSettings) -> str:
    return f"{settings.public_url.rstrip('/')}/auth/callback"


async def authorization_url(request: Request, settings: WebSettings, next_path: str) -> str:
    if not settings.oidc_issuer or not settings.oidc_client_id:
        raise ApiError(404, "oidc_not_configured", "Single sign-on is not configured")
    config = await _discover(settings)
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(24)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    request.session["oidc"] = {"state": state, "verifier": verifier, "next": next_path}
    query = {"response_type": "code", "client_id": settings.oidc_client_id,
             "redirect_uri": _redirect_uri(settings), "scope": settings.oidc_scopes,
             "state": state, "code_challenge": challenge.rstrip(b"=").decode(),
             "code_challenge_method": "S256"}  # fmt: skip
    return f"{config['authorization_endpoint']}?{urlencode(query)}"


async def finish(request: Request, settings: WebSettings, code: str, state: str) -> SignedIn:
    pending = request.session.pop("oidc", None)
    if not pending or not code or not hmac.compare_digest(state, pending.get("state", "")):
        raise _refused("The sign-in answer did not match this browser's request.")
    config = await _discover(settings)
    form = {"grant_type": "authorization_code", "code": code,
            "redirect_uri": _redirect_uri(settings), "client_id": settings.oidc_client_id or "",
            "code_verifier": pending["verifier"]}  # fmt: skip
    # A confidential client authenticates with its secret; a public one relies on PKCE alone.
    auth = httpx.BasicAuth(settings.oidc_client_id or "", settings.oidc_client_secret or "")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                config["token_endpoint"], data=form,
                auth=auth if settings.oidc_client_secret else httpx.USE_CLIENT_DEFAULT,
            )  # fmt: skip
            response.raise_for_status()
            token = str(response.json()["access_token"])
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise _refused("The identity provider refused the sign-in code.") from exc
    claims = jwt.decode(token, options={"verify_signature": False})
    role = claims.get(settings.oidc_role_claim, "customer")
    return SignedIn(token, str(claims.get("sub", "")),
                    "agent" if role == "agent" else "customer", pending.get("next", "/"),
                    _scopes(claims))  # fmt: skip


def _scopes(claims: dict[str, object]) -> str:
    """The token's `scope` claim (space-separated, RFC 9068), the one the gateway reads; used
    here only to choose which pages to offer."""
    scope = claims.get("scope")
    return scope if isinstance(scope, str) else ""
