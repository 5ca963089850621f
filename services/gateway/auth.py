"""Who is calling: bearer JWTs for customers and agents, API keys for partners (OWASP API2).

`Authenticator.authenticate` is called once per request (by `AuthContextMiddleware` so rate
limits and idempotency keys are per principal); the FastAPI dependencies below read the result
from the request state and turn "no principal" into a 401 problem.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import jwt
from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPBearer

from services.gateway.identity import InvalidIdentity, identity_from_claims
from services.gateway.partner_keys import (
    KEY_PREFIX,
    PartnerKey,
    PartnerKeyStore,
    keys_answering,
)
from services.gateway.principal import Acting as Acting  # re-exported: routers import it here
from services.gateway.principal import AuthError, Principal, Role
from services.gateway.principal import PrincipalType as PrincipalType
from services.gateway.principal import acting_customer as acting_customer
from services.gateway.settings import GatewaySettings
from services.gateway.token_cache import VerifiedTokenCache
from shared.errors import DomainError, Forbidden

STATE_KEY = "principal"
# Set on the role dependencies below: which caller types they let through (read by docs_roles to
# say in OpenAPI who may call each operation, and which operations need credentials).
CALLER_ROLES = "__caller_roles__"
_REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]
VERIFIED_CACHE_SIZE = 10_000


class Authenticator:
    def __init__(self, settings: GatewaySettings, keys: PartnerKeyStore | None) -> None:
        self._settings = settings
        self._keys = keys
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        )
        self._static_key: str | None = settings.jwt_public_key or (
            settings.jwt_secret if not settings.jwks_url else None
        )
        # Verified tokens until they expire: a token's content cannot change, and parsing and
        # verifying it again on every request was most of the gateway's per-request CPU.
        self._verified = VerifiedTokenCache[Principal](VERIFIED_CACHE_SIZE)

    async def authenticate(self, headers: dict[str, str]) -> Principal | None:
        """None when no credentials were sent; AuthError when they are wrong."""
        api_key = headers.get("x-api-key")
        authorization = headers.get("authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if authorization and scheme.lower() != "bearer":
            raise AuthError("Use the Bearer scheme.", code="invalid_credentials")
        credential = credential.strip()
        if api_key or credential.startswith(KEY_PREFIX):
            return await self._partner(api_key or credential)
        if credential:
            return await self._jwt(credential)
        return None

    async def _partner(self, plain_key: str) -> Principal:
        with keys_answering():
            record: PartnerKey | None = await self._keys.verify(plain_key) if self._keys else None
        if record is None:
            raise AuthError("The API key is not valid.", code="invalid_api_key")
        return partner_principal(record)

    async def _jwt(self, token: str) -> Principal:
        principal = self._verified.get(token)
        if principal is None:
            principal, expires = await self._verify_jwt(token)
            self._verified.put(token, principal, expires)
        return principal

    async def _verify_jwt(self, token: str) -> tuple[Principal, float]:
        s = self._settings
        try:
            header = jwt.get_unverified_header(token)
            # Checked before any key lookup: `none` and algorithms outside the allow-list never
            # reach a verifier, whatever the token says about itself.
            if header.get("alg") not in s.jwt_algorithms:
                raise AuthError("Token algorithm not accepted.", code="invalid_token")
            key = await self._signing_key(token, header)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=s.jwt_algorithms,
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                leeway=s.jwt_leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("The token has expired.", code="token_expired") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise AuthError("The token is not valid.", code="invalid_token") from exc
        try:
            identity = identity_from_claims(claims, s.jwt_max_ttl_seconds)
        except InvalidIdentity as exc:
            raise AuthError(
                "The token does not name a valid caller.",
                code="invalid_token",
                details={"reason": str(exc)},
            ) from exc
        principal = Principal(
            type=identity.role, id=identity.sub, scopes=frozenset(identity.scope.split())
        )
        return principal, float(identity.exp)

    async def _signing_key(self, token: str, header: dict[str, Any]) -> Any:
        kid = header.get("kid")
        if self._jwks is not None:
            if not kid:
                raise AuthError("The token has no key id.", code="invalid_token")
            # PyJWKClient is synchronous (urllib); keep the event loop free on a cache miss.
            # An unknown kid raises PyJWKClientError, a PyJWTError.
            return (await run_in_threadpool(self._jwks.get_signing_key_from_jwt, token)).key
        if kid is not None and kid != self._settings.jwt_key_id:
            raise AuthError("Unknown signing key.", code="invalid_token")
        return self._static_key


def mint_token(
    settings: GatewaySettings, subject: str, role: Role, ttl_seconds: int, scope: str = ""
) -> str:
    """A local-mode HS256 token (used by `concierge token` and by tests).

    Raises InvalidIdentity for claims the gateway would refuse (the same check as on the way in).
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if scope:
        claims["scope"] = scope
    identity_from_claims(claims, settings.jwt_max_ttl_seconds)
    return jwt.encode(
        claims, settings.jwt_secret, algorithm="HS256", headers={"kid": settings.jwt_key_id}
    )


