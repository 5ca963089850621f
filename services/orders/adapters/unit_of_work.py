"""The orders service's unit of work: one SQL transaction and the repositories over it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError

from services.orders.adapters import wire
from services.orders.adapters.sql_listing_repository import SqlListingRepository
from services.orders.adapters.sql_order_repository import SqlOrderRepository
from services.orders.adapters.sql_quote_repository import SqlQuoteRepository
from services.orders.adapters.sql_return_repository import SqlReturnRepository
from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.adapters.sql_waitlist_repository import SqlWaitlistRepository
from services.orders.domain import events as ev
from services.orders.domain.reference import StyleDeclaration
from services.orders.service_layer.unit_of_work import DuplicateEntry
from shared.messaging import outbox
from shared.messaging.unit_of_work import SqlUnitOfWork, ToWire, Work


class OrdersWork(Work[ev.Event]):
    def __init__(
        self,
        tx: outbox.Tx,
        to_wire: ToWire[ev.Event] | None,
        style_declarations: Mapping[str, StyleDeclaration] | None = None,
    ) -> None:
        super().__init__(tx, to_wire)
        self.quotes = SqlQuoteRepository(tx.session, style_declarations)
        self.orders = SqlOrderRepository(tx.session, style_declarations)
        self.stock = SqlStockRepository(tx.session)
        self.listings = SqlListingRepository(tx.session)
        self.waitlist = SqlWaitlistRepository(tx.session)
        self.returns = SqlReturnRepository(tx.session)


class OrdersUnitOfWork:
    """Write transactions and read-only snapshots; a broken uniqueness rule is DuplicateEntry
    (a concurrent duplicate of a request), so the service layer never sees a driver error.

    `style_declarations` (style -> the catalogue's origin, description and name, from the
    reference data) completes carts stored before their lines kept theirs; without it such a
    local line declares its warehouse's region and its style code, and is called by its code,
    as it was then (cart_serialization.py).
    """

    def __init__(
        self,
        outbox_uow: outbox.UnitOfWork,
        style_declarations: Mapping[str, StyleDeclaration] | None = None,
    ) -> None:
        def work(tx: outbox.Tx, to_wire: ToWire[ev.Event] | None) -> OrdersWork:
            return OrdersWork(tx, to_wire, style_declarations)

        self._sql = SqlUnitOfWork(outbox_uow, work, wire.to_cloud_event)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[OrdersWork]:
        try:
            async with self._sql() as work:
                yield work
        except IntegrityError as exc:
            raise DuplicateEntry("a concurrent duplicate was stored first") from exc

    @asynccontextmanager
    async def read(self) -> AsyncIterator[OrdersWork]:
        async with self._sql.read() as work:
            yield work
