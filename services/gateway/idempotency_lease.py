"""The lock on an Idempotency-Key: a short lease its owner renews while the request runs.

A record in state `in_progress` carries `expires` (renewed every `HEARTBEAT_SECONDS` by the
replica running the request, `LEASE_SECONDS` ahead) and `deadline` (the RPC timeout plus
`DEADLINE_MARGIN_SECONDS` after the start; never renewed past it). A lapsed lease means the
owner died or overran its deadline: a retry may take the key over at once
(`services.gateway.idempotency`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

log = structlog.get_logger()

HEARTBEAT_SECONDS = 1.0  # the owner renews its lease this often while the request runs
LEASE_SECONDS = 3.0  # three missed renewals: the owner is gone, a retry takes over
DEADLINE_MARGIN_SECONDS = 5.0  # on top of the RPC timeout: the longest a request may hold a key
LEGACY_LEASE_SECONDS = 60.0  # records written before leases were renewed have no `expires`


@dataclass
class Claim:
    kv_key: str
    fingerprint: str
    revision: int
    deadline: float  # epoch seconds; the lease is never renewed past it
    owner: str = ""


def in_progress_record(fingerprint: str, owner: str, now: float, deadline: float) -> dict[str, Any]:
    return {"state": "in_progress", "fingerprint": fingerprint, "owner": owner, "started": now,
            "expires": min(now + LEASE_SECONDS, deadline), "deadline": deadline}  # fmt: skip


def lease_lapsed(stored: dict[str, Any], now: float) -> bool:
    """An in-progress record whose owner stopped renewing it (dead) or overran its deadline."""
    expires = stored.get("expires", stored.get("started", 0.0) + LEGACY_LEASE_SECONDS)
    return bool(stored["state"] == "in_progress" and now > expires)


class Renews(Protocol):
    async def renew(self, claim: Claim) -> bool: ...


class LeaseKeeper:
    """Renews a claim's lease while its request runs; stopped before the outcome is written.
    Most requests end within a heartbeat, so the renewing task starts only after one (a timer
    until then: nothing to cancel on the hot path but a timer handle)."""

    def __init__(self, store: Renews, claim: Claim) -> None:
        self.store = store
        self.claim = claim
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._timer = asyncio.get_running_loop().call_later(HEARTBEAT_SECONDS, self._begin)

    def _begin(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if not await self.store.renew(self.claim):
                    return  # past the deadline: a retry may take over
            except Exception as exc:  # taken over, or the store is away: the lease lapses
                log.warning("idempotency.renew_failed", error=f"{type(exc).__name__}: {exc}")
                return
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=HEARTBEAT_SECONDS)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        self._timer.cancel()
        self._stop.set()  # wakes the wait; an update in flight finishes first
        if self._task is not None:
            await self._task