# --- FastAPI dependencies -----------------------------------------------------------------------

# The two ways credentials come in, as OpenAPI security schemes. They are not dependencies: the
# middleware has already read both headers, and solving them on every request only to publish
# them cost FastAPI two sub-dependencies per operation. `docs_roles.declare_security` lists them
# on every operation whose dependencies need a caller, as FastAPI did when they were solved.
SECURITY_SCHEMES = (
    HTTPBearer(
        auto_error=False, description="JWT for customers and agents, or a partner key `ck_...`."
    ),
    APIKeyHeader(name="X-API-Key", auto_error=False, description="Partner API key `ck_...`."),
)


def principal_of(request: Request) -> Principal:
    """The caller `AuthContextMiddleware` authenticated; else the error it remembered (401, or
    503 when partner keys cannot be checked), or 401 `missing_credentials`."""
    state = request.scope.get("state", {})
    principal = state.get(STATE_KEY)
    if isinstance(principal, Principal):
        return principal
    error = state.get("auth_error")
    if isinstance(error, DomainError):
        raise error
    raise AuthError("Authentication required.", code="missing_credentials")


# The role dependencies read the principal themselves rather than through a sub-dependency on
# `current_principal`: each level FastAPI solves costs it more than the check does.
async def current_principal(request: Request) -> Principal:
    return principal_of(request)


async def require_customer_or_agent(request: Request) -> Principal:
    principal = principal_of(request)
    if principal.type not in ("customer", "agent"):
        raise Forbidden("This operation is for customers and agents.", code="role_not_allowed")
    return principal


async def require_agent(request: Request) -> Principal:
    principal = principal_of(request)
    if principal.type != "agent":
        raise Forbidden("This operation is for support agents.", code="role_not_allowed")
    return principal


def partner_principal(record: PartnerKey) -> Principal:
    """The caller a partner key is: its id, its actions and its event types."""
    return Principal(
        type="partner",
        id=record.key_id,
        scopes=frozenset(record.actions),
        event_types=tuple(record.event_types),
    )


def require_partner(action: str) -> Any:
    """Dependency factory: a partner whose key carries `action` (see PARTNER_ACTIONS)."""

    async def dependency(request: Request) -> Principal:
        principal = principal_of(request)
        if principal.type != "partner":
            raise Forbidden("This operation is for partners.", code="role_not_allowed")
        if action not in principal.scopes:
            raise Forbidden(f"The API key does not allow '{action}'.", code="action_not_allowed")
        return principal

    setattr(dependency, CALLER_ROLES, ("partner",))
    return dependency


# Who each role dependency lets through (current_principal: any authenticated caller).
setattr(current_principal, CALLER_ROLES, ("customer", "agent", "partner"))
setattr(require_customer_or_agent, CALLER_ROLES, ("customer", "agent"))
setattr(require_agent, CALLER_ROLES, ("agent",))


CustomerIdQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Agents only: the customer acted for.",
    ),
]
CustomerIdPath = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
CustomerOrAgent = Annotated[Principal, Depends(require_customer_or_agent)]
Agent = Annotated[Principal, Depends(require_agent)]
