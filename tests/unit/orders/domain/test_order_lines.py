"""What an order bought, as the return rules see it (domain/order_lines.py), from the docs.

carts-and-returns.md: lines leaving the same warehouse travel together as one shipment; each
line can be returned within 30 days of its own parcel's delivery. docs/returns.md: a return
label's customs lines refer to the outbound parcel's tracking number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from services.orders.domain.order_lines import (
    purchased_lines,
    shipment_of,
    tracking_number_of,
)
from services.orders.domain.order_shipments import OrderShipment
from services.orders.domain.orders import Order
from services.orders.domain.reference import ReferenceData
from tests.unit.orders.domain.conftest import QuoteOf


def placed(cart, now: datetime) -> Order:
    order = Order.place(
        order_id="o-1", quote=cart, customer_id="c-1", payment_token="tok_ok", now=now
    )
    order.record_payment_authorized("auth-1", now)
    order.record_stock_reserved("res-1", now)
    return order


def test_a_style_travelled_in_the_shipment_of_its_warehouse(quote_of: QuoteOf) -> None:
    cart = quote_of("UK", VT01=1, VT02=1)
    assert shipment_of(cart, "VT01").warehouse == "UK-LON"
    assert shipment_of(cart, "VT02").warehouse == "US-NJ"


def test_each_return_label_refers_to_its_own_parcels_tracking_number(
    quote_of: QuoteOf, now: datetime
) -> None:
    cart = quote_of("UK", VT01=1, VT02=1)
    order = placed(cart, now)
    order.record_shipments_created(
        [
            OrderShipment(s.warehouse, f"shp-{s.warehouse}", f"TRK-{s.warehouse}", "sbx")
            for s in cart.shipments
        ],
        now,
    )
    for shipment in cart.shipments:
        assert tracking_number_of(order, shipment) == f"TRK-{shipment.warehouse}"


def test_each_lines_window_runs_from_its_own_parcels_delivery(
    ref: ReferenceData, quote_of: QuoteOf, now: datetime
) -> None:
    cart = quote_of("UK", VT01=1, VT02=1)
    order = placed(cart, now)
    order.record_shipments_created(
        [OrderShipment(s.warehouse, f"shp-{s.warehouse}", "T", "sbx") for s in cart.shipments],
        now,
    )
    order.confirm(now)
    order.record_shipped("cap-1", now)
    later = now + timedelta(days=2)
    order.record_parcels_moved(later, in_transit=set(), delivered={"shp-UK-LON"})
    seen = {x.style: x.delivered_at for x in purchased_lines(order, ref)}
    assert seen == {"VT01": later, "VT02": None}
