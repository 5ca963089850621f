"""Returns over the orders stack: a delivered order to return, and the return worker's steps."""

from __future__ import annotations

from datetime import timedelta

from services.orders.domain.carts import CartLine
from services.orders.domain.orders import Order
from services.orders.domain.returns import ReturnLine, ReturnReason
from services.orders.service_layer.return_processing import ReturnProcessing
from tests.support.orders.stack import UK_CUSTOMER, Stack, place


async def delivered(stack: Stack, style: str = "VT02", qty: int = 1) -> Order:
    """A UK customer's order of `style`, driven by the saga and the carrier to delivered."""
    order = await stack.runner.saga.advance((await place(stack, style=style, qty=qty)).order_id)
    stack.clock.advance(timedelta(seconds=100))  # past the sandbox's delivery time
    order = await stack.runner.tracking.track(order.order_id)
    assert str(order.status) == "delivered", order.status
    return order


def processing(stack: Stack) -> ReturnProcessing:
    return stack.cases.return_processing


def line(style: str, quantity: int = 1, reason: str = "changed_mind") -> ReturnLine:
    return ReturnLine(style, quantity, ReturnReason(reason))


async def delivered_cart(stack: Stack, lines: list[CartLine]) -> Order:
    """A UK customer's cart order, driven by the saga and the carrier to delivered."""
    q = await stack.cases.quotes.quote_cart(UK_CUSTOMER, "UK", lines)
    placed = await stack.cases.ordering.place_order(UK_CUSTOMER, q.quote_id, "tok_ok")
    await stack.runner.saga.advance(placed.order_id)
    stack.clock.advance(timedelta(minutes=5))
    order = await stack.runner.tracking.track(placed.order_id)
    assert str(order.status) == "delivered", order.status
    return order
