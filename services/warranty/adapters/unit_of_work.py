"""The warranty unit of work: one transaction's repositories, on the shared SQL unit of work."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from services.warranty.domain.claims import Claim
from services.warranty.domain.events import WarrantyEvent
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings
from shared.messaging.outbox import Tx
from shared.messaging.outbox import UnitOfWork as Outbox
from shared.messaging.unit_of_work import SqlUnitOfWork, ToWire, Work

from .claim_reads import ClaimReads
from .sql_batch_repository import SqlBatchRepository
from .sql_claim_repository import SqlClaimRepository
from .sql_parts_repository import SqlPartsRepository
from .sql_photo_repository import SqlPhotoRepository
from .wire import WarrantyWire


class WarrantyWork(Work[WarrantyEvent]):
    def __init__(
        self, tx: Tx, to_wire: ToWire[WarrantyEvent] | None, catalogue: Catalogue, timings: Timings
    ) -> None:
        super().__init__(tx, to_wire)
        self.claims = SqlClaimRepository(tx.session, catalogue, timings)
        self.parts = SqlPartsRepository(tx.session)
        self.batches = SqlBatchRepository(tx.session)
        self.photos = SqlPhotoRepository(tx.session)


class WarrantyUnitOfWork(SqlUnitOfWork[WarrantyWork]):
    # A second write of the same key (claim id, request key, batch flag) is refused this way;
    # a use case that can answer a lost race catches these.
    lost_race: tuple[type[Exception], ...] = (IntegrityError,)

    def __init__(self, outbox: Outbox, catalogue: Catalogue, timings: Timings) -> None:
        def make_work(tx: Tx, to_wire: ToWire[WarrantyEvent] | None) -> WarrantyWork:
            return WarrantyWork(tx, to_wire, catalogue, timings)

        super().__init__(outbox, make_work, WarrantyWire(catalogue).to_cloud_event)
        self._reads = ClaimReads(outbox.db, catalogue)

    async def claim_now(self, claim_id: str) -> Claim | None:
        """One SELECT on a pooled connection, no ORM session: the profile of GET
        /v1/claims/{id} showed the session's bookkeeping (identity map, state changes, its
        close) and the history's second query costing more CPU than the claim's own read.
        A single statement reads a consistent row on SQLite and PostgreSQL alike."""
        return await self._reads.claim_now(claim_id)


def warranty_uow(outbox: Outbox, catalogue: Catalogue, timings: Timings) -> WarrantyUnitOfWork:
    return WarrantyUnitOfWork(outbox, catalogue, timings)
