"""Label photos kept as claim evidence, in the service's database (SQLAlchemy Core)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.warranty.domain.evidence import EvidencePhoto
from shared.errors import Conflict
from shared.persistence.session import Session

from .tables import label_photos

t = label_photos


def _photo(r: Any) -> EvidencePhoto:
    return EvidencePhoto(
        id=r["photo_id"], blob_key=r["blob_key"], content_type=r["content_type"],
        label_code=r["label_code"], uploaded_by=r["uploaded_by"], uploaded_at=r["uploaded_at"],
        claim_id=r["claim_id"],
    )  # fmt: skip


class SqlPhotoRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def add(self, photo: EvidencePhoto) -> None:
        await self.session.execute(sa.insert(t).values(
            photo_id=photo.id, blob_key=photo.blob_key, content_type=photo.content_type,
            label_code=photo.label_code, uploaded_by=photo.uploaded_by,
            uploaded_at=photo.uploaded_at, claim_id=photo.claim_id,
        ))  # fmt: skip

    async def get(self, photo_id: str) -> EvidencePhoto | None:
        row = (await self.session.execute(sa.select(t).where(t.c.photo_id == photo_id))).mappings()
        found = row.first()
        return _photo(found) if found is not None else None

    async def attach(self, photo_id: str, claim_id: str) -> None:
        """Give the photo to the claim; refused when another claim took it meanwhile."""
        result = await self.session.execute(
            sa.update(t).where(t.c.photo_id == photo_id, t.c.claim_id.is_(None))
            .values(claim_id=claim_id)
        )  # fmt: skip
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("The photo is already evidence of a claim.",
                           code="photo_already_attached", details={"photo_id": photo_id})  # fmt: skip

    async def unattached_before(self, before: datetime, limit: int = 100) -> list[EvidencePhoto]:
        query = (
            sa.select(t).where(t.c.claim_id.is_(None), t.c.uploaded_at < before)
            .order_by(t.c.uploaded_at).limit(limit)
        )  # fmt: skip
        return [_photo(r) for r in (await self.session.execute(query)).mappings()]

    async def remove_unattached(self, photo_id: str) -> bool:
        """Forget a photo no claim took; False when a claim took it meanwhile (it stays)."""
        result = await self.session.execute(
            sa.delete(t).where(t.c.photo_id == photo_id, t.c.claim_id.is_(None))
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
