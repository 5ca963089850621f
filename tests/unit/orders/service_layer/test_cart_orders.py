"""Ordering a cart: one authorization for the total, every line reserved, one parcel per
warehouse, each parcel tracked on its own; all or nothing when a line is short."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.carts import CartLine
from services.orders.domain.errors import OrderAlreadyShipped
from services.orders.domain.order_shipments import ShipmentStatus
from services.orders.domain.orders import Order
from services.orders.domain.ports import (
    AuthorizationStatus,
    ShipmentRequest,
    TrackingStatus,
    TrackingUpdate,
)
from services.orders.domain.returns import ReturnPolicy
from services.orders.domain.saga import OrderStatus
from services.orders.entrypoints.translate_carts import order_out
from tests.support.orders.records import published
from tests.support.orders.stack import UK_CUSTOMER, Stack, stock_level

S = OrderStatus
WORKED = [CartLine("TC11", 1), CartLine("VT02", 1)]
MIXED = [CartLine("JR01", 1), CartLine("VT02", 1)]  # UK-listed + US-only


async def place_cart(stack: Stack, lines: list[CartLine], token: str = "tok_ok") -> Order:
    q = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", lines)
    return await stack.cases.ordering.place_order(UK_CUSTOMER, q.quote_id, token)


async def test_the_worked_example_is_ordered_confirmed_shipped_and_delivered(stack: Stack) -> None:
    """383.99 GBP authorized once; TC11 and VT02 held at US-NJ; one DDP parcel with both customs
    lines; the parcel leaving captures once and commits both lines; delivery closes the saga."""
    placed = await place_cart(stack, WORKED)
    assert placed.cart is not None and str(placed.quote.total.amount) == "383.99"
    order = await stack.runner.saga.advance(placed.order_id)
    assert order.status is S.CONFIRMED
    (auth,) = stack.payment.held()
    assert (auth.amount.amount, auth.amount.currency) == (Decimal("383.99"), "GBP")
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 1)
    assert await stock_level(stack, "US-NJ", "VT02") == (12, 1)
    (parcel,) = order.shipments
    assert (parcel.warehouse, parcel.status) == ("US-NJ", ShipmentStatus.BOOKED)
    request = stack.carrier.request_for(parcel.shipment_id)
    assert request.idempotency_key == f"{order.order_id}:create_shipment:US-NJ"
    declared = [
        (c.hs_code, str(c.declared_value.amount)) for c in (request.customs, *request.more_customs)
    ]
    assert declared == [("4202.32", "60.47"), ("4202.21", "231.01")]
    stack.clock.advance(timedelta(minutes=5))
    order = await stack.runner.tracking.track(order.order_id)
    assert order.status is S.DELIVERED and not order.saga_open
    assert order.shipments[0].delivered_at == stack.clock.now()
    assert stack.payment.status(auth.authorization_id) is AuthorizationStatus.CAPTURED
    assert await stock_level(stack, "US-NJ", "TC11") == (17, 0)
    assert await stock_level(stack, "US-NJ", "VT02") == (11, 0)


async def test_the_events_carry_every_line_and_parcel(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place_cart(stack, MIXED)).order_id)
    (placed,) = await published(stack, "orders.order.placed")
    assert [(i["style"], i["quantity"]) for i in placed["items"]] == [("JR01", 1), ("VT02", 1)]
    assert all(i["name"] and i["name"] != i["style"] for i in placed["items"])  # product names
    assert placed["total"] == "468.48" and placed["duties_included"] is True
    created = await published(stack, "orders.order.shipment_created")
    assert [(e["parcel_warehouse"], e["shipment_id"]) for e in created] == [
        (p.warehouse, p.shipment_id) for p in order.shipments
    ]
    assert [len(e["customs_lines"]) for e in created] == [1, 1]
    assert len(await published(stack, "orders.order.payment_authorized")) == 1


class LaggingCarrier:
    """The sandbox carrier, except that one parcel stays at the warehouse until released."""

    def __init__(self, stack: Stack, held_back: str) -> None:
        self.inner = stack.carrier
        self.held_back: str | None = held_back

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def tracking(self, shipment_id: str) -> list[TrackingUpdate]:
        updates = await self.inner.tracking(shipment_id)
        if shipment_id == self.held_back:
            return [u for u in updates if u.status is TrackingStatus.LABEL_CREATED]
        return updates


async def test_a_mixed_cart_is_two_parcels_tracked_on_their_own(stack: Stack) -> None:
    """UK-LON (local) and US-NJ (DDP): the order is shipped when the first parcel leaves and
    delivered only when the second one is too; each parcel keeps its own delivery time."""
    order = await stack.runner.saga.advance((await place_cart(stack, MIXED)).order_id)
    assert [(p.warehouse, p.status) for p in order.shipments] == [
        ("UK-LON", ShipmentStatus.BOOKED),
        ("US-NJ", ShipmentStatus.BOOKED),
    ]
    assert order.cart is not None
    assert [str(s.treatment) for s in order.cart.shipments] == ["local", "ddp_import"]
    carrier = LaggingCarrier(stack, held_back=order.shipments[1].shipment_id)
    runner = stack.new_runner(carrier=carrier)  # type: ignore[arg-type]
    stack.clock.advance(timedelta(minutes=5))
    first_delivered = stack.clock.now()
    order = await runner.tracking.track(order.order_id)
    assert order.status is S.SHIPPED
    assert [p.status for p in order.shipments] == [ShipmentStatus.DELIVERED, ShipmentStatus.BOOKED]
    assert await stock_level(stack, "UK-LON", "JR01") == (7, 0)
    assert await stock_level(stack, "US-NJ", "VT02") == (12, 1)  # still held, not shipped
    assert (await runner.tracking.track(order.order_id)).version == order.version  # no news
    carrier.held_back = None
    stack.clock.advance(timedelta(minutes=5))
    order = await runner.tracking.track(order.order_id)
    assert order.status is S.DELIVERED
    assert [p.delivered_at for p in order.shipments] == [first_delivered, stack.clock.now()]
    assert await stock_level(stack, "US-NJ", "VT02") == (11, 0)
    updates = await published(stack, "orders.order.shipment_updated")
    assert [(u["parcel_warehouse"], u["shipment_status"]) for u in updates] == [
        ("UK-LON", "in_transit"),
        ("UK-LON", "delivered"),
        ("US-NJ", "in_transit"),
        ("US-NJ", "delivered"),
    ]
    view = order_out(order, ReturnPolicy(30, 30))
    assert [(s.warehouse, s.status) for s in view.shipments] == [
        ("UK-LON", "delivered"),
        ("US-NJ", "delivered"),
    ]
    assert view.cart is not None and view.cart.total == "468.48"
    # Each parcel's goods can come back until its own delivery and the window.
    assert [s.returns_close_at for s in view.shipments] == [
        first_delivered + timedelta(days=30), stack.clock.now() + timedelta(days=30)
    ]  # fmt: skip
    assert [s.returns_close_at for s in order_out(order).shipments] == [None, None]


async def test_shipped_names_the_parcel_that_left(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place_cart(stack, MIXED)).order_id)
    local, imported = order.shipments
    carrier = LaggingCarrier(stack, held_back=local.shipment_id)
    stack.clock.advance(timedelta(minutes=1))
    order = await stack.new_runner(carrier=carrier).tracking.track(order.order_id)  # type: ignore[arg-type]
    assert order.status is S.SHIPPED
    (shipped,) = await published(stack, "orders.order.shipped")
    assert (shipped["shipment_id"], shipped["tracking_number"]) == (
        imported.shipment_id,
        imported.tracking_number,
    )


async def test_one_line_sold_out_releases_everything_and_names_the_line(stack: Stack) -> None:
    placed = await place_cart(stack, WORKED)
    async with stack.db.transaction() as session:  # someone else takes every VT02
        await SqlStockRepository(session).reserve(
            owner_id="other", warehouse="US-NJ", style="VT02", quantity=12, now=stack.clock.now()
        )
    order = await stack.runner.saga.advance(placed.order_id)
    assert order.status is S.FAILED and order.failure is not None
    assert (order.failure.reason, order.failure.style) == ("out_of_stock", "VT02")
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)  # the other line is back
    assert stack.payment.held() == [] and not order.saga_open
    (failed,) = await published(stack, "orders.order.failed")
    assert (failed["reason_code"], failed["failed_style"]) == ("out_of_stock", "VT02")
    view = order_out(order)
    assert view.failure is not None and view.failure.style == "VT02"


async def test_a_refused_second_parcel_cancels_the_first_and_releases_all(stack: Stack) -> None:
    stack.carrier.refuse_hs_codes = frozenset({"4202.32"})  # TC11, from US-NJ
    order = await stack.runner.saga.advance(
        (await place_cart(stack, [CartLine("JR01", 1), CartLine("TC11", 1)])).order_id
    )
    assert order.status is S.FAILED and order.failure is not None
    assert order.failure.reason == "carrier_refused"
    first = await stack.carrier.find(f"{order.order_id}:create_shipment:UK-LON")
    assert first is not None and stack.carrier.is_cancelled(first.shipment_id)
    assert await stock_level(stack, "UK-LON", "JR01") == (8, 0)
    assert await stock_level(stack, "US-NJ", "TC11") == (18, 0)
    assert stack.payment.held() == [] and not order.saga_open


async def test_cancelling_a_cart_order_cancels_every_parcel(stack: Stack) -> None:
    order = await stack.runner.saga.advance((await place_cart(stack, MIXED)).order_id)
    await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    order = await stack.runner.saga.advance(order.order_id)
    assert order.status is S.CANCELLED and not order.saga_open
    assert all(stack.carrier.is_cancelled(p.shipment_id) for p in order.shipments)
    assert [p.status for p in order.shipments] == [ShipmentStatus.CANCELLED] * 2
    assert await stock_level(stack, "UK-LON", "JR01") == (8, 0)
    assert await stock_level(stack, "US-NJ", "VT02") == (12, 0)
    assert stack.payment.held() == []


async def test_a_restart_between_two_bookings_books_each_parcel_once(stack: Stack) -> None:
    """A process died after booking the first parcel, before recording it: the restart finds
    that parcel by its key and books only the second; nothing is booked twice."""
    placed = await place_cart(stack, MIXED)
    fresh = await stack.runner.records.load(placed.order_id)
    await stack.runner.saga.step(fresh, fresh.next_step)  # type: ignore[arg-type]
    plan = placed.parcel_plans[0]
    booked_before_crash = await stack.carrier.create_shipment(
        ShipmentRequest(
            placed.order_id, plan.warehouse, "UK", plan.customs[0], plan.idempotency_key
        )
    )
    order = await stack.new_runner().saga.advance(placed.order_id)
    assert order.status is S.CONFIRMED
    assert order.shipments[0].shipment_id == booked_before_crash.shipment_id
    mine = [k for k in stack.carrier._by_key if k.startswith(placed.order_id)]
    assert sorted(mine) == sorted(p.idempotency_key for p in placed.parcel_plans)


async def test_no_parcel_is_cancelled_once_one_has_left(stack: Stack) -> None:
    """The US-NJ parcel is already in transit (booked earlier at the carrier): the cancel is
    refused and the UK-LON parcel, still at its warehouse, is not cancelled either."""
    order = await stack.runner.saga.advance((await place_cart(stack, MIXED)).order_id)
    local, imported = order.shipments
    booked = stack.carrier._by_id[imported.shipment_id]
    booked.created_at -= stack.carrier.in_transit_after  # it left a moment ago
    with pytest.raises(OrderAlreadyShipped) as err:
        await stack.cases.ordering.cancel_order(UK_CUSTOMER, order.order_id)
    assert err.value.details["shipment_status"] == "in_transit"
    assert not stack.carrier.is_cancelled(local.shipment_id)
    assert (await stack.runner.records.load(order.order_id)).status is S.CONFIRMED
