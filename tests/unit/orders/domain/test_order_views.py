"""What an order's views report from its recorded steps (domain/order_views.py).

The shipped event names the parcel that left; an order that keeps no parcel among those seen
leaving names the parcel its booking step recorded (docs/returns.md: a return's customs data
refers to the outbound parcel's tracking number).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.orders.domain import events as ev
from services.orders.domain.orders import Order
from services.orders.domain.quotes import Quote, create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.saga import OrderStatus
from tests.unit.orders.domain.test_order_saga import place, run_to

S = OrderStatus


@pytest.fixture
def quote(ref: ReferenceData, now: datetime) -> Quote:
    return create_quote(
        ref, quote_id="q-1", style="TC11", region="UK", quantity=1, now=now, customer_id="c-1"
    )


def _shipped(order: Order) -> ev.OrderShipped:
    return next(e for e in order.pull_events() if isinstance(e, ev.OrderShipped))


def test_the_shipped_event_names_the_booked_parcel_when_no_kept_parcel_left(
    quote: Quote, now: datetime
) -> None:
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.shipments = []  # no parcel kept: the booking step's record stands for it
    order.record_shipped("cap-1", now, left=["shp-unknown"])
    shipped = _shipped(order)
    assert (shipped.shipment_id, shipped.carrier, shipped.tracking_number) == (
        "shp-1",
        "sbx",
        "SBX1",
    )


def test_the_shipped_event_names_the_parcel_that_left(quote: Quote, now: datetime) -> None:
    order = place(quote, now)
    run_to(order, S.CONFIRMED, now)
    order.record_shipped("cap-1", now, left=["shp-1"])
    shipped = _shipped(order)
    assert (shipped.shipment_id, shipped.carrier, shipped.tracking_number) == (
        "shp-1",
        "sbx",
        "SBX1",
    )


def test_a_single_style_order_reserves_and_books_from_its_quotes_warehouse(
    quote: Quote, now: datetime
) -> None:
    """One line, one parcel, at the fulfilling warehouse (cross-border.md, the order saga). The
    reservation row is keyed `order` as single-style orders have always stored it, so a step
    retried after an upgrade finds the row it took instead of taking more."""
    order = place(quote, now)
    assert [(x.warehouse, x.style, x.quantity, x.purpose) for x in order.stock_lines] == [
        (quote.warehouse, "TC11", 1, "order")
    ]
    (plan,) = order.parcel_plans
    assert (plan.warehouse, plan.customs) == (quote.warehouse, (quote.customs,))
    assert quote.warehouse == "US-NJ"
