"""An in-memory stand-in for the JetStream object store bucket of label photos (put/get/delete,
with nats-py's not-found error), recording what was stored and deleted."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js.errors import ObjectNotFoundError


@dataclass
class StoredObject:
    data: bytes


class FakeObjectBucket:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.deleted: list[str] = []

    async def put(self, name: str, data: bytes) -> None:
        self.objects[name] = bytes(data)

    async def get(self, name: str) -> StoredObject:
        if name not in self.objects:
            raise ObjectNotFoundError
        return StoredObject(self.objects[name])

    async def delete(self, name: str) -> None:
        if name not in self.objects:
            raise ObjectNotFoundError
        del self.objects[name]
        self.deleted.append(name)
