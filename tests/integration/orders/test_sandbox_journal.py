"""Sandbox provider state survives a restart through the database journal."""

from __future__ import annotations

from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.providers.sandbox_journal import DatabaseSandboxJournal
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.domain.money import Money
from services.orders.domain.ports import AuthorizationStatus, ShipmentRequest
from services.orders.domain.quotes import create_quote
from tests.support.orders.stack import START, Stack


async def test_payment_ledger_survives_restart(stack: Stack) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    before = SandboxPaymentProvider(journal=journal)
    auth = await before.authorize(Money.of("95.82", "GBP"), "tok_ok", "o-1:authorize_payment")
    await before.capture(auth.authorization_id)
    after = SandboxPaymentProvider(journal=journal)
    assert await after.restore() == 1
    assert after.status(auth.authorization_id) is AuthorizationStatus.CAPTURED
    again = await after.authorize(Money.of("95.82", "GBP"), "tok_ok", "o-1:authorize_payment")
    assert again.authorization_id == auth.authorization_id  # no second charge


async def test_shipments_survive_restart(stack: Stack) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    q = create_quote(
        stack.cases.catalogue.ref, quote_id="q", style="TC11", region="UK", quantity=1, now=START
    )
    request = ShipmentRequest("o-1", "US-NJ", "UK", q.customs, "o-1:create_shipment")
    before = SandboxCarrierProvider(stack.clock, journal=journal)
    shipment = await before.create_shipment(request)
    after = SandboxCarrierProvider(stack.clock, journal=journal)
    assert await after.restore() == 1
    assert await after.create_shipment(request) == shipment
    assert after.request_for(shipment.shipment_id).customs == q.customs
    await after.cancel(shipment.shipment_id)
    third = SandboxCarrierProvider(stack.clock, journal=journal)
    await third.restore()
    assert third.is_cancelled(shipment.shipment_id)


async def test_two_replicas_share_the_sandbox_state(stack: Stack) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    a = SandboxPaymentProvider(journal=journal)
    b = SandboxPaymentProvider(journal=journal)
    auth = await a.authorize(Money.of("95.82", "GBP"), "tok_ok", "o-9:authorize_payment")
    assert (await b.find("o-9:authorize_payment")) == auth  # b never saw it in memory
    await b.capture(auth.authorization_id)
    assert a.status(auth.authorization_id) is AuthorizationStatus.AUTHORIZED  # a's stale view...
    assert await a.capture(auth.authorization_id) == await b.capture(auth.authorization_id)
    assert a.status(auth.authorization_id) is AuthorizationStatus.CAPTURED  # ...read through

    q = create_quote(
        stack.cases.catalogue.ref, quote_id="q", style="TC11", region="UK", quantity=1, now=START
    )
    request = ShipmentRequest("o-9", "US-NJ", "UK", q.customs, "o-9:create_shipment")
    ca = SandboxCarrierProvider(stack.clock, journal=journal)
    cb = SandboxCarrierProvider(stack.clock, journal=journal)
    shipment = await ca.create_shipment(request)
    assert await cb.create_shipment(request) == shipment  # same booking, not a second one
    await cb.cancel(shipment.shipment_id)
    assert (await ca.tracking(shipment.shipment_id))[-1].status == "cancelled"
