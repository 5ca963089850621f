"""In-memory stand-ins for NATS KV and the RPC client, with the same semantics the gateway uses."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError

from shared.errors import DomainError, ErrorKind


@dataclass
class Entry:
    key: str
    value: bytes
    revision: int


class FakeKV:
    """Compare-and-set semantics of `nats.js.kv.KeyValue` (create/update/delete/get/put/keys)."""

    def __init__(self) -> None:
        self._data: dict[str, Entry | None] = {}  # None = deleted (tombstone)
        self._rev = 0
        self.lock = asyncio.Lock()

    async def _write(self, key: str, value: bytes, expect: int | None) -> int:
        await asyncio.sleep(0)  # let concurrent callers interleave like real I/O
        current = self._data.get(key)
        current_rev = current.revision if current else 0
        if expect is not None and expect != current_rev:
            raise KeyWrongLastSequenceError(description="wrong last sequence")
        self._rev += 1
        self._data[key] = Entry(key, value, self._rev)
        return self._rev

    async def create(self, key: str, value: bytes) -> int:
        return await self._write(key, value, 0)

    async def update(self, key: str, value: bytes, last: int | None = None) -> int:
        return await self._write(key, value, last or 0)

    async def put(self, key: str, value: bytes) -> int:
        return await self._write(key, value, None)

    async def get(self, key: str) -> Entry:
        await asyncio.sleep(0)
        entry = self._data.get(key)
        if entry is None:
            raise KeyNotFoundError
        return entry

    async def delete(self, key: str) -> bool:
        await asyncio.sleep(0)
        self._data[key] = None
        return True

    async def keys(self) -> list[str]:
        keys = [k for k, v in self._data.items() if v is not None]
        if not keys:
            raise NoKeysError
        return keys

    def raw(self, key: str) -> Entry | None:
        return self._data.get(key)


class FakeRpc:
    """Answers `call(subject, ...)` from a dict of handlers; records every call."""

    def __init__(self, handlers: dict[str, Any] | None = None) -> None:
        self.handlers = handlers or {}
        self.calls: list[dict[str, Any]] = []

    async def call(
        self,
        subject: str,
        payload: Any = None,
        *,
        actor: Any = None,
        correlation_id: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        self.calls.append(
            {"subject": subject, "payload": payload, "actor": actor, "timeout": timeout}
        )
        handler = self.handlers.get(subject)
        if handler is None:
            raise DomainError(
                f"no service is answering {subject}",
                code="upstream_unavailable",
                kind=ErrorKind.UNAVAILABLE,
            )
        if isinstance(handler, Exception):
            raise handler
        result = handler(payload, actor) if callable(handler) else handler
        if asyncio.iscoroutine(result):
            result = await result
        return result
