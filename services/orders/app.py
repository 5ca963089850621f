"""Composition root of the orders service: settings, providers, use cases, saga, entrypoints."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import structlog

from services.orders.adapters.cart_and_return_policy import load_cart_and_return_policy
from services.orders.adapters.providers.fx_file import FileFxProvider
from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.providers.sandbox_journal import (
    DatabaseSandboxJournal,
    ensure_sandbox_tables,
    sandbox_url,
)
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.reference_data import load_reference_data
from services.orders.adapters.return_label_pdf import PdfReturnLabelPrinter
from services.orders.adapters.unit_of_work import OrdersUnitOfWork
from services.orders.domain.carts import CartPolicy
from services.orders.domain.ports import (
    CarrierProvider,
    FxProvider,
    PaymentProvider,
    ReturnLabelPrinter,
)
from services.orders.domain.quotes import QUOTE_TTL
from services.orders.domain.reference import ReferenceData
from services.orders.entrypoints.return_workers import ReturnWorker
from services.orders.entrypoints.rpc import UseCases, routes
from services.orders.entrypoints.workers import SagaScheduler
from services.orders.service_layer.catalogue import Catalogue
from services.orders.service_layer.inventory import Inventory
from services.orders.service_layer.order_saga import OrderSaga
from services.orders.service_layer.ordering import Ordering, WakeSaga, no_saga
from services.orders.service_layer.quotes import Quotes
from services.orders.service_layer.replacements import Replacements
from services.orders.service_layer.return_cancellation import ReturnCancellation
from services.orders.service_layer.return_exchanges import Exchanges
from services.orders.service_layer.return_labels import ReturnLabels
from services.orders.service_layer.return_processing import ReturnProcessing
from services.orders.service_layer.returns import Returns
from services.orders.service_layer.saga_compensation import Compensations
from services.orders.service_layer.saga_records import SagaRecords
from services.orders.service_layer.shipment_tracking import ShipmentTracking
from services.orders.service_layer.unit_of_work import UnitOfWork
from services.orders.service_layer.waitlist import Waitlist
from services.orders.settings import Settings
from shared.clock import Clock, SystemClock
from shared.persistence.db import Database
from shared.runtime.service import BackgroundFactory, ServiceRuntime

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class SagaParts:
    records: SagaRecords
    saga: OrderSaga
    tracking: ShipmentTracking


def build_saga(
    uow: UnitOfWork,
    payment: PaymentProvider,
    carrier: CarrierProvider,
    clock: Clock,
    *,
    payment_attempts: int = 4,
    retry_delay: float = 0.2,
) -> SagaParts:
    records = SagaRecords(uow, clock)
    undo = Compensations(records, payment, carrier, clock)
    saga = OrderSaga(
        records,
        undo,
        payment,
        carrier,
        clock,
        payment_attempts=payment_attempts,
        retry_delay=retry_delay,
    )
    return SagaParts(records, saga, ShipmentTracking(records, saga, payment, carrier, clock))


def build_use_cases(
    uow: UnitOfWork,
    ref: ReferenceData,
    fx: FxProvider,
    carrier: CarrierProvider,
    clock: Clock,
    *,
    payment: PaymentProvider,
    wake_saga: WakeSaga = no_saga,
    start_saga: WakeSaga | None = None,
    quote_ttl: timedelta = QUOTE_TTL,
    cart_policy: CartPolicy | None = None,
    printer: ReturnLabelPrinter | None = None,
) -> UseCases:
    """The use cases over one unit of work; the cart limits and the return policy are the
    packaged ones unless a cart policy is given."""
    packaged_cart, return_policy = load_cart_and_return_policy()
    catalogue = Catalogue(uow, ref, fx)
    waitlist = Waitlist(uow, catalogue, clock)
    quotes = Quotes(uow, catalogue, clock, quote_ttl, cart_policy=cart_policy or packaged_cart)
    exchanges = Exchanges(quotes, payment, clock, return_policy)
    cancellation = ReturnCancellation(uow, carrier, payment, clock)
    returns = Returns(uow, ref, carrier, clock, return_policy, exchanges)
    return UseCases(
        catalogue=catalogue,
        quotes=quotes,
        ordering=Ordering(uow, clock, carrier, wake_saga, start_saga),
        waitlist=waitlist,
        inventory=Inventory(uow, catalogue, waitlist, clock),
        replacements=Replacements(uow, ref, clock),
        returns=returns,
        return_cancellation=cancellation,
        return_processing=ReturnProcessing(uow, payment, carrier, exchanges, clock, cancellation),
        return_labels=ReturnLabels(returns, ref, printer or PdfReturnLabelPrinter()),
        warehouse_names={code: w.name for code, w in ref.warehouses.items()},
    )


def _sandbox_carrier(
    settings: Settings, clock: Clock, journal: DatabaseSandboxJournal
) -> SandboxCarrierProvider:
    return SandboxCarrierProvider(
        clock,
        in_transit_after=timedelta(seconds=settings.carrier_in_transit_after),
        delivered_after=timedelta(seconds=settings.carrier_delivered_after),
        refuse_destinations=settings.refused_destinations,
        journal=journal,
        return_picked_up_after=_seconds(settings.carrier_return_picked_up_after),
        return_scanned_in_after=_seconds(settings.carrier_return_scanned_in_after),
    )


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def _scheduler(parts: SagaParts, settings: Settings) -> SagaScheduler:
    return SagaScheduler(
        parts.records,
        parts.saga,
        parts.tracking,
        settings.saga_workers,
        settings.saga_sweep_interval,
        settings.tracking_poll_interval,
        settings.tracking_poll_max_interval,
        settings.tracking_push_gather_ms / 1000,
        settings.placement_gather_ms / 1000,
    )


def build(settings: Settings | None = None) -> ServiceRuntime:
    settings = settings or Settings()
    rt = ServiceRuntime("orders", settings, migrations=MIGRATIONS)
    clock = SystemClock()
    sandbox_db = Database(sandbox_url(rt.db.url), checkpoint_in_background=True)
    journal = DatabaseSandboxJournal(sandbox_db)
    payment = SandboxPaymentProvider(settings.payment_timeouts_before_success, journal=journal)
    carrier = _sandbox_carrier(settings, clock, journal)
    fx = FileFxProvider(settings.data_dir)
    ref = load_reference_data(settings.data_dir)
    uow = OrdersUnitOfWork(rt.uow, ref.style_declarations())
    parts = build_saga(
        uow,
        payment,
        carrier,
        clock,
        payment_attempts=settings.payment_attempts,
        retry_delay=settings.payment_retry_delay,
    )
    scheduler = _scheduler(parts, settings)
    carrier.subscribe(scheduler.soon)  # the carrier's tracking push: drive the order soon
    cases = build_use_cases(
        uow,
        ref,
        fx,
        carrier,
        clock,
        payment=payment,
        wake_saga=scheduler.wake,  # a cancel: at once
        start_saga=scheduler.start,  # a placement: gathered (`start`)
        quote_ttl=timedelta(seconds=settings.quote_ttl_seconds),
    )
    ready = asyncio.Event()
    for route in routes(cases, ready):
        rt.rpc(route)
    rt.background(_start_sagas(sandbox_db, cases.inventory, scheduler, ready))
    rt.background(_run_returns(cases.return_processing, settings, ready))
    rt.background(_refresh_fx(fx, settings.fx_refresh_interval))
    return rt


def _start_sagas(
    sandbox_db: Database, inventory: Inventory, scheduler: SagaScheduler, ready: asyncio.Event
) -> BackgroundFactory:
    async def start_sagas(_rt: ServiceRuntime) -> None:
        await ensure_sandbox_tables(sandbox_db)
        await inventory.seed_stock()
        ready.set()  # the sandboxes read their journal through on every call: no preload
        try:
            resumed = await scheduler.resume_all()
            log.info("saga.resumed", orders=resumed)
            await scheduler.run()
        finally:
            await sandbox_db.dispose()

    return start_sagas


def _run_returns(
    processing: ReturnProcessing, settings: Settings, ready: asyncio.Event
) -> BackgroundFactory:
    worker = ReturnWorker(processing, settings.return_sweep_interval, settings.return_poll_interval)

    async def run_returns(_rt: ServiceRuntime) -> None:
        await ready.wait()  # the sandbox tables exist from then on
        await worker.run()

    return run_returns


def _refresh_fx(fx: FileFxProvider, interval: float) -> BackgroundFactory:
    async def refresh_fx(_rt: ServiceRuntime) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                snapshot = await fx.refresh()
            except Exception:  # an unreadable rates file: keep quoting on the last good rates
                log.exception("fx.refresh_failed")
                continue
            log.info("fx.refreshed", as_of=snapshot.as_of.isoformat())

    return refresh_fx
