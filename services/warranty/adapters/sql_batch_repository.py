"""Persistence of batch analytics: production volumes, flagged batches, and claim facts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.warranty.adapters.tables import batch_flags, claims, production_volumes
from services.warranty.domain.analytics import ClaimFacts, batch_of
from services.warranty.domain.batches import BatchFlag, BatchKey, BatchVerdict
from services.warranty.domain.volumes import Volume
from shared.persistence.session import Session

_KEY = ("factory", "iso_year", "iso_week", "style")


def _key_values(batch: BatchKey) -> dict[str, Any]:
    return {"factory": batch.factory, "iso_year": batch.year, "iso_week": batch.week,
            "style": batch.style}  # fmt: skip


def _key_of(row: Any) -> BatchKey:
    return BatchKey(row.factory, row.iso_year, row.iso_week, row.style)


class SqlBatchRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    async def replace_volumes(self, volumes: Sequence[Volume], at: datetime, by: str) -> None:
        """An upload restates the volumes it names (a corrected file replaces the old figures)."""
        t = production_volumes
        match = sa.and_(*(t.c[k] == sa.bindparam(f"k_{k}") for k in _KEY))
        keys = [{f"k_{k}": v for k, v in _key_values(x.batch).items()} for x in volumes]
        await self.session.execute(sa.delete(t).where(match), keys)
        rows = [
            _key_values(v.batch) | {"units": v.units, "uploaded_at": at, "uploaded_by": by}
            for v in volumes
        ]
        await self.session.execute(sa.insert(t), rows)

    async def volumes(self) -> dict[BatchKey, int]:
        t = production_volumes
        result = await self.session.execute(sa.select(*(t.c[k] for k in _KEY), t.c.units))
        return {_key_of(r): r.units for r in result}

    async def claim_facts(self, region: str | None = None) -> list[ClaimFacts]:
        c = claims
        query = sa.select(
            c.c.label_code, c.c.style_code, c.c.manufacture_date, c.c.region, c.c.components,
            c.c.cause, c.c.status, c.c.received_at, c.c.shipped_at,
        )  # fmt: skip
        if region is not None:
            query = query.where(c.c.region == region)
        result = await self.session.execute(query)
        return [
            ClaimFacts(
                batch=batch_of(r.label_code, r.style_code, r.manufacture_date),
                region=r.region,
                components=tuple(r.components or ()),
                cause=r.cause,
                status=r.status,
                received_at=r.received_at,
                shipped_at=r.shipped_at,
            )
            for r in result
        ]

    async def flags(self) -> dict[BatchKey, BatchFlag]:
        result = await self.session.execute(sa.select(batch_flags))
        return {
            _key_of(r): BatchFlag(_key_of(r), r.claims, r.units, r.baseline, r.p_value,
                                  r.q_value, r.flagged_at)
            for r in result
        }  # fmt: skip

    async def add_flag(self, verdict: BatchVerdict, at: datetime) -> None:
        await self.session.execute(
            sa.insert(batch_flags).values(
                **_key_values(verdict.batch),
                claims=verdict.claims,
                units=verdict.units,
                baseline=verdict.baseline,
                p_value=verdict.p_value,
                q_value=verdict.q_value,
                flagged_at=at,
            )
        )
