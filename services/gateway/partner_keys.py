"""Partner API keys: hashed at rest in the NATS KV bucket `partner_keys`, scoped, revocable.

A key reads `ck_<key_id>_<secret>`. The KV entry is found by `key_id` (one read, no scan) and
holds only an HMAC-SHA256 of the whole key under a server-side pepper, so a copy of the bucket
does not yield usable keys. The plain key is shown once, when it is created.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from nats.errors import Error as NatsError
from nats.js.errors import KeyNotFoundError, NoKeysError
from pydantic import BaseModel, Field

from shared.errors import DomainError, ErrorKind

BUCKET = "partner_keys"
KEY_PREFIX = "ck_"
_KEY_RE = re.compile(r"^ck_([a-f0-9]{16})_([A-Za-z0-9_-]{20,100})$")
_KEY_ID_RE = re.compile(r"^[a-f0-9]{16}$")

# What a partner may do through the HTTP API. Routers name one of these in `require_partner`.
PARTNER_ACTIONS = {
    "webhooks.manage": "create, list, update and delete its webhook endpoints",
    "webhooks.replay": "replay deliveries and read the delivery log",
    "events.read": "read partner-visible events (replay by id or time range)",
}


class PartnerKey(BaseModel):
    """What the bucket stores about a key (never the key itself)."""

    key_id: str
    name: str
    key_hash: str
    event_types: list[str] = Field(description="Event type patterns, e.g. `warranty.claim.*`.")
    actions: list[str]
    created_at: datetime
    revoked_at: datetime | None = None

    def public(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"key_hash"})

    @property
    def usable(self) -> bool:
        return self.revoked_at is None


@contextmanager
def keys_answering() -> Iterator[None]:
    """A request that reads the keys' bucket while it cannot answer (its stream electing a new
    leader after a NATS node died) gets 503 `upstream_unavailable`, not an unhandled 500. The
    store itself raises NATS's errors: the command line reports them its own way."""
    try:
        yield
    except (NatsError, TimeoutError) as exc:
        raise DomainError(
            "Cannot check API keys right now.", code="upstream_unavailable",
            kind=ErrorKind.UNAVAILABLE,
        ) from exc  # fmt: skip


class KeyValueLike(Protocol):
    """The subset of `nats.js.kv.KeyValue` the gateway uses (tests pass a fake)."""

    async def get(self, key: str) -> Any: ...
    async def put(self, key: str, value: bytes) -> int: ...
    async def create(self, key: str, value: bytes) -> int: ...
    async def update(self, key: str, value: bytes, last: int | None = None) -> int: ...
    async def delete(self, key: str) -> bool: ...
    async def keys(self) -> list[str]: ...


def hash_key(pepper: str, plain_key: str) -> str:
    return hmac.new(pepper.encode(), plain_key.encode(), hashlib.sha256).hexdigest()


def parse_key_id(plain_key: str) -> str | None:
    match = _KEY_RE.match(plain_key)
    return match.group(1) if match else None


class PartnerKeyStore:
    def __init__(self, kv: KeyValueLike, pepper: str) -> None:
        self._kv = kv
        self._pepper = pepper

    async def create(
        self, name: str, event_types: list[str], actions: list[str]
    ) -> tuple[str, PartnerKey]:
        unknown = sorted(set(actions) - PARTNER_ACTIONS.keys())
        if unknown:
            raise ValueError(
                f"unknown partner actions: {unknown}; known: {sorted(PARTNER_ACTIONS)}"
            )
        key_id = secrets.token_hex(8)
        plain = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        record = PartnerKey(
            key_id=key_id,
            name=name,
            key_hash=hash_key(self._pepper, plain),
            event_types=event_types,
            actions=sorted(set(actions)),
            created_at=datetime.now(UTC),
        )
        await self._kv.create(key_id, record.model_dump_json().encode())
        return plain, record

    async def verify(self, plain_key: str) -> PartnerKey | None:
        """The key's record if the key is genuine and not revoked, else None."""
        key_id = parse_key_id(plain_key)
        if key_id is None:
            return None
        record = await self._load(key_id)
        if record is None or record.revoked_at is not None:
            return None
        if not hmac.compare_digest(record.key_hash, hash_key(self._pepper, plain_key)):
            return None
        return record

    async def list(self) -> list[PartnerKey]:
        try:
            ids = await self._kv.keys()
        except NoKeysError:
            return []
        records = [await self._load(key_id) for key_id in sorted(ids)]
        return [r for r in records if r is not None]

    async def get(self, key_id: str) -> PartnerKey | None:
        """A key's record by its id (revoked ones too), or None."""
        return await self._load(key_id)

    async def revoke(self, key_id: str) -> PartnerKey | None:
        record = await self._load(key_id)
        if record is None:
            return None
        if record.revoked_at is None:
            record.revoked_at = datetime.now(UTC)
            await self._kv.put(key_id, record.model_dump_json().encode())
        return record

    async def _load(self, key_id: str) -> PartnerKey | None:
        if not _KEY_ID_RE.match(key_id):
            return None
        try:
            entry = await self._kv.get(key_id)
        except KeyNotFoundError:  # KeyValue.get turns a deleted key into KeyNotFoundError too
            return None
        if entry is None or not entry.value:
            return None
        return PartnerKey.model_validate(json.loads(entry.value))
