"""Idempotency-Key with Stripe semantics (on the fake KV; tests/integration has the real one)."""

from __future__ import annotations

import asyncio

import httpx

from tests.unit.gateway.support import Harness

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


async def test_replay_returns_identical_response(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-1"}
    first = await aclient.post(URL, json=BODY, headers=headers)
    second = await aclient.post(URL, json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["content-type"] == first.headers["content-type"]
    assert harness.counter.executions == 1


async def test_same_key_other_body_is_422(harness: Harness, aclient: httpx.AsyncClient) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-2"}
    assert (await aclient.post(URL, json=BODY, headers=headers)).status_code == 201
    r = await aclient.post(URL, json={**BODY, "quantity": 2}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert harness.counter.executions == 1


async def test_concurrent_duplicate_is_409(harness: Harness, aclient: httpx.AsyncClient) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-3"}
    first, second = await asyncio.gather(
        aclient.post(URL, json=BODY, headers=headers),
        aclient.post(URL, json=BODY, headers=headers),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [201, 409]
    conflict = first if first.status_code == 409 else second
    assert conflict.json()["code"] == "idempotency_request_in_progress"


async def test_fifty_concurrent_identical_posts_execute_once(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-50"}
    responses = await asyncio.gather(
        *(aclient.post(URL, json=BODY, headers=headers) for _ in range(50))
    )
    assert harness.counter.executions == 1
    assert {r.status_code for r in responses} <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    # One original; the rest either overlapped it (409) or came after it finished (replay).
    originals = [r for r in created if "idempotent-replayed" not in r.headers]
    assert len(originals) == 1
    assert {r.content for r in created} == {originals[0].content}
    replay = await aclient.post(URL, json=BODY, headers=headers)
    assert replay.status_code == 201 and replay.content == originals[0].content


async def test_keys_are_scoped_per_caller(harness: Harness, aclient: httpx.AsyncClient) -> None:
    a = await aclient.post(
        URL, json=BODY, headers={**harness.auth("cust-1"), "Idempotency-Key": "shared"}
    )
    b = await aclient.post(
        URL, json=BODY, headers={**harness.auth("cust-2"), "Idempotency-Key": "shared"}
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["owner"] == "cust-1" and b.json()["owner"] == "cust-2"
    assert harness.counter.executions == 2


async def test_server_error_releases_the_key(harness: Harness, aclient: httpx.AsyncClient) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-500"}
    assert (await aclient.post("/v1/test/explode", headers=headers)).status_code == 500
    assert (await aclient.post("/v1/test/explode", headers=headers)).status_code == 500
    assert harness.counter.executions == 2  # retried, not replayed


async def test_client_errors_are_stored_and_replayed(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-422"}
    first = await aclient.post(URL, json={"name": ""}, headers=headers)
    second = await aclient.post(URL, json={"name": ""}, headers=headers)
    assert first.status_code == second.status_code == 422
    assert second.headers["idempotent-replayed"] == "true"
    # correlation ids differ per request, but the stored body is replayed byte for byte
    assert first.content == second.content


async def test_without_key_every_post_executes(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    for _ in range(2):
        assert (await aclient.post(URL, json=BODY, headers=harness.auth())).status_code == 201
    assert harness.counter.executions == 2


async def test_invalid_key_is_422(harness: Harness, aclient: httpx.AsyncClient) -> None:
    r = await aclient.post(URL, json=BODY, headers={**harness.auth(), "Idempotency-Key": "x" * 300})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_invalid"
    assert harness.counter.executions == 0


async def test_stale_in_progress_claim_is_taken_over(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    import json
    import time

    from services.gateway.idempotency import LEASE_SECONDS, fingerprint, kv_key_for

    headers = {**harness.auth(), "Idempotency-Key": "k-dead"}
    body = json.dumps(BODY, separators=(",", ":")).encode()
    scope = {"method": "POST", "path": URL, "query_string": b""}
    key = kv_key_for("customer:cust-1", "k-dead")
    dead = {
        "state": "in_progress",
        "fingerprint": fingerprint(scope, body),
        "started": time.time() - LEASE_SECONDS - 1,
    }
    await harness.idempotency_kv.create(key, json.dumps(dead).encode())
    r = await aclient.post(
        URL, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 201
    assert harness.counter.executions == 1


async def test_unauthenticated_posts_are_not_recorded(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    for i in range(3):
        r = await aclient.post(URL, json=BODY, headers={"Idempotency-Key": f"anon-{i}"})
        assert r.status_code == 401
    assert list(harness.idempotency_kv._data) == []


async def test_routes_get_a_stable_per_caller_request_key(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    url = "/v1/test/echo-key"
    a1 = (
        await aclient.post(url, headers={**harness.auth("cust-1"), "Idempotency-Key": "k"})
    ).json()["key"]
    b = (
        await aclient.post(url, headers={**harness.auth("cust-2"), "Idempotency-Key": "k"})
    ).json()["key"]
    none = (await aclient.post(url, headers=harness.auth("cust-1"))).json()["key"]
    assert a1 and b and a1 != b
    assert none is None
