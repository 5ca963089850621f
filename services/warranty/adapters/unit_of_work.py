"""The warranty unit of work: one transaction's repositories, on the shared SQL unit of work."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from services.warranty.domain.events import WarrantyEvent
from services.warranty.domain.reference import Catalogue
from services.warranty.domain.sla import Timings
from shared.messaging.outbox import Tx
from shared.messaging.outbox import UnitOfWork as Outbox
from shared.messaging.unit_of_work import SqlUnitOfWork, ToWire, Work

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


def warranty_uow(outbox: Outbox, catalogue: Catalogue, timings: Timings) -> WarrantyUnitOfWork:
    def make_work(tx: Tx, to_wire: ToWire[WarrantyEvent] | None) -> WarrantyWork:
        return WarrantyWork(tx, to_wire, catalogue, timings)

    wire = WarrantyWire(catalogue)
    return WarrantyUnitOfWork(outbox, make_work, wire.to_cloud_event)
