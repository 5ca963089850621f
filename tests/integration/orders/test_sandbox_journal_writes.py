"""The sandbox journal's usual writes take one statement each, and the rare paths (a key taken
first, a provider restarted, a refusal) still find the first result, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.orders.adapters.providers.sandbox_carrier import SandboxCarrierProvider
from services.orders.adapters.providers.sandbox_journal import DatabaseSandboxJournal
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.domain.errors import CarrierRefused, IdempotencyMismatch
from services.orders.domain.money import Money
from services.orders.domain.ports import AuthorizationStatus, ShipmentRequest
from services.orders.domain.quotes import create_quote
from shared.errors import Conflict
from tests.support.orders.stack import START, Stack
from tests.support.persistence.statements import statements_run

AMOUNT = Money.of("95.82", "GBP")


def _request(stack: Stack, order_id: str, region: str = "UK") -> ShipmentRequest:
    q = create_quote(
        stack.cases.catalogue.ref, quote_id="q", style="TC11", region="UK", quantity=1, now=START
    )
    return ShipmentRequest(order_id, "US-NJ", region, q.customs, f"{order_id}:create_shipment")


async def test_a_new_authorization_a_capture_and_a_booking_are_one_statement_each(
    stack: Stack,
) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    payment = SandboxPaymentProvider(journal=journal)
    carrier = SandboxCarrierProvider(stack.clock, journal=journal)
    with statements_run(stack.db) as seen:
        auth = await payment.authorize(AMOUNT, "tok_ok", "o-1:authorize_payment")
    assert len(seen) == 1
    with statements_run(stack.db) as seen:
        await payment.capture(auth.authorization_id)
    assert len(seen) == 1
    with statements_run(stack.db) as seen:
        await carrier.create_shipment(_request(stack, "o-1"))
    assert len(seen) == 1
    # What those single statements wrote is what a restarted provider finds.
    after = SandboxPaymentProvider(journal=journal)
    assert await after.restore() == 1
    assert after.status(auth.authorization_id) is AuthorizationStatus.CAPTURED


async def test_a_key_authorized_before_a_restart_answers_with_the_first_authorization(
    stack: Stack,
) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    first = await SandboxPaymentProvider(journal=journal).authorize(AMOUNT, "tok_ok", "o-2:auth")
    restarted = SandboxPaymentProvider(journal=journal)  # nothing in memory, nothing restored
    assert await restarted.authorize(AMOUNT, "tok_ok", "o-2:auth") == first
    with pytest.raises(IdempotencyMismatch):
        await SandboxPaymentProvider(journal=journal).authorize(
            Money.of("1.00", "GBP"), "tok_ok", "o-2:auth"
        )
    async with stack.db.read() as session:
        rows = (await session.execute(sa.text("SELECT count(*) FROM sandbox_payments"))).scalar()
    assert rows == 1  # never a second charge


async def test_a_restarted_provider_captures_and_then_refuses_a_void(stack: Stack) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    auth = await SandboxPaymentProvider(journal=journal).authorize(AMOUNT, "tok_ok", "o-3:auth")
    restarted = SandboxPaymentProvider(journal=journal)
    capture = await restarted.capture(auth.authorization_id)
    assert restarted.status(auth.authorization_id) is AuthorizationStatus.CAPTURED
    assert await restarted.capture(auth.authorization_id) == capture  # a repeat: same answer
    with pytest.raises(Conflict) as refused:
        await SandboxPaymentProvider(journal=journal).void(auth.authorization_id)
    assert refused.value.code == "payment_cannot_void"


async def test_a_void_by_one_replica_is_not_overwritten_by_another_replicas_capture(
    stack: Stack,
) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    a = SandboxPaymentProvider(journal=journal)
    b = SandboxPaymentProvider(journal=journal)
    auth = await a.authorize(AMOUNT, "tok_ok", "o-4:auth")
    await b.find("o-4:auth")
    await b.void(auth.authorization_id)
    with pytest.raises(Conflict):
        await a.capture(auth.authorization_id)  # a still holds "authorized" in memory
    assert a.status(auth.authorization_id) is AuthorizationStatus.VOIDED


async def test_a_booking_made_before_a_refusal_rule_is_still_found(stack: Stack) -> None:
    journal = DatabaseSandboxJournal(stack.db)
    shipment = await SandboxCarrierProvider(stack.clock, journal=journal).create_shipment(
        _request(stack, "o-5")
    )
    refusing = SandboxCarrierProvider(
        stack.clock, journal=journal, refuse_destinations=frozenset({"UK"})
    )
    assert await refusing.create_shipment(_request(stack, "o-5")) == shipment
    with pytest.raises(CarrierRefused):
        await refusing.create_shipment(_request(stack, "o-6"))


async def test_a_tracking_read_takes_the_journals_times_and_keeps_what_was_booked(
    stack: Stack,
) -> None:
    """Each tracking read reads the booking through (a replica may have cancelled it): the
    journal's cancel is seen, and the booked request is not parsed again (it never changes)."""
    journal = DatabaseSandboxJournal(stack.db)
    a = SandboxCarrierProvider(stack.clock, journal=journal)
    b = SandboxCarrierProvider(stack.clock, journal=journal)
    shipment = await a.create_shipment(_request(stack, "o-7"))
    booked = a.request_for(shipment.shipment_id)
    assert [u.status for u in await a.tracking(shipment.shipment_id)] == ["label_created"]
    await b.cancel(shipment.shipment_id)  # the other replica
    statuses = [u.status for u in await a.tracking(shipment.shipment_id)]
    assert statuses == ["label_created", "cancelled"] and a.is_cancelled(shipment.shipment_id)
    assert a.request_for(shipment.shipment_id) is booked
    assert b.request_for(shipment.shipment_id) == booked  # parsed from the journal's row
