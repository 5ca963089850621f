"""What an order bought, as the return rules see it (domain/order_lines.py), from the docs.

carts-and-returns.md: lines leaving the same warehouse travel together as one shipment; each
line can be returned within 30 days of its own parcel's delivery. docs/returns.md: a return
label's customs lines refer to the outbound parcel's tracking number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.orders.domain.order_lines import (
    cart_of,
    purchased_lines,
    shipment_of,
    tracking_number_of,
)
from services.orders.domain.order_shipments import OrderShipment
from services.orders.domain.orders import Order
from services.orders.domain.quotes import create_quote
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
    quote_of: QuoteOf, now: datetime
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
    seen = {x.style: x.delivered_at for x in purchased_lines(order)}
    assert seen == {"VT01": later, "VT02": None}


@pytest.mark.parametrize(
    ("region", "style", "quantity"),
    [("UK", "VT01", 2), ("UK", "VT02", 1), ("UK", "TC11", 1), ("US", "TC11", 1)],
)
def test_a_single_style_order_is_seen_as_the_one_line_cart_quote_of_that_line(
    ref: ReferenceData,
    quote_of: QuoteOf,
    now: datetime,
    region: str,
    style: str,
    quantity: int,
) -> None:
    """carts-and-returns.md: a single-style quote is the one-line case of a cart, priced by the
    same rules (same rate, shipping charge and tax terms); a return reprices it as such."""
    q = create_quote(
        ref,
        quote_id="q-1",
        style=style,
        region=region,
        quantity=quantity,
        now=now,
        customer_id="c-1",
        agent_id="agent-7",
    )
    order = Order.place(order_id="o-1", quote=q, customer_id="c-1", payment_token="tok_ok", now=now)
    seen, cart = cart_of(order, ref), quote_of(region, **{style: quantity})
    assert (seen.quote_id, seen.region, seen.currency) == ("q-1", region, cart.currency)
    assert (seen.customer_id, seen.agent_id) == ("c-1", "agent-7")
    assert (seen.created_at, seen.expires_at) == (q.created_at, q.expires_at)
    assert seen.fx_rates == cart.fx_rates and seen.total == cart.total
    ((mine,), (theirs,)) = (seen.shipments, cart.shipments)
    assert (mine.warehouse, mine.source_region, mine.destination, mine.delivery_days) == (
        theirs.warehouse,
        theirs.source_region,
        theirs.destination,
        theirs.delivery_days,
    )
    assert mine.charges == theirs.charges
    assert (mine.terms, mine.prices_include_vat) == (theirs.terms, theirs.prices_include_vat)
    assert len(mine.customs) == len(theirs.customs)  # declared only when crossing a border


def test_an_order_saved_before_parcels_were_kept_is_delivered_when_the_order_was(
    ref: ReferenceData, now: datetime
) -> None:
    """Its one line's window runs from the order's delivery (docs/returns.md: each line's
    30-day window runs from its parcel's delivery; such an order has no parcel record)."""
    q = create_quote(ref, quote_id="q-1", style="VT02", region="UK", quantity=1, now=now)
    order = Order.place(order_id="o-1", quote=q, customer_id="c-1", payment_token="tok_ok", now=now)
    order.record_payment_authorized("auth-1", now)
    order.record_stock_reserved("res-1", now)
    order.record_shipment_created("shp-1", "SBX1", "sbx", now)
    order.confirm(now)
    order.record_shipped("cap-1", now)
    order.shipments = []  # as loaded from a row saved before parcels were kept
    assert [x.delivered_at for x in purchased_lines(order)] == [None]
    later = now + timedelta(days=3)
    order.record_delivered(later)
    assert [(x.style, x.delivered_at) for x in purchased_lines(order)] == [("VT02", later)]
