"""Issue 18: a retry after a gateway replica was killed mid-request takes its Idempotency-Key
over at once, not after the lease: every replica answers a liveness probe on NATS for its own
owner id, and a probe that meets no responder means the owner's connection is gone. A probe a
live owner answers, or one that cannot be answered in time, leaves the key to its lease."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import nats

from services.gateway.idempotency import kv_key_for
from services.gateway.idempotency_lease import OwnerProbe, process_owner
from services.gateway.request_fingerprint import fingerprint
from shared.runtime.nats_server import NatsServer
from tests.support.gateway.live import LiveGateway

URL = "/v1/test/things"
BODY = {"name": "handbag", "quantity": 1}


async def _other_replica(nats_server: NatsServer) -> tuple[Any, OwnerProbe]:
    nc = await nats.connect(nats_server.url)
    probe = OwnerProbe(nc, process_owner("other-replica"))
    await probe.start()
    # A brand-new subscription is visible to other connections a few milliseconds after the
    # server acknowledged it (measured: 7 % of probes in the first instant met no responder).
    deadline = time.monotonic() + 3
    while not await probe.alive(probe.owner):
        assert time.monotonic() < deadline, "the probe subscription never became visible"
    await asyncio.sleep(0.1)
    return nc, probe


async def _held_by(gateway: LiveGateway, owner: str, key: str) -> None:
    """An in-progress record with a fresh lease (3 s), as its owner left it mid-request."""
    body = json.dumps(BODY, separators=(",", ":")).encode()
    scope = {"method": "POST", "path": URL, "query_string": b""}
    now = time.time()
    record = {"state": "in_progress", "fingerprint": fingerprint(scope, body), "owner": owner,
              "started": now, "expires": now + 3, "deadline": now + 10}  # fmt: skip
    kv = await gateway.nc.jetstream().key_value("idempotency")
    await kv.create(kv_key_for("customer:cust-1", f"POST {URL}", key), json.dumps(record).encode())


async def test_the_probe_tells_a_live_owner_from_a_dead_one(
    gateway: LiveGateway, nats_server: NatsServer
) -> None:
    nc, other = await _other_replica(nats_server)
    mine = gateway.app.state.runtime.idempotency.probe
    assert await mine.alive(other.owner) is True
    await nc.close()  # what a SIGKILL does to its connection
    await _until_gone(mine, other.owner)
    started = time.monotonic()
    assert await mine.alive(other.owner) is False
    assert time.monotonic() - started < 0.4  # no responders: answered at once, not timed out
    assert await mine.alive(mine.owner) is True


async def _until_gone(probe: OwnerProbe, owner: str) -> None:
    """The server drops a closed connection's interest a moment after the close."""
    deadline = time.monotonic() + 3
    while await probe.alive(owner):
        assert time.monotonic() < deadline, "a closed connection still answers its probe"


async def test_a_retry_takes_a_dead_owners_key_over_at_once(
    gateway: LiveGateway, http: httpx.AsyncClient, nats_server: NatsServer
) -> None:
    nc, other = await _other_replica(nats_server)
    await _held_by(gateway, other.owner, "k-killed")
    headers = {**gateway.auth(), "Idempotency-Key": "k-killed"}
    alive = await http.post(URL, json=BODY, headers=headers)
    assert alive.status_code == 409, alive.text  # its owner still answers: the lease holds
    await nc.close()
    await _until_gone(gateway.app.state.runtime.idempotency.probe, other.owner)
    started = time.monotonic()
    retried = await http.post(URL, json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text  # well inside the 3 s lease
    assert time.monotonic() - started < 2.0
    assert gateway.counter.executions == 1


async def test_a_restarted_replica_is_not_taken_for_its_dead_self(
    gateway: LiveGateway, http: httpx.AsyncClient, nats_server: NatsServer
) -> None:
    """Same host and pid (a restarted container), another process life: another owner id."""
    assert process_owner("host-1") != process_owner("host-1")
    nc, _alive = await _other_replica(nats_server)  # a live replica with that instance name
    await _held_by(gateway, process_owner("other-replica"), "k-restarted")
    headers = {**gateway.auth(), "Idempotency-Key": "k-restarted"}
    retried = await http.post(URL, json=BODY, headers=headers)
    assert retried.status_code == 201, retried.text
    await nc.close()
