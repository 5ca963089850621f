"""Idempotency-Key with Stripe semantics (on the fake KV; tests/integration has the real one)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway import idempotency_lease
from tests.support.gateway.harness import Harness

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


async def test_one_key_on_two_operations_is_two_requests(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    """A key names a request to one target; sent to another operation (or another
    resource) it is another request, not `idempotency_key_reused`."""
    headers = {**harness.auth(), "Idempotency-Key": "k-shared"}
    assert (await aclient.post(URL, json=BODY, headers=headers)).status_code == 201
    other = await aclient.post("/v1/test/echo-key", headers=headers)
    assert other.status_code == 200, other.text
    deleted = await aclient.delete("/v1/test/things/t-1", headers=headers)
    assert deleted.status_code == 204
    # ... and each target still replays its own first answer.
    again = await aclient.post(URL, json=BODY, headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert harness.counter.executions == 2


async def test_concurrent_duplicate_is_409(
    harness: Harness, aclient: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second request with the key while the first runs is refused, not run again."""
    # The rule under test is the overlap, not the lease: on a starved event loop (a loaded CI
    # machine, seen at 4.6 s per request) the owner's 1 s heartbeats can miss the 3 s lease and
    # the duplicate rightly takes over (lease lapses have their own tests).
    monkeypatch.setattr(idempotency_lease, "LEASE_SECONDS", 60.0)
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


async def test_a_request_refused_by_validation_is_not_stored(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    # Stripe: only requests that started executing are stored; a corrected retry with the same
    # key runs (it used to get 422 idempotency_key_reused).
    headers = {**harness.auth(), "Idempotency-Key": "k-422"}
    first = await aclient.post(URL, json={"name": ""}, headers=headers)
    assert first.status_code == 422 and first.json()["code"] == "validation_error"
    corrected = await aclient.post(URL, json=BODY, headers=headers)
    assert corrected.status_code == 201, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert harness.counter.executions == 1


async def test_domain_refusals_are_stored_and_replayed(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-409"}
    first = await aclient.post("/v1/test/refuse", headers=headers)
    second = await aclient.post("/v1/test/refuse", headers=headers)
    assert first.status_code == second.status_code == 409
    assert second.headers["idempotent-replayed"] == "true"
    # correlation ids differ per request, but the stored body is replayed byte for byte
    assert first.content == second.content
    assert harness.counter.executions == 1


async def test_fingerprint_is_over_the_parsed_body(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-json",
               "Content-Type": "application/json"}  # fmt: skip
    first = await aclient.post(URL, content=b'{"name": "handbag", "quantity": 1}', headers=headers)
    second = await aclient.post(
        URL, content=b'{ "quantity":1,\n"name":"handbag" }', headers=headers
    )
    assert first.status_code == second.status_code == 201, second.text
    assert second.headers["idempotent-replayed"] == "true"
    assert harness.counter.executions == 1


async def test_put_and_delete_are_deduplicated_too(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    headers = {**harness.auth(), "Idempotency-Key": "k-del"}
    first = await aclient.delete("/v1/test/things/1", headers=headers)
    second = await aclient.delete("/v1/test/things/1", headers=headers)
    assert first.status_code == second.status_code == 204
    assert second.headers["idempotent-replayed"] == "true"
    assert harness.counter.executions == 1


async def test_every_rpc_of_a_keyed_request_carries_the_key(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    seen: list[str | None] = []

    async def get_claim(payload: object, actor: object) -> dict[str, str]:
        from shared.rpc import current_request_key

        seen.append(current_request_key())
        return {"claim_id": "c-1"}

    harness.rpc.handlers["rpc.warranty.get_claim"] = get_claim
    await aclient.post(
        "/v1/test/claims/c-1/touch", headers={**harness.auth(), "Idempotency-Key": "k"}
    )
    await aclient.post(
        "/v1/test/claims/c-1/touch", headers={**harness.auth(), "Idempotency-Key": "k2"}
    )
    await aclient.post("/v1/test/claims/c-1/touch", headers=harness.auth())
    assert len(seen) == 3 and seen[0] and seen[1] and seen[0] != seen[1] and seen[2] is None


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


def _in_progress(harness: Harness, **record: object) -> tuple[str, bytes]:
    import json

    from services.gateway.idempotency import fingerprint, kv_key_for

    body = json.dumps(BODY, separators=(",", ":")).encode()
    scope = {"method": "POST", "path": URL, "query_string": b""}
    stored = {"state": "in_progress", "fingerprint": fingerprint(scope, body), **record}
    return kv_key_for("customer:cust-1", f"POST {URL}", "k-dead"), json.dumps(stored).encode()


async def test_a_lapsed_lease_is_taken_over_at_once(
    harness: Harness, aclient: httpx.AsyncClient
) -> None:
    import time

    # The owner (a gateway replica that died) stopped renewing its lease a moment ago.
    key, record = _in_progress(harness, started=time.time() - 5, expires=time.time() - 0.1,
                               deadline=time.time() + 5, owner="dead-replica")  # fmt: skip
    await harness.idempotency_kv.create(key, record)
    headers = {**harness.auth(), "Idempotency-Key": "k-dead"}
    r = await aclient.post(URL, json=BODY, headers=headers)
    assert r.status_code == 201
    assert harness.counter.executions == 1


async def test_a_live_lease_is_respected(harness: Harness, aclient: httpx.AsyncClient) -> None:
    import time

    key, record = _in_progress(harness, started=time.time(), expires=time.time() + 3,
                               deadline=time.time() + 10, owner="live-replica")  # fmt: skip
    await harness.idempotency_kv.create(key, record)
    r = await aclient.post(URL, json=BODY, headers={**harness.auth(), "Idempotency-Key": "k-dead"})
    assert r.status_code == 409 and r.json()["code"] == "idempotency_request_in_progress"
    assert harness.counter.executions == 0


async def test_the_owner_renews_its_lease_while_the_request_runs(
    harness: Harness, aclient: httpx.AsyncClient, monkeypatch: object
) -> None:
    import json

    from services.gateway import idempotency_lease

    monkeypatch.setattr(idempotency_lease, "HEARTBEAT_SECONDS", 0.05)  # type: ignore[attr-defined]
    monkeypatch.setattr(idempotency_lease, "LEASE_SECONDS", 0.3)  # type: ignore[attr-defined]
    headers = {**harness.auth(), "Idempotency-Key": "k-slow"}
    slow = asyncio.create_task(aclient.post("/v1/test/slow", headers=headers))
    await asyncio.sleep(1.0)  # several leases long: only the renewals keep the key
    entry = next(v for v in harness.idempotency_kv._data.values() if v is not None)
    assert json.loads(entry.value)["state"] == "in_progress"
    retry = await aclient.post("/v1/test/slow", headers=headers)
    assert retry.status_code == 409, retry.text
    harness.counter.release.set()
    assert (await slow).status_code == 201
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
