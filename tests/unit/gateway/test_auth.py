"""OWASP API2 (broken authentication) and API1 (object-level authorization) at the gateway."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from services.gateway.auth import mint_token
from services.gateway.settings import GatewaySettings
from tests.support.gateway.harness import SECRET, Harness, make_settings

URL = "/v1/test/things"


def _claims(settings: GatewaySettings, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": "cust-1",
        "role": "customer",
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _get(client: TestClient, token: str) -> tuple[int, dict[str, object]]:
    r = client.get(URL, headers={"Authorization": f"Bearer {token}"})
    return r.status_code, r.json()


def test_valid_token_is_accepted(client: TestClient, harness: Harness) -> None:
    r = client.get(URL, headers=harness.auth())
    assert r.status_code == 200


def test_missing_credentials_is_401_problem(client: TestClient) -> None:
    r = client.get(URL)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "missing_credentials"
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_alg_none_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(settings))}."
    status, body = _get(client, token)
    assert status == 401 and body["code"] == "invalid_token"


def test_alg_none_refused_even_if_decoder_would_skip_verification(
    client: TestClient, settings: GatewaySettings
) -> None:
    token = jwt.encode(_claims(settings), None, algorithm="none")
    assert _get(client, token)[0] == 401


def test_wrong_audience_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    token = jwt.encode(_claims(settings, aud="someone-else"), SECRET, algorithm="HS256")
    assert _get(client, token)[0] == 401


def test_wrong_issuer_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    token = jwt.encode(_claims(settings, iss="https://evil.example"), SECRET, algorithm="HS256")
    assert _get(client, token)[0] == 401


def test_expired_token_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    past = int(time.time()) - 3600
    token = jwt.encode(_claims(settings, iat=past - 600, exp=past), SECRET, algorithm="HS256")
    status, body = _get(client, token)
    assert status == 401 and body["code"] == "token_expired"


def test_token_without_exp_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    claims = _claims(settings)
    del claims["exp"]
    assert _get(client, jwt.encode(claims, SECRET, algorithm="HS256"))[0] == 401


def test_token_signed_with_another_key_is_refused(
    client: TestClient, settings: GatewaySettings
) -> None:
    token = jwt.encode(
        _claims(settings), "another-secret-of-sufficient-length-0123456789", algorithm="HS256"
    )
    assert _get(client, token)[0] == 401


def test_unknown_kid_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    token = jwt.encode(
        _claims(settings), SECRET, algorithm="HS256", headers={"kid": "rotated-away"}
    )
    assert _get(client, token)[0] == 401


def test_algorithm_outside_allow_list_is_refused(
    client: TestClient, settings: GatewaySettings
) -> None:
    token = jwt.encode(_claims(settings), SECRET, algorithm="HS512")
    assert _get(client, token)[0] == 401


def test_unknown_role_is_refused(client: TestClient, settings: GatewaySettings) -> None:
    token = jwt.encode(_claims(settings, role="admin"), SECRET, algorithm="HS256")
    assert _get(client, token)[0] == 401


def test_non_bearer_scheme_is_refused(client: TestClient) -> None:
    r = client.get(URL, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401


def test_rs256_public_key_and_key_confusion() -> None:
    """With a public key configured, RS256 tokens pass; an HS256 token 'signed' with the public
    key text (the classic key-confusion attack) is refused by the algorithm allow-list."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = make_settings(jwt_algorithms=["RS256"], jwt_public_key=public_pem, jwt_key_id="k1")
    harness = Harness(settings)
    with TestClient(harness.app, raise_server_exceptions=False) as client:
        good = jwt.encode(_claims(settings), private, algorithm="RS256", headers={"kid": "k1"})
        assert _get(client, good)[0] == 200
        forged = jwt.api_jws.PyJWS().encode(
            json.dumps(_claims(settings)).encode(), b"x", algorithm="HS256"
        )
        assert _get(client, forged)[0] == 401
        other_kid = jwt.encode(_claims(settings), private, algorithm="RS256", headers={"kid": "k2"})
        assert _get(client, other_kid)[0] == 401


def test_mint_token_round_trip(settings: GatewaySettings) -> None:
    token = mint_token(settings, "agent-7", "agent", 60)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=settings.jwt_audience)
    assert claims["sub"] == "agent-7" and claims["role"] == "agent"


# --- roles and object-level authorization -------------------------------------------------------


