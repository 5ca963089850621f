"""What an order's events say: the facts every one carries, and the placed event's lines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from services.orders.domain import events as ev
from services.orders.domain.landed_cost import LineKind, TaxTreatment

if TYPE_CHECKING:
    from services.orders.domain.orders import Order


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
