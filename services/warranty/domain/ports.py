"""What the warranty use cases need from outside, as protocols the adapters implement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .rma import RmaForm


class ReplacementStock(Protocol):
    """Replacement items in the orders service's regional stock, reserved per claim."""

    async def available(self, region: str, style: str) -> int: ...
    async def reserve(self, claim_id: str, region: str, style: str) -> str: ...
    async def release(self, claim_id: str) -> None: ...


class BlobStore(Protocol):
    """Where kept photos live: a local folder by default, an S3-compatible bucket in production.
    Keys are flat names (`[A-Za-z0-9._-]`, no leading dot)."""

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str) -> bytes | None:
        """The bytes, or None when there is no such key."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the key; removing a missing key is not an error."""
        ...

    async def check(self) -> None:
        """Raise when the store cannot be used (missing bucket, no access): checked at start."""
        ...


class PhotoInbox(Protocol):
    """Photos handed over by the gateway (too large for a message), each taken once by name."""

    async def take(self, name: str, sha256: str) -> bytes:
        """The photo's bytes, checked against `sha256`; the photo is gone from the inbox after."""
        ...


class PhotoOutbox(Protocol):
    """Photos handed to the gateway the same way, in the other direction."""

    async def give(self, data: bytes) -> tuple[str, str]:
        """Put the bytes where the gateway reads them; (object name, hex SHA-256)."""
        ...


class CleanedPhoto(Protocol):
    """A photo re-encoded from its pixels only (no EXIF, GPS or other metadata)."""

    @property
    def data(self) -> bytes: ...
    @property
    def content_type(self) -> str: ...


PhotoCleaner = Callable[[bytes], CleanedPhoto]
RmaFormRenderer = Callable[[RmaForm], bytes]
PolicyRenderer = Callable[[dict[str, Any]], str]
