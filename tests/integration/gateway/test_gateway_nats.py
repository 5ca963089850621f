"""The gateway against a real nats-server: idempotency in KV, partner keys, RPC timeouts, readiness."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.gateway.app import create_app
from services.gateway.idempotency import BUCKET
from services.gateway.partner_keys import PartnerKeyStore
from services.gateway.runtime import open_buckets
from shared.rpc import ok_reply
from tests.support.gateway.harness import Counter, build_test_router
from tests.support.gateway.live import LiveGateway

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


async def test_fifty_concurrent_posts_execute_once_on_real_kv(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    headers = {**gateway.auth(), "Idempotency-Key": "order-50"}
    responses = await asyncio.gather(
        *(http.post(URL, json=BODY, headers=headers) for _ in range(50))
    )
    assert gateway.counter.executions == 1
    assert {r.status_code for r in responses} <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    # One original; the rest either overlapped it (409) or came after it finished (replay).
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    replay = await http.post(URL, json=BODY, headers=headers)
    assert replay.status_code == 201
    assert replay.content == originals[0].content
    assert replay.headers["idempotent-replayed"] == "true"
    different = await http.post(URL, json={**BODY, "quantity": 3}, headers=headers)
    assert different.status_code == 422 and different.json()["code"] == "idempotency_key_reused"


async def test_replicas_share_idempotency_keys(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    """A second gateway app (another replica) on the same NATS replays the first one's response."""
    counter = Counter()
    other = create_app(gateway.settings, nc=gateway.nc, routers=[build_test_router(counter)])
    headers = {**gateway.auth(), "Idempotency-Key": "cross-replica"}
    first = await http.post(URL, json=BODY, headers=headers)
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica2") as replica:
            second = await replica.post(URL, json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert counter.executions == 0 and gateway.counter.executions == 1


async def test_idempotency_bucket_has_a_24h_ttl(gateway: LiveGateway) -> None:
    status = await (await gateway.nc.jetstream().key_value(BUCKET)).status()
    assert status.ttl == 24 * 3600


async def test_server_error_releases_the_key_on_real_kv(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    headers = {**gateway.auth(), "Idempotency-Key": "boom"}
    assert (await http.post("/v1/test/explode", headers=headers)).status_code == 500
    assert (await http.post("/v1/test/explode", headers=headers)).status_code == 500
    assert gateway.counter.executions == 2


async def test_partner_key_lifecycle_on_real_kv(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    _, kv = await open_buckets(gateway.nc.jetstream(), gateway.settings)
    store = PartnerKeyStore(kv, gateway.settings.api_key_pepper)
    plain, record = await store.create("acme", ["warranty.claim.*"], ["webhooks.manage"])
    assert plain.encode() not in (await kv.get(record.key_id)).value
    assert (
        await http.get("/v1/test/partner-only", headers={"X-API-Key": plain})
    ).status_code == 200
    assert [r.key_id for r in await store.list()] == [record.key_id]
    await store.revoke(record.key_id)
    r = await http.get("/v1/test/partner-only", headers={"X-API-Key": plain})
    assert r.status_code == 401


async def test_rpc_without_responder_is_503_and_slow_service_is_504(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    r = await http.get("/v1/test/claims/c1", headers=gateway.auth())
    assert r.status_code == 503 and r.json()["code"] == "upstream_unavailable"

    async def slow(msg: Any) -> None:
        await asyncio.sleep(1.5)  # longer than GATEWAY_RPC_TIMEOUT_SECONDS=0.5 of the fixture
        await msg.respond(ok_reply({"claim_id": "c1"}))

    sub = await gateway.nc.subscribe("rpc.warranty.get_claim", cb=slow)
    try:
        r = await http.get("/v1/test/claims/c1", headers=gateway.auth())
        assert r.status_code == 504
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "upstream_timeout"
    finally:
        await sub.unsubscribe()


async def test_rpc_carries_actor_and_correlation_id(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    seen: dict[str, Any] = {}

    async def handler(msg: Any) -> None:
        seen.update(msg.headers or {})
        await msg.respond(ok_reply({"claim_id": "c1"}))

    sub = await gateway.nc.subscribe("rpc.warranty.get_claim", cb=handler)
    try:
        headers = {**gateway.auth("agent-1", "agent"), "X-Request-ID": "corr-123"}
        r = await http.get("/v1/test/claims/c1", params={"customer_id": "cust-5"}, headers=headers)
        assert r.status_code == 200
    finally:
        await sub.unsubscribe()
    assert seen["X-Correlation-ID"] == "corr-123"
    assert '"on_behalf_of":"cust-5"' in seen["X-Actor"] and '"id":"agent-1"' in seen["X-Actor"]


async def test_readyz_needs_every_service_ping(
    gateway: LiveGateway, http: httpx.AsyncClient
) -> None:
    r = await http.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["nats"] is True

    async def pong(msg: Any) -> None:
        await msg.respond(ok_reply({"service": "warranty", "instance": "t", "database": True}))

    sub = await gateway.nc.subscribe("rpc.warranty.ping", cb=pong)
    try:
        r = await http.get("/readyz")
        assert r.status_code == 200, r.json()
    finally:
        await sub.unsubscribe()
