"""Identity claims are checked once, in the auth layer, for every protected operation: a
correctly signed token that names nobody sane, or lives longer than `jwt_max_ttl_seconds`, is
401 `invalid_token` everywhere, never a 500 deep in a route."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from services.gateway.auth import mint_token
from services.gateway.identity import InvalidIdentity
from tests.support.gateway.harness import SECRET, Harness, make_settings

MAX_TTL = 3600
SETTINGS = make_settings(jwt_max_ttl_seconds=MAX_TTL)


def _token(**overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "cust-1",
        "role": "customer",
        "iss": SETTINGS.jwt_issuer,
        "aud": SETTINGS.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return jwt.encode(claims, SECRET, algorithm="HS256", headers={"kid": SETTINGS.jwt_key_id})


BAD_TOKENS = {
    "empty sub": {"sub": ""},
    "sub of 201 characters": {"sub": "c" * 201},
    "sub of 10,000 characters": {"sub": "c" * 10_000},
    "sub with a newline": {"sub": "cust-1\nX: y"},
    "sub with a space": {"sub": "cust 1"},
    "sub not a string": {"sub": 42},
    "role missing": {"role": None},
    "role unknown": {"role": "admin"},
    "scope not a string": {"scope": ["webhooks.manage"]},
    "scope of 5,000 characters": {"scope": "a " * 2500},
    # Offsets from the moment the token is minted (None: leave the claim as _token sets it), so
    # the case means the same however long after import the test runs.
    "lifetime over the maximum": {"exp": ("now", MAX_TTL + 120)},
    "exp before iat": {"iat": ("now", 0), "exp": ("now", -1)},
}


def _at_mint_time(overrides: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    return {
        claim: now + value[1] if isinstance(value, tuple) and value[:1] == ("now",) else value
        for claim, value in overrides.items()
    }


def _protected_operations(app: Any) -> list[tuple[str, str]]:
    operations = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if "security" in operation:
                concrete = re.sub(r"\{[^}]+\}", "X-1", path)
                operations.append((method.upper(), concrete))
    return operations


@pytest.fixture(scope="module")
def real_client() -> Iterator[TestClient]:
    harness = Harness(SETTINGS, real_routers=True)
    with TestClient(harness.app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_bad_identity_is_401_invalid_token_on_every_protected_operation(
    real_client: TestClient, case: str
) -> None:
    token = _token(**_at_mint_time(BAD_TOKENS[case]))
    operations = _protected_operations(real_client.app)
    assert len(operations) > 30  # the product's routers, not a toy app
    wrong = {}
    for method, path in operations:
        r = real_client.request(method, path, headers={"Authorization": f"Bearer {token}"}, json={})
        if r.status_code != 401 or r.json().get("code") != "invalid_token":
            wrong[f"{method} {path}"] = r.status_code
    assert wrong == {}


def test_a_sane_identity_gets_past_the_auth_layer(real_client: TestClient) -> None:
    r = real_client.get("/v1/me/claims", headers={"Authorization": f"Bearer {_token()}"})
    assert r.status_code != 401


def test_lifetime_exactly_the_maximum_is_accepted(real_client: TestClient) -> None:
    now = int(time.time())
    token = _token(iat=now, exp=now + MAX_TTL)
    r = real_client.get("/v1/me/claims", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code != 401


@pytest.mark.parametrize("subject", ["", "c" * 201, "two words"])
def test_mint_token_refuses_what_the_gateway_would_refuse(subject: str) -> None:
    with pytest.raises(InvalidIdentity):
        mint_token(SETTINGS, subject, "customer", 600)


def test_mint_token_refuses_a_lifetime_over_the_maximum() -> None:
    with pytest.raises(InvalidIdentity):
        mint_token(SETTINGS, "cust-1", "customer", MAX_TTL + 1)
