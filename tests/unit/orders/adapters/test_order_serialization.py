"""An order is stored as its accepted quote (or cart) and its saga state, and read back whole:
a cart order with its parcels, and an order saved before parcels were kept."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson

from services.orders.adapters.cart_and_return_policy import load_cart_and_return_policy
from services.orders.adapters.order_serialization import (
    order_from_parts,
    order_quote_to_dict,
    order_state_to_dict,
)
from services.orders.domain.carts import CartLine, build_cart
from services.orders.domain.order_shipments import OrderShipment, ShipmentStatus
from services.orders.domain.orders import Order
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.shipments import quote_cart


def round_trip(order: Order) -> Order:
    quote = orjson.loads(orjson.dumps(order_quote_to_dict(order)))
    state = orjson.loads(orjson.dumps(order_state_to_dict(order)))
    return order_from_parts(
        order_id=order.order_id,
        customer_id=order.customer_id,
        agent_id=order.agent_id,
        payment_token=order.payment_token,
        status=str(order.status),
        created_at=order.created_at,
        quote=quote,
        state=state,
    )


def test_a_cart_order_and_its_parcels_survive_the_round_trip(
    ref: ReferenceData, now: datetime
) -> None:
    policy = load_cart_and_return_policy()[0]
    lines = [CartLine("JR01", 2), CartLine("VT02", 1)]
    cart = quote_cart(ref, build_cart(ref, policy, region="UK", lines=lines), quote_id="q-1",
                      now=now, customer_id="c-1")  # fmt: skip
    order = Order.place(order_id="o-1", quote=cart, customer_id="c-1", payment_token="tok_ok",
                        now=now)  # fmt: skip
    assert order.quote.total == cart.total and order.quote.quantity == 3
    assert order.quote.warehouse == "UK-LON" and order.quote.style == "JR01"
    parcels = [
        OrderShipment("UK-LON", "s-1", "T1", "post"),
        OrderShipment("US-NJ", "s-2", "T2", "post"),
    ]
    parcels[0].advance(ShipmentStatus.DELIVERED, now + timedelta(days=2))
    order.shipments = parcels
    back = round_trip(order)
    assert back.cart == cart and back.quote == order.quote
    assert back.shipments == parcels
    assert back.shipments[0].delivered_at == now + timedelta(days=2)


def test_an_order_saved_before_parcels_were_kept_has_its_one_parcel(
    ref: ReferenceData, now: datetime
) -> None:
    quote = create_quote(ref, quote_id="q-2", style="TC11", region="UK", quantity=1, now=now)
    order = Order.place(order_id="o-2", quote=quote, customer_id="c-1", payment_token="tok_ok",
                        now=now)  # fmt: skip
    order.record_payment_authorized("a-1", now)
    order.record_stock_reserved("r-1", now)
    order.record_shipment_created("s-1", "T1", "post", now)
    order.confirm(now)
    order.record_shipped("cap-1", now + timedelta(hours=1))
    order.record_delivered(now + timedelta(days=3))
    state = order_state_to_dict(order)
    del state["shipments"]  # as stored before this change
    old = order_from_parts(
        order_id="o-2", customer_id="c-1", agent_id=None, payment_token="tok_ok",
        status="delivered", created_at=now, quote=order_quote_to_dict(order), state=state,
    )  # fmt: skip
    (parcel,) = old.shipments
    assert (parcel.warehouse, parcel.shipment_id, parcel.status) == (
        "US-NJ",
        "s-1",
        ShipmentStatus.DELIVERED,
    )
    assert parcel.shipped_at == now + timedelta(hours=1)
    assert parcel.delivered_at == now + timedelta(days=3)
    assert old.cart is None and old.reservations == [("r-1", "US-NJ")]


def test_a_local_cart_order_stored_before_lines_kept_their_declaration_books_the_styles(
    ref: ReferenceData, now: datetime
) -> None:
    """An order placed before the change and not yet booked (a saga resuming after an upgrade):
    its UK-LON parcel declares JR01 made in Italy and described as the catalogue says, not the
    UK and the style code."""
    policy = load_cart_and_return_policy()[0]
    cart = quote_cart(ref, build_cart(ref, policy, region="UK", lines=[CartLine("JR01", 1)]),
                      quote_id="q-4", now=now)  # fmt: skip
    order = Order.place(order_id="o-4", quote=cart, customer_id="c-1", payment_token="tok_ok",
                        now=now)  # fmt: skip
    quote = orjson.loads(orjson.dumps(order_quote_to_dict(order)))
    for line in quote["shipments"][0]["charges"]["lines"]:
        del line["origin"], line["description"]  # as stored before lines kept them
    old = order_from_parts(
        order_id="o-4", customer_id="c-1", agent_id=None, payment_token="tok_ok",
        status="pending", created_at=now, quote=quote, state=order_state_to_dict(order),
        style_declarations=ref.style_declarations(),
    )  # fmt: skip
    assert old.cart == cart
    ((plan,),) = [p.customs for p in old.parcel_plans]
    jr01 = ("4202.21", "IT", "handbag: Juniper crossbody")
    assert (plan.hs_code, plan.origin_country, plan.description) == jr01
    headline = old.quote.customs  # the order's headline, as the API shows it
    assert (headline.hs_code, headline.origin_country, headline.description) == jr01
