"""Returns through the service layer over SQLite with the sandbox providers: the checks, the
label, the refund by the rule, the refund only after the scan-in, and once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.orders.domain.order_returns import ReturnNotFound
from services.orders.domain.returns import ReturnStatus
from shared.actor import Actor
from shared.errors import DomainError
from tests.support.orders.records import published
from tests.support.orders.returns import delivered, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack, place

STRANGER = Actor(type="customer", id="cust-other")
AGENT = Actor(type="agent", id="agent-7", on_behalf_of=UK_CUSTOMER.id)


async def test_a_delivered_line_is_returned_with_a_free_label_and_its_refund(stack: Stack):
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    assert ret.status is ReturnStatus.AWAITING_PARCEL
    assert ret.return_number.startswith("R-")
    # VT02 alone to the UK (309.48 paid): keeping nothing still costs the shipping and the VAT
    # on it (19.38 + 20% x 19.38 = 3.88): refund 309.48 - 23.26 = 286.22.
    assert str(ret.refund.total.amount) == "286.22"
    assert str(ret.refund.goods.amount) == "231.01"
    assert str(ret.refund.duty.amount) == "7.51"
    assert str(ret.refund.shipping.amount) == "0.00"
    # The brand paid 7.51 duty and 51.58 import VAT as importer: all of it is reclaimable.
    assert str(ret.refund.reclaimable_duty.amount) == "7.51"
    assert str(ret.refund.reclaimable_import_vat.amount) == "51.58"
    [label] = ret.labels
    assert label.warehouse == "US-NJ"
    [goods] = label.customs
    assert (goods.hs_code, goods.quantity, str(goods.declared_value.amount)) == (
        "4202.21", 1, "231.01"
    )  # fmt: skip
    assert goods.procedure == "returned_goods"
    [event] = await published(stack, "orders.return.requested")
    assert event["return_id"] == ret.return_id and event["refund"]["total"] == "286.22"


async def test_the_refund_waits_for_the_scan_in_and_is_paid_once(stack: Stack):
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    worker = processing(stack)
    assert (await worker.advance(ret.return_id)).status is ReturnStatus.AWAITING_PARCEL
    stack.clock.advance(timedelta(seconds=61))  # handed over to the carrier
    assert (await worker.advance(ret.return_id)).status is ReturnStatus.IN_TRANSIT
    assert not stack.payment.refunds
    stack.clock.advance(timedelta(seconds=120))  # scanned in at the warehouse
    done = await worker.advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED and done.refund_id
    assert order.authorization_id is not None
    assert str(stack.payment.refunded(order.authorization_id).amount) == "286.22"
    again = await worker.advance(ret.return_id)  # a second run changes nothing
    assert again.status is ReturnStatus.REFUNDED and again.version == done.version
    assert str(stack.payment.refunded(order.authorization_id).amount) == "286.22"
    [refunded] = await published(stack, "orders.return.refunded")
    assert refunded["amount_refunded"] == "286.22"
    assert refunded["refund"]["reclaimable_duty"] == "7.51"
    assert refunded["refund"]["reclaimable_import_vat"] == "51.58"
    assert [e["status"] for e in await published(stack, "orders.return.received")] == ["received"]


async def test_a_refund_paid_but_not_recorded_is_recorded_without_paying_again(stack: Stack):
    """A crash after the provider refunded and before the record: the next run pays nothing."""
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    assert order.authorization_id is not None
    # What the dead process did: the provider call under the return's key, no record.
    await stack.payment.refund_part(
        order.authorization_id, ret.refund.total, f"{ret.return_id}:refund"
    )
    stack.clock.advance(timedelta(seconds=181))
    done = await processing(stack).advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED
    assert str(stack.payment.refunded(order.authorization_id).amount) == "286.22"
    assert len(stack.payment.refunds) == 1


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([line("VT02", reason="faulty")], "return_faulty_use_warranty"),
        ([line("TC11")], "return_line_not_in_order"),
        ([line("VT02", 2)], "return_already_returned"),
    ],
)
async def test_refusals_have_stable_codes(stack: Stack, lines, code):
    order = await delivered(stack, "VT02")
    with pytest.raises(DomainError) as refused:
        await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, lines)
    assert refused.value.code == code
    assert not await published(stack, "orders.return.requested")


async def test_not_delivered_not_twice_and_not_after_the_window(stack: Stack):
    placed = await place(stack, "VT02")
    with pytest.raises(DomainError) as refused:
        await stack.cases.returns.request_return(UK_CUSTOMER, placed.order_id, [line("VT02")])
    assert refused.value.code == "return_not_delivered"
    order = await delivered(stack, "TC11")
    await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("TC11")])
    with pytest.raises(DomainError) as twice:
        await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("TC11")])
    assert twice.value.code == "return_already_returned"
    late = await delivered(stack, "VT02")
    stack.clock.advance(timedelta(days=31))
    with pytest.raises(DomainError) as closed:
        await stack.cases.returns.request_return(UK_CUSTOMER, late.order_id, [line("VT02")])
    assert closed.value.code == "return_window_closed"


async def test_someone_elses_order_is_not_found_and_an_agent_acts_for_the_customer(stack: Stack):
    order = await delivered(stack, "VT02")
    with pytest.raises(DomainError) as hidden:
        await stack.cases.returns.request_return(STRANGER, order.order_id, [line("VT02")])
    assert hidden.value.code == "order_not_found"
    ret = await stack.cases.returns.request_return(AGENT, order.order_id, [line("VT02")])
    assert ret.agent_id == "agent-7" and ret.customer_id == UK_CUSTOMER.id
    with pytest.raises(ReturnNotFound):
        await stack.cases.returns.get_return(STRANGER, ret.return_id)
    listed, _ = await stack.cases.returns.list_returns(UK_CUSTOMER, order.order_id)
    assert [r.return_id for r in listed] == [ret.return_id]


async def test_a_repeated_request_finds_the_same_return(stack: Stack):
    order = await delivered(stack, "VT02")
    first = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("VT02")], request_id="key-1"
    )
    again = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("VT02")], request_id="key-1"
    )
    assert again.return_id == first.return_id
    assert len(await published(stack, "orders.return.requested")) == 1


async def test_a_parcel_that_never_comes_expires_the_return(stack: Stack):
    stack.carrier.return_schedule = (None, None)  # the customer keeps the goods
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    worker = processing(stack)
    stack.clock.advance(timedelta(days=30))
    assert (await worker.advance(ret.return_id)).status is ReturnStatus.AWAITING_PARCEL
    stack.clock.advance(timedelta(minutes=1))
    assert (await worker.advance(ret.return_id)).status is ReturnStatus.EXPIRED
    assert not stack.payment.refunds


async def test_a_return_is_cancelled_only_before_the_carrier_has_the_parcel(stack: Stack):
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    with pytest.raises(ReturnNotFound):
        await stack.cases.return_cancellation.cancel_return(STRANGER, ret.return_id)
    done = await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, ret.return_id)
    assert done.status is ReturnStatus.CANCELLED
    # The units count again: the customer may start another return of them.
    again = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    stack.clock.advance(timedelta(seconds=61))  # the carrier has this parcel now
    with pytest.raises(DomainError) as refused:
        await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, again.return_id)
    assert refused.value.code == "return_parcel_on_its_way"
    assert (await processing(stack).advance(again.return_id)).status is ReturnStatus.IN_TRANSIT
    with pytest.raises(DomainError) as late:
        await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, again.return_id)
    assert late.value.code == "return_invalid_transition"


async def test_a_cancel_seen_at_the_carrier_but_not_recorded_is_finished_by_the_worker(
    stack: Stack,
):
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    await stack.carrier.cancel(ret.labels[0].shipment_id)  # the process died right after this
    done = await processing(stack).advance(ret.return_id)
    assert done.status is ReturnStatus.CANCELLED
    assert len(await published(stack, "orders.return.cancelled")) == 1


async def test_two_returns_racing_for_the_same_unit_cannot_both_win(stack: Stack):
    order = await delivered(stack, "VT02")
    results = await asyncio.gather(
        *(
            stack.cases.returns.request_return(
                UK_CUSTOMER, order.order_id, [line("VT02")], request_id=f"race-{n}"
            )
            for n in range(3)
        ),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 2, results
    assert {e.code for e in lost} == {"return_already_returned"}
    assert len(await published(stack, "orders.return.requested")) == 1
    # The losers' labels were cancelled at the carrier: only the winner's can be used.
    listed, _ = await stack.cases.returns.list_returns(UK_CUSTOMER, order.order_id)
    assert [r.return_id for r in listed] == [won[0].return_id]


async def test_a_warehouse_receipt_before_the_scan_refunds_once(stack: Stack):
    """Whichever of the warehouse receipt and the carrier's scan comes first counts."""
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    worker = processing(stack)
    with pytest.raises(DomainError) as staff_only:
        await worker.receive_at_warehouse(UK_CUSTOMER, ret.return_id)
    assert staff_only.value.code == "return_staff_only"
    staff = Actor(type="agent", id="warehouse-1")
    done = await worker.receive_at_warehouse(staff, ret.return_id)
    assert done.status is ReturnStatus.REFUNDED
    assert [str(s) for s, _ in done.timeline] == ["awaiting_parcel", "received", "refunded"]
    stack.clock.advance(timedelta(seconds=181))  # the carrier's scan comes later: a no-op
    assert (await worker.advance(ret.return_id)).version == done.version
    again = await worker.receive_at_warehouse(staff, ret.return_id)
    assert again.version == done.version
    assert order.authorization_id is not None
    assert str(stack.payment.refunded(order.authorization_id).amount) == "286.22"
    [received] = await published(stack, "orders.return.received")
    assert received["received_by"] == "warehouse_received"
