"""The lock on an Idempotency-Key: a short lease its owner renews while the request runs.

A record in state `in_progress` carries `owner` (the replica's id for this process life),
`expires` (renewed every `HEARTBEAT_SECONDS` by the replica running the request,
`LEASE_SECONDS` ahead) and `deadline` (the RPC timeout plus `DEADLINE_MARGIN_SECONDS` after the
start; never renewed past it). A retry may take the key over at once
(`services.gateway.idempotency`) when the lease lapsed (the owner died or overran its deadline),
or sooner, when the owner is gone: each replica answers a liveness probe on its own NATS subject
(`OwnerProbe`), and a probe that meets no responder means the owner's connection is closed (a
SIGKILLed process's socket is closed by the kernel, and the server drops its interest at once).
A probe that times out proves nothing: the retry waits for the lease, as before.

A lapsed lease alone does not prove the owner gone: on a starved event loop (a loaded machine)
the owner's renewals come late while its request still runs. So the probe carries the key, and
the owner says whether it is still running that request (`OwnerState.RUNNING`); a replica asks
itself without NATS. A running owner keeps the key until its deadline, whatever its lease says:
otherwise a retry would run the request a second time and be answered as an original.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from nats.errors import NoRespondersError

log = structlog.get_logger()

HEARTBEAT_SECONDS = 1.0  # the owner renews its lease this often while the request runs
LEASE_SECONDS = 3.0  # three missed renewals: the owner is gone, a retry takes over
DEADLINE_MARGIN_SECONDS = 5.0  # on top of the RPC timeout: the longest a request may hold a key
LEGACY_LEASE_SECONDS = 60.0  # records written before leases were renewed have no `expires`
PROBE_TIMEOUT_SECONDS = 0.5  # a live owner answers within this; a dead one has no responder
PROBE_SUBJECT = "concierge.gateway.alive."


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


def process_owner(instance: str) -> str:
    """This process's owner id: the replica's instance plus a per-life token, so a restarted
    replica that kept its host name and pid (a container) is not taken for its dead self."""
    return f"{instance}/{secrets.token_hex(4)}"


def probe_subject(owner: str) -> str:
    # Any owner string maps to one valid subject token.
    return PROBE_SUBJECT + hashlib.sha256(owner.encode()).hexdigest()[:24]


class OwnerState(enum.Enum):
    GONE = "gone"  # no responder: its connection is closed
    RUNNING = "running"  # alive and still running the request of that key
    ALIVE = "alive"  # alive, not running it (finished, its record write lost)
    UNKNOWN = "unknown"  # no answer in time, or NATS away: cannot tell


_RUNNING_ANSWER = b"running"


class OwnerProbe:
    """Answers probes for this process's owner id (alive, and whether it is running a key), and
    asks another owner the same."""

    def __init__(self, nc: Any, owner: str) -> None:
        self.nc = nc
        self.owner = owner
        self.running: dict[str, object] = {}  # key -> its claim, while this process runs it
        self._sub: Any = None

    async def start(self) -> None:
        self._sub = await self.nc.subscribe(probe_subject(self.owner), cb=self._answer)
        await self.nc.flush()  # the server knows the subscription before any request is served

    async def _answer(self, msg: Any) -> None:
        running = bool(msg.data) and msg.data.decode("latin-1") in self.running
        await msg.respond(_RUNNING_ANSWER if running else b"alive")

    async def state(self, owner: str, kv_key: str = "") -> OwnerState:
        try:
            reply = await self.nc.request(
                probe_subject(owner), kv_key.encode(), timeout=PROBE_TIMEOUT_SECONDS
            )
        except NoRespondersError:
            return OwnerState.GONE
        except Exception:  # a timeout or NATS away: cannot tell, so the owner may be alive
            return OwnerState.UNKNOWN
        return OwnerState.RUNNING if reply.data == _RUNNING_ANSWER else OwnerState.ALIVE

    async def alive(self, owner: str) -> bool:
        """False only when nobody answers for `owner` (its connection is gone)."""
        return await self.state(owner) is not OwnerState.GONE


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
