"""The owner probe carries the key: another replica still running the request keeps its key
after its lease lapsed (its renewals came late on a starved loop), until its deadline."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from services.gateway.idempotency import kv_key_for
from services.gateway.idempotency_lease import OwnerState
from services.gateway.request_fingerprint import fingerprint
from shared.runtime.nats_server import NatsServer
from tests.integration.gateway.test_owner_takeover import _other_replica
from tests.support.gateway.live import LiveGateway

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


async def _lapsed(gateway: LiveGateway, owner: str, key: str, deadline_in: float) -> str:
    """An in-progress record whose lease lapsed a moment ago; returns its store key."""
    body = json.dumps(BODY, separators=(",", ":")).encode()
    scope = {"method": "POST", "path": URL, "query_string": b""}
    now = time.time()
    record = {"state": "in_progress", "fingerprint": fingerprint(scope, body), "owner": owner,
              "started": now - 5, "expires": now - 0.1, "deadline": now + deadline_in}  # fmt: skip
    kv_key = kv_key_for("customer:cust-1", f"POST {URL}", key)
    kv = await gateway.nc.jetstream().key_value("idempotency")
    await kv.create(kv_key, json.dumps(record).encode())
    return kv_key


async def test_a_lapsed_lease_of_a_running_owner_holds_until_its_deadline(
    gateway: LiveGateway, http: httpx.AsyncClient, nats_server: NatsServer
) -> None:
    nc, other = await _other_replica(nats_server)
    kv_key = await _lapsed(gateway, other.owner, "k-starved", deadline_in=1.5)
    other.running[kv_key] = object()  # the other replica is still on that request
    mine = gateway.app.state.runtime.idempotency.probe
    assert await mine.state(other.owner, kv_key) is OwnerState.RUNNING
    assert await mine.state(other.owner, "another-key") is OwnerState.ALIVE
    headers = {**gateway.auth(), "Idempotency-Key": "k-starved"}
    held = await http.post(URL, json=BODY, headers=headers)
    assert held.status_code == 409, held.text
    assert gateway.counter.executions == 0
    deadline = time.monotonic() + 5
    while (r := await http.post(URL, json=BODY, headers=headers)).status_code == 409:
        assert time.monotonic() < deadline, "a running owner kept its key past its deadline"
        await asyncio.sleep(0.1)
    assert r.status_code == 201, r.text
    assert gateway.counter.executions == 1
    await nc.close()


async def test_a_lapsed_lease_of_an_idle_owner_is_taken_over(
    gateway: LiveGateway, http: httpx.AsyncClient, nats_server: NatsServer
) -> None:
    """Alive but not running it (it finished; its outcome write was lost): the lease decides."""
    nc, other = await _other_replica(nats_server)
    await _lapsed(gateway, other.owner, "k-idle", deadline_in=10)
    headers = {**gateway.auth(), "Idempotency-Key": "k-idle"}
    r = await http.post(URL, json=BODY, headers=headers)
    assert r.status_code == 201, r.text
    assert gateway.counter.executions == 1
    await nc.close()
