from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.orders.adapters.fx_file import FileFxProvider
from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.wire import to_cloud_event
from services.orders.handlers import Caller, OrdersService
from services.orders.inventory import InventoryService
from services.orders.saga_runner import SagaRunner
from shared.clock import FixedClock
from shared.messaging.outbox import UnitOfWork
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade_async

MIGRATIONS = Path(__file__).parents[3] / "services" / "orders" / "migrations"
START = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
UK_CUSTOMER = Caller("customer", "cust-uk-1")


@dataclass
class Stack:
    db: Database
    service: OrdersService
    inventory: InventoryService
    runner: SagaRunner
    payment: SandboxPaymentProvider
    carrier: SandboxCarrierProvider
    clock: FixedClock

    def new_runner(self) -> SagaRunner:
        """A runner as a restarted process would build it (same providers, same database)."""
        return SagaRunner(
            UnitOfWork(self.db),
            self.payment,
            self.carrier,
            self.clock,
            to_cloud_event,
            retry_delay=0,
        )


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    clock = FixedClock(START)
    payment = SandboxPaymentProvider()
    carrier = SandboxCarrierProvider(clock)
    uow = UnitOfWork(db)
    service = OrdersService(
        uow, load_reference_data(), FileFxProvider(), clock, to_cloud_event, carrier=carrier
    )
    runner = SagaRunner(uow, payment, carrier, clock, to_cloud_event, retry_delay=0)
    inventory = InventoryService(service)
    await inventory.seed_stock()
    yield Stack(db, service, inventory, runner, payment, carrier, clock)
    await db.dispose()
