"""Placing and reading orders: quotes expire, customers see only their own orders, and an
agent orders on a customer's behalf."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.orders.domain.errors import OrderNotFound, QuoteExpired
from shared.actor import Actor
from tests.support.orders.stack import UK_CUSTOMER, Stack, place


async def test_expired_quote_changes_nothing(stack: Stack) -> None:
    quote = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1)
    stack.clock.advance(timedelta(minutes=31))
    with pytest.raises(QuoteExpired):
        await stack.cases.ordering.place_order(UK_CUSTOMER, quote.quote_id, "tok_ok")
    assert await stack.cases.ordering.list_orders(UK_CUSTOMER) == ([], None)


async def test_customers_see_only_their_own_orders(stack: Stack) -> None:
    order = await place(stack)
    stranger = Actor(type="customer", id="someone-else")
    with pytest.raises(OrderNotFound):
        await stack.cases.ordering.get_order(stranger, order.order_id)
    agent = Actor(type="agent", id="agent-7", on_behalf_of=UK_CUSTOMER.id)
    assert (await stack.cases.ordering.get_order(agent, order.order_id)).order_id == order.order_id
    assert await stack.cases.ordering.list_orders(stranger) == ([], None)
    # An agent finds any order by its id alone (the console's search); acting for another
    # customer, the order is not theirs to see.
    by_id = await stack.cases.ordering.get_order(Actor(type="agent", id="agent-7"), order.order_id)
    assert by_id.customer_id == UK_CUSTOMER.id
    with pytest.raises(OrderNotFound):
        await stack.cases.ordering.get_order(
            Actor(type="agent", id="agent-7", on_behalf_of="someone-else"), order.order_id
        )


async def test_agent_places_order_for_customer(stack: Stack) -> None:
    agent = Actor(type="agent", id="agent-7", on_behalf_of="cust-uk-2")
    quote = await stack.cases.quotes.quote(agent, "TC11", "UK", 1)
    order = await stack.cases.ordering.place_order(agent, quote.quote_id, "tok_ok")
    assert order.customer_id == "cust-uk-2" and order.agent_id == "agent-7"
    assert (
        await stack.cases.ordering.place_order(agent, quote.quote_id, "tok_ok")
    ).order_id == order.order_id
