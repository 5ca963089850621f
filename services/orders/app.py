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
from services.orders.entrypoints.rpc import routes
from services.orders.handlers import OrdersService
from services.orders.inventory import InventoryService
from services.orders.saga_runner import SagaRunner
from services.orders.saga_scheduler import SagaScheduler
from services.orders.settings import Settings
from shared.clock import SystemClock
from shared.persistence.db import Database
from shared.runtime.service import ServiceRuntime

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent / "migrations"


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
    scheduler = SagaScheduler(
        runner,
        settings.saga_workers,
        settings.saga_sweep_interval,
        settings.tracking_poll_interval,
        settings.tracking_poll_max_interval,
    )
    service = OrdersService(
        rt.uow,
        load_reference_data(settings.data_dir),
        fx,
        clock,
        to_cloud_event,
        carrier=carrier,
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
            try:
                snapshot = await fx.refresh()
            except Exception:  # an unreadable rates file: keep quoting on the last good rates
                log.exception("fx.refresh_failed")
                continue
            log.info("fx.refreshed", as_of=snapshot.as_of.isoformat())

    for route in routes(service, inventory, ready):
        rt.rpc(route)
    rt.background(start_sagas)
    rt.background(refresh_fx)
    return rt
