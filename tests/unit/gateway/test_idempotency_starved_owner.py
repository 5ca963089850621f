"""A lease that lapses while its owner still runs the request (a starved event loop misses the
renewals: seen on a loaded machine as 5 "original" answers to 50 concurrent identical orders)
must not let a retry run the request again and be answered as an original."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway import idempotency_lease
from tests.support.gateway.harness import Harness


async def test_a_running_owner_keeps_its_key_after_its_lease_lapsed(
    harness: Harness, aclient: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Renewals far apart and a short lease: the lease lapses while the first request runs, as
    # it does when the owner's loop is starved.
    monkeypatch.setattr(idempotency_lease, "HEARTBEAT_SECONDS", 30.0)
    monkeypatch.setattr(idempotency_lease, "LEASE_SECONDS", 0.1)
    headers = {**harness.auth(), "Idempotency-Key": "k-starved"}
    first = asyncio.create_task(aclient.post("/v1/test/slow", headers=headers))
    await asyncio.sleep(0.4)  # the lease lapsed; the first request still waits
    retries = await asyncio.gather(
        *(aclient.post("/v1/test/slow", headers=headers) for _ in range(5))
    )
    assert [r.status_code for r in retries] == [409] * 5, [r.text for r in retries]
    assert {r.json()["code"] for r in retries} == {"idempotency_request_in_progress"}
    harness.counter.release.set()
    original = await first
    assert original.status_code == 201 and "idempotent-replayed" not in original.headers
    replay = await aclient.post("/v1/test/slow", headers=headers)
    assert replay.headers["idempotent-replayed"] == "true" and replay.content == original.content
    assert harness.counter.executions == 1


async def test_a_lapsed_key_whose_request_ended_here_is_taken_over(
    harness: Harness, aclient: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner finished but could not write its outcome: nothing runs, the lease decides."""
    monkeypatch.setattr(idempotency_lease, "LEASE_SECONDS", 0.1)
    store = harness.app.state.runtime.idempotency
    claim, _ = await store.claim("k-lost", "fp")
    assert claim is not None and "k-lost" in store.running
    store.finished(claim)  # its `complete` failed: the record stays in progress
    assert "k-lost" not in store.running
    await asyncio.sleep(0.2)
    again, stored = await store.claim("k-lost", "fp")
    assert again is not None and stored is None


async def test_a_running_owner_loses_its_key_past_its_deadline(
    harness: Harness, aclient: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline bounds how long a request may hold a key, running or not."""
    monkeypatch.setattr(idempotency_lease, "LEASE_SECONDS", 0.05)
    store = harness.app.state.runtime.idempotency
    monkeypatch.setattr(store, "deadline_seconds", 0.1)
    claim, _ = await store.claim("k-overran", "fp")
    assert claim is not None
    taken, _ = await store.claim("k-overran", "fp")
    assert taken is None  # still running, within its deadline
    await asyncio.sleep(0.2)
    taken, _ = await store.claim("k-overran", "fp")
    assert taken is not None
