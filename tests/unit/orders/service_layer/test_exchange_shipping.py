"""An exchange's new item is shipped once the returned parcel is in (issue 17): booked with the
carrier under `<return_id>:create_shipment:<warehouse>`, recorded once, its unit leaving the
warehouse; a booking made before a crash is found again, never made twice. At the deadline the
item goes out only if the customer keeps it at its full price."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.orders.domain.exchanges import ExchangeFallback
from services.orders.domain.ports import ShipmentRequest
from services.orders.domain.returns import ReturnStatus
from services.orders.entrypoints.translate_returns import return_out
from services.orders.service_layer.return_exchanges import ExchangeRequest
from tests.support.orders.records import published
from tests.support.orders.returns import delivered, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack, stock_level

CHARGE, CANCEL = ExchangeFallback.CHARGE_IN_FULL, ExchangeFallback.CANCEL


async def exchange(stack: Stack, fallback=CHARGE):
    """TC11 bought, exchanged for the US-only VT02 (from US-NJ)."""
    order = await delivered(stack, "TC11")
    return await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("TC11")], exchange=ExchangeRequest("VT02", fallback)
    )


def key(return_id: str) -> str:
    return f"{return_id}:create_shipment:US-NJ"


async def test_the_new_item_ships_once_the_returned_parcel_is_in(stack: Stack):
    ret = await exchange(stack)
    on_hand, reserved = await stock_level(stack, "US-NJ", "VT02")
    worker = processing(stack)
    stack.clock.advance(timedelta(seconds=61))  # the carrier has the returned parcel
    moving = await worker.advance(ret.return_id)
    assert moving.status is ReturnStatus.IN_TRANSIT
    assert moving.exchange is not None and moving.exchange.shipment is None
    assert await stack.carrier.find(key(ret.return_id)) is None  # nothing out before it is in
    stack.clock.advance(timedelta(seconds=120))  # scanned in
    done = await worker.advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED and done.exchange is not None
    booked = await stack.carrier.find(key(ret.return_id))
    assert booked is not None
    assert done.exchange.shipment == (booked.shipment_id, booked.tracking_number, booked.carrier)
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand - 1, reserved - 1)  # it left
    again = await worker.advance(ret.return_id)
    assert again.version == done.version and again.exchange == done.exchange
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand - 1, reserved - 1)


async def test_a_booking_made_before_a_crash_is_recorded_not_made_again(stack: Stack):
    ret = await exchange(stack)
    worker = processing(stack)
    stack.clock.advance(timedelta(seconds=181))
    first = await worker.shipping.book(ret)  # booked, then the process died before the record
    assert first is not None
    done = await worker.advance(ret.return_id)
    assert done.exchange is not None and done.exchange.shipment is not None
    assert done.exchange.shipment[0] == first.shipment_id
    assert [k for k in stack.carrier._by_key if k.startswith(ret.return_id + ":create")] == [
        key(ret.return_id)
    ]


@pytest.mark.parametrize("fallback", [CHARGE, CANCEL])
async def test_at_the_deadline_the_item_ships_only_if_the_customer_keeps_it(stack: Stack, fallback):
    stack.carrier.return_schedule = (None, None)  # the returned parcel never comes
    ret = await exchange(stack, fallback)
    stack.clock.advance(timedelta(days=30, minutes=1))
    done = await processing(stack).advance(ret.return_id)
    assert done.status is ReturnStatus.EXPIRED and done.exchange is not None
    booked = await stack.carrier.find(key(ret.return_id))
    if fallback is CHARGE:
        assert booked is not None and done.exchange.shipment is not None
        assert done.exchange.shipment[0] == booked.shipment_id
    else:
        assert booked is None and done.exchange.shipment is None


async def test_the_new_parcel_shows_in_the_returns_view_and_its_refunded_event(stack: Stack):
    ret = await exchange(stack)
    assert (x := return_out(ret).exchange) is not None and x.parcel is None  # not booked yet
    [requested] = await published(stack, "orders.return.requested")
    assert requested["exchange"]["parcel"] is None
    stack.clock.advance(timedelta(seconds=181))  # picked up and scanned in
    done = await processing(stack).advance(ret.return_id)
    booked = await stack.carrier.find(key(ret.return_id))
    assert done.status is ReturnStatus.REFUNDED and booked is not None
    parcel = {"tracking_number": booked.tracking_number, "carrier": booked.carrier,
              "warehouse": "US-NJ"}  # fmt: skip
    assert (x := return_out(done).exchange) is not None and x.parcel is not None
    assert x.parcel.model_dump() == parcel
    [refunded] = await published(stack, "orders.return.refunded")
    assert refunded["exchange"]["parcel"] == parcel
    assert refunded["exchange"]["style"] == "VT02" and refunded["exchange"]["warehouse"] == "US-NJ"


async def test_a_local_new_item_declares_where_it_was_made_and_what_it_is(stack: Stack):
    """JR01 exchanged for CC01, both from UK-LON: the new parcel tells the carrier CC01 was made
    in Spain (the catalogue's origin) and is a "small_leather_goods: Card case", as a
    single-style order of CC01 does, not the UK and "CC01"."""
    order = await delivered(stack, "JR01")
    ret = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("JR01")], exchange=ExchangeRequest("CC01", CHARGE)
    )
    stack.clock.advance(timedelta(seconds=181))  # picked up and scanned in
    done = await processing(stack).advance(ret.return_id)
    assert done.exchange is not None and done.exchange.shipment is not None
    request = stack.carrier.request_for(done.exchange.shipment[0])
    assert isinstance(request, ShipmentRequest) and request.from_warehouse == "UK-LON"
    cu = request.customs
    cc01 = ("4202.31", "ES", "small_leather_goods: Card case")
    assert (cu.hs_code, cu.origin_country, cu.description) == cc01
    single = (await stack.cases.quotes.quote(UK_CUSTOMER, "CC01", "UK", 1)).customs
    assert (single.hs_code, single.origin_country, single.description) == cc01
