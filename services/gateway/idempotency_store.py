"""The `idempotency` KV bucket's records: claim a key (or take over a dead owner's), renew its
lease, store the outcome, or release it. The protocol is described in
`services.gateway.idempotency`; the lease and the owner probe in `idempotency_lease`."""

from __future__ import annotations

import base64
import time
from typing import Any

import orjson
import structlog
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from services.gateway.idempotency_lease import (
    Claim,
    OwnerProbe,
    OwnerState,
    in_progress_record,
    lease_lapsed,
)
from services.gateway.partner_keys import KeyValueLike

log = structlog.get_logger()

# Compared as bytes: bytes.lower() folds ASCII only, as the Latin-1 decode + str.lower() did for
# every name that can match (a non-ASCII byte never lowers to one of these).
_STORED_HEADERS = {b"content-type", b"location", b"etag", b"retry-after"}


class IdempotencyStore:
    def __init__(
        self,
        kv: KeyValueLike,
        *,
        deadline_seconds: float = 10.0,
        owner: str = "",
        probe: OwnerProbe | None = None,
    ) -> None:
        self._kv = kv
        self.deadline_seconds = deadline_seconds
        self.owner = owner
        self.probe = probe  # None: a lock is taken over only when its lease lapsed
        # The keys this process is running now (shared with its probe, which tells other
        # replicas): a running owner keeps its key even when a starved loop let its lease lapse.
        self.running: dict[str, object] = probe.running if probe is not None else {}

    # --- the only KV access (a wrapper may ride through a KV leader election here) ----------

    async def _kv_create(self, key: str, value: bytes) -> int:
        return int(await self._kv.create(key, value))

    async def _kv_get(self, key: str) -> Any:
        return await self._kv.get(key)

    async def _kv_update(self, key: str, value: bytes, last: int) -> int:
        return int(await self._kv.update(key, value, last=last))

    async def _kv_delete(self, key: str) -> None:
        await self._kv.delete(key)

    # --- the protocol --------------------------------------------------------------------------

    def _in_progress(self, fingerprint: str, now: float) -> dict[str, Any]:
        return in_progress_record(fingerprint, self.owner, now, now + self.deadline_seconds)

    async def claim(
        self, kv_key: str, fingerprint: str
    ) -> tuple[Claim | None, dict[str, Any] | None]:
        """(claim, None) when this request owns the key, else (None, stored record)."""
        for _ in range(3):
            record = self._in_progress(fingerprint, time.time())
            try:
                revision = await self._kv_create(kv_key, orjson.dumps(record))
                return self._claim(kv_key, record, revision), None
            except KeyWrongLastSequenceError:
                pass
            try:
                entry = await self._kv_get(kv_key)
            except KeyNotFoundError:
                continue  # released between our create and get: try to claim again
            stored = orjson.loads(entry.value)
            if stored["fingerprint"] != fingerprint or not await self._may_take_over(
                kv_key, stored
            ):
                return None, stored
            claim = await self._take_over(kv_key, fingerprint, entry.revision)
            if claim is not None:
                log.info("idempotency.taken_over", previous_owner=stored.get("owner"))
                return claim, None
        return None, {"state": "in_progress", "fingerprint": fingerprint}

    async def _take_over(self, kv_key: str, fingerprint: str, last: int) -> Claim | None:
        """Only one taker wins the compare-and-set (None: another did, or the owner finished)."""
        # A fresh lease: the lookups since the loop began may have taken seconds on a loaded
        # machine, and a lease dated from then could lapse as soon as it is written.
        record = self._in_progress(fingerprint, time.time())
        try:
            revision = await self._kv_update(kv_key, orjson.dumps(record), last=last)
        except KeyWrongLastSequenceError:
            return None
        return self._claim(kv_key, record, revision)

    async def _may_take_over(self, kv_key: str, stored: dict[str, Any]) -> bool:
        """Nobody will finish it: its owner is gone, or its lease lapsed while the owner is not
        known to be running it (past the deadline, a running owner loses the key too)."""
        if stored["state"] != "in_progress":
            return False
        now = time.time()
        state = await self._owner_state(kv_key, stored)
        if state is OwnerState.GONE:
            return True
        if state is OwnerState.RUNNING and now <= stored.get("deadline", 0.0):
            return False
        return lease_lapsed(stored, now)

    async def _owner_state(self, kv_key: str, stored: dict[str, Any]) -> OwnerState:
        owner = stored.get("owner")
        if owner == self.owner:  # this process: no need to ask
            return OwnerState.RUNNING if kv_key in self.running else OwnerState.ALIVE
        if self.probe is None or not owner:
            return OwnerState.UNKNOWN
        return await self.probe.state(str(owner), kv_key)

    def _claim(self, kv_key: str, record: dict[str, Any], revision: int) -> Claim:
        claim = Claim(kv_key, record["fingerprint"], revision, record["deadline"], self.owner)
        self.running[kv_key] = claim
        return claim

    def finished(self, claim: Claim) -> None:
        """The request of `claim` ended here (its outcome written, or the write failed)."""
        if self.running.get(claim.kv_key) is claim:
            del self.running[claim.kv_key]

    async def renew(self, claim: Claim) -> bool:
        """Extend the lease (never past the deadline); False once it cannot be extended."""
        now = time.time()
        if now >= claim.deadline:
            return False
        record = in_progress_record(claim.fingerprint, claim.owner, now, claim.deadline)
        claim.revision = await self._kv_update(
            claim.kv_key, orjson.dumps(record), last=claim.revision
        )
        return True

    async def complete(
        self, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        kept = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in headers
            if k.lower() in _STORED_HEADERS
        ]
        record = {
            "state": "done",
            "fingerprint": claim.fingerprint,
            "status": status,
            "headers": kept,
            "body": base64.b64encode(body).decode(),
        }
        await self._kv_update(claim.kv_key, orjson.dumps(record), last=claim.revision)

    async def release(self, claim: Claim) -> None:
        await self._kv_delete(claim.kv_key)
