"""The label photo kept as a claim's evidence: shown to agents and the claim's owner, and
forgotten when no claim took it within the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import structlog

from services.warranty.domain.claim_access import ensure_visible
from services.warranty.domain.evidence import claim_photo_missing
from services.warranty.domain.ports import BlobStore
from shared.actor import Actor
from shared.clock import Clock

from .unit_of_work import UnitOfWork

log = structlog.get_logger()


@dataclass(frozen=True)
class PhotoFile:
    content_type: str
    data: bytes


@dataclass
class ClaimEvidence:
    uow: UnitOfWork
    blobs: BlobStore
    clock: Clock
    retention: timedelta = timedelta(days=1)  # how long a photo waits for a claim to take it

    async def claim_photo(self, actor: Actor | None, claim_id: str) -> PhotoFile:
        """The claim's evidence photo; customers see only their own claims' (404 otherwise)."""
        if actor is not None and actor.type not in ("customer", "agent", "system"):
            raise claim_photo_missing(claim_id)  # partners: not theirs to see
        async with self.uow.read() as work:
            claim = ensure_visible(await work.claims.get(claim_id), claim_id, actor)
            photo = (
                await work.photos.get(claim.evidence_photo_id) if claim.evidence_photo_id else None
            )
        data = await self.blobs.get(photo.blob_key) if photo is not None else None
        if photo is None or data is None:
            raise claim_photo_missing(claim_id)
        return PhotoFile(photo.content_type, data)

    async def forget_unclaimed(self) -> int:
        """Delete photos no claim took within the retention period (row first, then the blob:
        a claim can no longer take a photo whose bytes are going)."""
        async with self.uow.read() as work:
            stale = await work.photos.unattached_before(self.clock.now() - self.retention)
        forgotten = 0
        for photo in stale:
            async with self.uow() as work:
                removed = await work.photos.remove_unattached(photo.id)
            if removed:
                await self.blobs.delete(photo.blob_key)
                forgotten += 1
        if forgotten:
            log.info("label.photos_forgotten", count=forgotten)
        return forgotten
