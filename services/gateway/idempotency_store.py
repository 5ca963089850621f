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
    in_progress_record,
    lease_lapsed,
    owner_gone,
)
from services.gateway.partner_keys import KeyValueLike

log = structlog.get_logger()

_STORED_HEADERS = {"content-type", "location", "etag", "retry-after"}


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
            if stored["fingerprint"] != fingerprint or not await self._may_take_over(stored):
                return None, stored
            try:  # take over a lapsed lease; only one taker wins the compare-and-set
                revision = await self._kv_update(kv_key, orjson.dumps(record), last=entry.revision)
            except KeyWrongLastSequenceError:
                continue
            log.info("idempotency.taken_over", previous_owner=stored.get("owner"))
            return self._claim(kv_key, record, revision), None
        return None, {"state": "in_progress", "fingerprint": fingerprint}

    async def _may_take_over(self, stored: dict[str, Any]) -> bool:
        """Its lease lapsed, or its owner is gone (killed): either way, nobody will finish it."""
        return lease_lapsed(stored, time.time()) or await owner_gone(stored, self.owner, self.probe)

    def _claim(self, kv_key: str, record: dict[str, Any], revision: int) -> Claim:
        return Claim(kv_key, record["fingerprint"], revision, record["deadline"], self.owner)

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
            if k.decode("latin-1").lower() in _STORED_HEADERS
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