def test_customer_cannot_act_for_another_customer(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = {"claim_id": "c1"}
    r = client.get(
        "/v1/test/claims/c1", params={"customer_id": "cust-2"}, headers=harness.auth("cust-1")
    )
    assert r.status_code == 404  # not 403: the other customer's existence is not disclosed
    assert harness.rpc.calls == []


def test_customer_acts_as_themselves(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = {"claim_id": "c1"}
    assert client.get("/v1/test/claims/c1", headers=harness.auth("cust-1")).status_code == 200
    actor = harness.rpc.calls[0]["actor"]
    assert (actor.type, actor.id, actor.on_behalf_of) == ("customer", "cust-1", None)


def test_agent_acting_on_behalf_is_recorded(client: TestClient, harness: Harness) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = {"claim_id": "c1"}
    r = client.get(
        "/v1/test/claims/c1",
        params={"customer_id": "cust-9"},
        headers=harness.auth("agent-1", "agent"),
    )
    assert r.status_code == 200
    actor = harness.rpc.calls[0]["actor"]
    assert (actor.type, actor.id, actor.on_behalf_of) == ("agent", "agent-1", "cust-9")


def test_agent_must_name_the_customer(client: TestClient, harness: Harness) -> None:
    r = client.get("/v1/test/claims/c1", headers=harness.auth("agent-1", "agent"))
    assert r.status_code == 422 and r.json()["code"] == "customer_id_required"


def test_service_not_found_for_other_customers_object_is_404(
    client: TestClient, harness: Harness
) -> None:
    from shared.errors import NotFound

    harness.rpc.handlers["rpc.warranty.get_claim"] = NotFound(
        "No such claim.", code="claim_not_found"
    )
    r = client.get("/v1/test/claims/c-of-someone-else", headers=harness.auth("cust-1"))
    assert r.status_code == 404 and r.json()["code"] == "claim_not_found"


# --- partner API keys ---------------------------------------------------------------------------


async def _partner_key(harness: Harness, actions: list[str]) -> str:
    plain, _ = await harness.runtime.partner_keys.create(
        "acme-repairs", ["warranty.claim.*"], actions
    )
    return plain


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
async def test_partner_key_with_action(harness: Harness, aclient, header: str) -> None:  # type: ignore[no-untyped-def]
    plain = await _partner_key(harness, ["webhooks.manage"])
    headers = (
        {"X-API-Key": plain} if header == "x-api-key" else {"Authorization": f"Bearer {plain}"}
    )
    r = await aclient.get("/v1/test/partner-only", headers=headers)
    assert r.status_code == 200


async def test_partner_key_without_action_is_403(harness: Harness, aclient) -> None:  # type: ignore[no-untyped-def]
    plain = await _partner_key(harness, ["events.read"])
    r = await aclient.get("/v1/test/partner-only", headers={"X-API-Key": plain})
    assert r.status_code == 403 and r.json()["code"] == "action_not_allowed"


async def test_partner_cannot_use_customer_routes(harness: Harness, aclient) -> None:  # type: ignore[no-untyped-def]
    plain = await _partner_key(harness, ["webhooks.manage"])
    r = await aclient.get(URL, headers={"X-API-Key": plain})
    assert r.status_code == 403


async def test_customer_cannot_use_partner_routes(harness: Harness, aclient) -> None:  # type: ignore[no-untyped-def]
    r = await aclient.get("/v1/test/partner-only", headers=harness.auth())
    assert r.status_code == 403


async def test_revoked_or_forged_partner_key_is_401(harness: Harness, aclient) -> None:  # type: ignore[no-untyped-def]
    plain = await _partner_key(harness, ["webhooks.manage"])
    forged = plain[:-4] + ("AAAA" if not plain.endswith("AAAA") else "BBBB")
    assert (
        await aclient.get("/v1/test/partner-only", headers={"X-API-Key": forged})
    ).status_code == 401
    key_id = plain.split("_")[1]
    await harness.runtime.partner_keys.revoke(key_id)
    r = await aclient.get("/v1/test/partner-only", headers={"X-API-Key": plain})
    assert r.status_code == 401 and r.json()["code"] == "invalid_api_key"


async def test_partner_keys_are_stored_hashed(harness: Harness) -> None:
    plain = await _partner_key(harness, ["webhooks.manage"])
    key_id = plain.split("_")[1]
    stored = harness.partner_kv.raw(key_id)
    assert stored is not None
    assert plain.encode() not in stored.value
    assert plain.split("_", 2)[2].encode() not in stored.value


# --- property-level authorization (OWASP API3) ----------------------------------------------------


def test_response_models_drop_fields_they_do_not_declare(
    client: TestClient, harness: Harness
) -> None:
    harness.rpc.handlers["rpc.warranty.get_claim"] = {
        "claim_id": "c1",
        "status": "approved",
        "internal_note": "customer was rude",
        "other_customer_id": "cust-2",
    }
    body = client.get("/v1/test/claims/c1", headers=harness.auth()).json()
    assert body == {"claim_id": "c1", "status": "approved"}


def test_request_models_refuse_unknown_fields(client: TestClient, harness: Harness) -> None:
    r = client.post(
        "/v1/test/things",
        json={"name": "a", "quantity": 1, "owner": "cust-2"},
        headers=harness.auth(),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "owner"]
    assert harness.counter.executions == 0


def test_cached_token_is_refused_once_expired(
    client: TestClient, harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = harness.token(ttl=120)
    assert _get(client, token)[0] == 200  # verified and cached
    real_time = time.time
    monkeypatch.setattr("services.gateway.auth.time.time", lambda: real_time() + 3600)
    monkeypatch.setattr("jwt.api_jwt.datetime", _FutureDatetime)
    status, body = _get(client, token)
    assert status == 401 and body["code"] == "token_expired"


class _FutureDatetime:
    """`datetime` one hour ahead, for PyJWT's expiry check."""

    @staticmethod
    def now(tz: object = None) -> object:
        from datetime import datetime, timedelta

        return datetime.now(tz) + timedelta(hours=1)  # type: ignore[arg-type]


def test_partner_event_scope() -> None:
    from services.gateway.auth import Principal
    from shared.errors import Forbidden

    partner = Principal(type="partner", id="k1", event_types=("warranty.claim.*",))
    partner.require_events(["warranty.claim.approved", "warranty.claim.shipped_back"])
    with pytest.raises(Forbidden) as refused:
        partner.require_events(["warranty.claim.approved", "orders.order.placed"])
    assert refused.value.code == "event_type_not_allowed"
    assert refused.value.details == {"event_types": ["orders.order.placed"]}
    Principal(type="agent", id="a1").require_events(["orders.order.placed"])
