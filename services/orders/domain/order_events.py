"""What an order's events say: the facts every one carries, and the placed event's lines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from services.orders.domain import events as ev
from services.orders.domain.landed_cost import LineKind, TaxTreatment

if TYPE_CHECKING:
    from services.orders.domain.order_shipments import OrderShipment
    from services.orders.domain.orders import Order
    from services.orders.domain.shipments import CartQuote


def order_facts(order: Order) -> ev.OrderFacts:
    """Facts every order event carries (ids and business facts, no personal data)."""
    q = order.quote
    return ev.OrderFacts(
        order_id=order.order_id,
        status=order.status,
        quote_id=q.quote_id,
        customer_id=order.customer_id,
        agent_id=order.agent_id,
        region=q.region,
        style=q.style,
        quantity=q.quantity,
        offer_kind=str(q.offer_kind),
        warehouse=q.warehouse,
        total=q.total,
    )


def order_placed(order: Order, now: datetime) -> ev.OrderPlaced:
    if order.cart is not None:
        return _cart_order_placed(order, order.cart, now)
    q = order.quote
    goods = q.landed.line(LineKind.GOODS)
    unit = goods.unit_price if goods and goods.unit_price else q.total
    return ev.OrderPlaced(
        order=order_facts(order),
        occurred_at=now,
        items=(
            ev.OrderItem(style=q.style, name=q.style_name, quantity=q.quantity, unit_price=unit),
        ),
        ships_from_region=q.source_region,
        duties_included=q.landed.tax_treatment
        in (TaxTreatment.DUTY_AND_IMPORT_VAT, TaxTreatment.LOW_VALUE_VAT),
        delivery_days_min=q.delivery_days[0],
        delivery_days_max=q.delivery_days[1],
    )


def _cart_order_placed(order: Order, cart: CartQuote, now: datetime) -> ev.OrderPlaced:
    """Every line of the cart, at the unit price the customer pays (customer's currency)."""
    q = order.quote
    items = tuple(
        ev.OrderItem(
            style=x.item.style,
            name=x.item.shown_name,
            quantity=x.item.quantity,
            unit_price=x.item.unit_price,
        )
        for s in cart.shipments
        for x in s.charges.lines
    )
    taxed = {"low_value_vat", "ddp_import"}
    return ev.OrderPlaced(
        order=order_facts(order),
        occurred_at=now,
        items=items,
        ships_from_region=q.source_region,
        duties_included=any(str(s.treatment) in taxed for s in cart.shipments),
        delivery_days_min=q.delivery_days[0],
        delivery_days_max=q.delivery_days[1],
    )


def shipment_updated(order: Order, parcel: OrderShipment, now: datetime) -> ev.OrderShipmentUpdated:
    return ev.OrderShipmentUpdated(
        order=order_facts(order),
        occurred_at=now,
        shipment_id=parcel.shipment_id,
        warehouse=parcel.warehouse,
        status=str(parcel.status),
        tracking_number=parcel.tracking_number,
    )
