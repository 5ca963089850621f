"""The orders service's use cases and saga over a real database, with the sandbox providers.

One stack per test: the tests drive the saga by hand (no scheduler), and build a second saga
over the same database and providers to play a restarted process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.orders.adapters.providers.fx_file import FileFxProvider
from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.adapters.unit_of_work import OrdersUnitOfWork
from services.orders.app import SagaParts, build_saga, build_use_cases
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, PaymentProvider
from services.orders.entrypoints.rpc import UseCases
from shared.actor import Actor
from shared.clock import FixedClock
from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async

MIGRATIONS = Path(__file__).parents[3] / "services" / "orders" / "migrations"
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
UK_CUSTOMER = Actor(type="customer", id="cust-uk-1")
# As the service wires it (app.py): the catalogue completes carts stored before their lines
# kept their origin and description.
STYLE_DECLARATIONS = load_reference_data().style_declarations()


@dataclass
class Stack:
    db: Database
    uow: OrdersUnitOfWork
    cases: UseCases
    runner: SagaParts
    payment: SandboxPaymentProvider
    carrier: SandboxCarrierProvider
    clock: FixedClock

    def new_runner(
        self, payment: PaymentProvider | None = None, carrier: CarrierProvider | None = None
    ) -> SagaParts:
        """The saga as a restarted process would build it (same providers, same database);
        a test may swap in a provider that interleaves a race."""
        return build_saga(
            OrdersUnitOfWork(UnitOfWork(self.db), STYLE_DECLARATIONS),
            payment or self.payment,
            carrier or self.carrier,
            self.clock,
            retry_delay=0,
        )


@asynccontextmanager
async def orders_stack(database_url: str) -> AsyncIterator[Stack]:
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    clock = FixedClock(START)
    payment = SandboxPaymentProvider()
    carrier = SandboxCarrierProvider(clock)
    uow = OrdersUnitOfWork(UnitOfWork(db), STYLE_DECLARATIONS)
    cases = build_use_cases(
        uow, load_reference_data(), FileFxProvider(), carrier, clock, payment=payment
    )
    runner = build_saga(uow, payment, carrier, clock, retry_delay=0)
    await cases.inventory.seed_stock()
    try:
        yield Stack(db, uow, cases, runner, payment, carrier, clock)
    finally:
        await db.dispose()


async def place(stack: Stack, style: str = "TC11", token: str = "tok_ok", qty: int = 1) -> Order:
    """A UK customer quotes and orders `style` (the saga is not driven)."""
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, style, "UK", qty)
    return await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, token)


async def stock_level(stack: Stack, warehouse: str, style: str) -> tuple[int, int]:
    """(on hand, reserved) of a style at a warehouse, read straight from the database."""
    async with stack.db.read() as session:
        return await SqlStockRepository(session).level(warehouse, style)
