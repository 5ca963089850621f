"""The `PhotoInbox` on the JetStream object store bucket the gateway puts label photos into
(shared/messaging/photo_bucket.py). A photo is read once and deleted, whatever the outcome; one
that is never read expires with the bucket's TTL."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

import structlog
from nats.js.errors import NotFoundError

from shared.errors import DomainError, ErrorKind
from shared.messaging.photo_bucket import open_photo_bucket

log = structlog.get_logger()


class PhotoGone(DomainError):
    """The named photo is not in the bucket: it expired, or was already read."""

    code = "photo_expired"
    kind = ErrorKind.GONE


class PhotoHashMismatch(DomainError):
    code = "photo_hash_mismatch"
    kind = ErrorKind.INVALID


class ObjectStorePhotoInbox:
    def __init__(self, js: Callable[[], Any], replicas: int = 1) -> None:
        self._js = js  # the service's JetStream context, once it has connected
        self._replicas = replicas
        self._bucket: Any = None

    async def bucket(self) -> Any:
        if self._bucket is None:
            self._bucket = await open_photo_bucket(self._js(), self._replicas)
        return self._bucket

    async def take(self, name: str, sha256: str) -> bytes:
        bucket = await self.bucket()
        try:
            data: bytes = (await bucket.get(name)).data or b""
        except NotFoundError as exc:
            raise PhotoGone("The photo is no longer available; upload it again.") from exc
        finally:
            await self._forget(bucket, name)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise PhotoHashMismatch("The photo does not match its hash; upload it again.")
        return data

    async def give(self, data: bytes) -> tuple[str, str]:
        """Put bytes for the gateway to read once (it deletes them; the TTL covers a lost one)."""
        name = secrets.token_urlsafe(24)
        await (await self.bucket()).put(name, data)
        return name, hashlib.sha256(data).hexdigest()

    async def _forget(self, bucket: Any, name: str) -> None:
        try:
            await bucket.delete(name)
        except NotFoundError:
            pass  # never there, or already gone: the TTL has nothing left to do either
        except Exception:
            log.warning("label.photo_delete_failed", object_name=name, exc_info=True)
