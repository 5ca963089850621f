"""What an order's placed event tells the other services: the accepted quote's facts, the unit
price the customer pays (converted and rounded per unit, cross-border.md), and whether duty and
import taxes are collected at checkout (a cross-region order is delivered duty paid; a local one
has no customs at all).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from services.orders.domain import events as ev
from services.orders.domain.money import Money
from services.orders.domain.orders import Order
from services.orders.domain.quotes import create_quote
from services.orders.domain.reference import ReferenceData
from services.orders.domain.saga import OrderStatus


def placed(ref: ReferenceData, now: datetime, style: str, region: str, quantity: int):
    quote = create_quote(ref, quote_id="q-1", style=style, region=region, quantity=quantity,
                         now=now, customer_id="c-1")  # fmt: skip
    order = Order.place(
        order_id="o-1", quote=quote, customer_id="c-1", payment_token="tok_ok", now=now
    )
    [event] = order.pull_events()
    assert isinstance(event, ev.OrderPlaced)
    return event


def test_the_placed_event_carries_the_quote_facts_and_the_pending_status(ref, now):
    event = placed(ref, now, "TC11", "UK", 2)
    facts = event.order
    assert facts.status is OrderStatus.PENDING
    assert (facts.order_id, facts.quote_id, facts.customer_id, facts.agent_id) == (
        "o-1", "q-1", "c-1", None,
    )  # fmt: skip
    assert (facts.region, facts.style, facts.quantity) == ("UK", "TC11", 2)
    assert facts.offer_kind == "cross_region"
    assert facts.warehouse == "US-NJ"
    assert event.ships_from_region == "US"
    assert event.occurred_at == now


def test_the_item_price_is_the_rounded_converted_unit_price_not_the_total(ref, now):
    """USD 78 x 0.7752 = 60.4656 -> 60.47 GBP a unit; two units are 120.94 of goods."""
    event = placed(ref, now, "TC11", "UK", 2)
    [item] = event.items
    assert (item.style, item.quantity) == ("TC11", 2)
    assert item.unit_price == Money.of("60.47", "GBP")
    assert event.order.total != item.unit_price


def test_a_local_item_is_priced_at_the_local_listing(ref, now):
    event = placed(ref, now, "CC01", "UK", 2)
    [item] = event.items
    assert item.unit_price == Money.of("59.00", "GBP")
    assert event.order.offer_kind == "local"
    assert event.ships_from_region == "UK"


@pytest.mark.parametrize(
    ("style", "region", "quantity", "included"),
    [
        ("TC11", "UK", 1, True),  # 60.47 of goods: low-value VAT collected at checkout
        ("TC11", "UK", 3, True),  # 181.41 of goods: duty and import VAT collected (DDP)
        ("CC01", "UK", 1, False),  # local: prices include VAT, no customs
        ("CC01", "US", 1, False),  # local US: prices before tax, no customs
    ],
)
def test_duties_are_included_exactly_for_a_cross_region_order(
    ref, now, style, region, quantity, included
):
    assert placed(ref, now, style, region, quantity).duties_included is included
