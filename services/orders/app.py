"""Composition root of the orders service: settings, providers, handlers, saga, entrypoints."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import structlog

from services.orders.adapters.fx_file import FileFxProvider
from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.sandbox_journal import (
    DatabaseSandboxJournal,
    ensure_sandbox_tables,
    sandbox_url,
)
from services.orders.adapters.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.wire import to_cloud_event
from services.orders.domain.clock import SystemClock
from services.orders.entrypoints.rpc import routes
from services.orders.handlers import OrdersService
from services.orders.inventory import InventoryService
from services.orders.saga_runner import SagaRunner
from services.orders.settings import Settings
from shared.persistence.db import Database
from shared.runtime.service import ServiceRuntime

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent / "migrations"


class SagaScheduler:
    """Runs sagas in the background: new orders at once, the rest on a periodic sweep.

    An order is driven by one task at a time in this process; across processes, each step
    re-checks the order's status and version before recording, and providers are idempotent.
    """

    def __init__(self, runner: SagaRunner, workers: int, sweep_interval: float) -> None:
        self.runner = runner
        self.workers = workers
        self.sweep_interval = sweep_interval
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.busy: set[str] = set()

    def wake(self, order_id: str) -> None:
        self.queue.put_nowait(order_id)

    async def run(self) -> None:
        tasks = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        tasks.append(asyncio.create_task(self._sweeper()))
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _worker(self) -> None:
        while True:
            order_id = await self.queue.get()
            await self._drive(order_id)

    async def _sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_interval)
            for order_id in await self.runner.active_ids():
                await self._drive(order_id)

    async def _drive(self, order_id: str) -> None:
        if order_id in self.busy:
            return
        self.busy.add(order_id)
        try:
            await self.runner.advance(order_id)
            await self.runner.track(order_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("saga.step_failed", order_id=order_id)
        finally:
            self.busy.discard(order_id)


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    rt = ServiceRuntime("orders", settings, migrations=MIGRATIONS)
    clock = SystemClock()
    sandbox_db = Database(sandbox_url(rt.db.url))
    journal = DatabaseSandboxJournal(sandbox_db)
    payment = SandboxPaymentProvider(settings.payment_timeouts_before_success, journal=journal)
    carrier = SandboxCarrierProvider(
        clock,
        in_transit_after=timedelta(seconds=settings.carrier_in_transit_after),
        delivered_after=timedelta(seconds=settings.carrier_delivered_after),
        refuse_destinations=settings.refused_destinations,
        journal=journal,
    )
    fx = FileFxProvider(settings.data_dir)
    runner = SagaRunner(
        rt.uow,
        payment,
        carrier,
        clock,
        to_cloud_event,
        payment_attempts=settings.payment_attempts,
        retry_delay=settings.payment_retry_delay,
    )
    scheduler = SagaScheduler(runner, settings.saga_workers, settings.saga_sweep_interval)
    service = OrdersService(
        rt.uow,
        load_reference_data(settings.data_dir),
        fx,
        clock,
        to_cloud_event,
        on_order_placed=scheduler.wake,
        quote_ttl=timedelta(seconds=settings.quote_ttl_seconds),
    )
    inventory = InventoryService(service)
    ready = asyncio.Event()

    async def start_sagas(_rt: ServiceRuntime) -> None:
        await ensure_sandbox_tables(sandbox_db)
        await inventory.seed_stock()
        ready.set()  # the sandboxes read their journal through on every call: no preload
        try:
            resumed = await runner.resume_all()
            log.info("saga.resumed", orders=resumed)
            await scheduler.run()
        finally:
            await sandbox_db.dispose()

    async def refresh_fx(_rt: ServiceRuntime) -> None:
        while True:
            await asyncio.sleep(settings.fx_refresh_interval)
            snapshot = await fx.refresh()
            log.info("fx.refreshed", as_of=snapshot.as_of.isoformat())

    for route in routes(service, inventory, ready):
        rt.rpc(route)
    rt.background(start_sagas)
    rt.background(refresh_fx)
    return rt
