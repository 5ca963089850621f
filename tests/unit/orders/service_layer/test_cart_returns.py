"""Returns of cart orders (carts-and-returns.md): the worked example's VT02 comes back for
exactly what the rule gives, and each line's window runs from its own parcel's delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.orders.domain.carts import CartLine
from services.orders.domain.returns import ReturnStatus
from services.orders.entrypoints.rpc import routes
from shared.contracts import orders as c
from shared.errors import DomainError
from tests.support.orders.records import published
from tests.support.orders.returns import delivered_cart, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack, place

WORKED = [CartLine("TC11", 1), CartLine("VT02", 1)]
MIXED = [CartLine("JR01", 1), CartLine("VT02", 1)]  # UK-LON local + US-NJ DDP


async def test_the_worked_example_vt02_return_refunds_288_17(stack: Stack) -> None:
    """docs/returns.md: 383.99 paid; the TC11 kept costs 95.82 alone: 288.17 back (goods
    231.01, shipping 0, duty 9.13, VAT 64.00 - 15.97 = 48.03); the brand reclaims the VT02's
    duty 7.39 and its import VAT share 50.75 (20% x (231.01 + 15.36 + 7.39))."""
    order = await delivered_cart(stack, WORKED)
    assert str(order.quote.total.amount) == "383.99"
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    r = ret.refund
    figures = {k: str(getattr(r, k).amount) for k in
               ("total", "goods", "shipping", "duty", "vat", "reclaimable_duty",
                "reclaimable_import_vat")}  # fmt: skip
    assert figures == {"total": "288.17", "goods": "231.01", "shipping": "0.00", "duty": "9.13",
                       "vat": "48.03", "reclaimable_duty": "7.39",
                       "reclaimable_import_vat": "50.75"}  # fmt: skip
    [label] = ret.labels
    assert [(g.hs_code, g.quantity) for g in label.customs] == [("4202.21", 1)]
    assert label.warehouse == "US-NJ"
    stack.clock.advance(timedelta(seconds=181))
    done = await processing(stack).advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED
    assert order.authorization_id is not None
    assert str(stack.payment.refunded(order.authorization_id).amount) == "288.17"
    # The TC11 afterwards: it refunds what it cost alone, 95.82 minus the shipping and its VAT
    # kept (19.38 + 3.88): 72.56, so both returns together give back 383.99 - 23.26.
    second = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("TC11")])
    assert str(second.refund.total.amount) == "72.56"
    [event] = await published(stack, "orders.return.refunded")
    assert event["amount_refunded"] == "288.17" and event["refund"]["duty"] == "9.13"


async def test_a_mixed_cart_returns_each_line_to_its_own_warehouse(stack: Stack) -> None:
    order = await delivered_cart(stack, MIXED)
    ret = await stack.cases.returns.request_return(
        UK_CUSTOMER, order.order_id, [line("JR01"), line("VT02")]
    )
    assert [(x.warehouse, len(x.customs)) for x in ret.labels] == [("UK-LON", 0), ("US-NJ", 1)]
    stack.clock.advance(timedelta(seconds=181))
    assert (await processing(stack).advance(ret.return_id)).status is ReturnStatus.REFUNDED


async def test_the_window_runs_from_each_parcels_delivery(stack: Stack) -> None:
    order = await delivered_cart(stack, MIXED)
    stack.clock.advance(timedelta(days=31))
    with pytest.raises(DomainError) as closed:
        await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("JR01")])
    assert closed.value.code == "return_window_closed"


async def test_the_order_says_how_many_units_of_each_line_can_still_go_back(stack: Stack) -> None:
    """The order's reply (`rpc.orders.get_order`, the list and the placement alike) carries
    each line's `returnable_quantity`, counted by the rule return requests are checked with:
    none before its parcel is delivered, then the units not in a return that still counts (a
    cancelled or an expired return gives its units back). The window is `returns_close_at`."""
    answer = {r.subject: r.handler for r in routes(stack.cases)}

    async def left(order_id: str) -> list[tuple[str, str, int, int]]:
        view = await answer[c.Subjects.GET_ORDER](c.GetOrderRequest(order_id=order_id), UK_CUSTOMER)
        listed = await answer[c.Subjects.LIST_ORDERS](c.ListOrdersRequest(), UK_CUSTOMER)
        [same] = [o for o in listed.items if o.order_id == order_id]
        assert same.lines == view.lines  # a list says the same as the order alone
        return [(x.style, x.warehouse, x.quantity, x.returnable_quantity) for x in view.lines]

    stack.carrier.return_schedule = (None, None)  # the parcels stay with the customer
    order = await delivered_cart(stack, [CartLine("JR01", 2), CartLine("VT02", 1)])
    assert await left(order.order_id) == [("JR01", "UK-LON", 2, 2), ("VT02", "US-NJ", 1, 1)]
    returns = stack.cases.returns
    kept = await returns.request_return(UK_CUSTOMER, order.order_id, [line("JR01")])
    late = await returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    assert await left(order.order_id) == [("JR01", "UK-LON", 2, 1), ("VT02", "US-NJ", 1, 0)]
    await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, kept.return_id)
    stack.clock.advance(timedelta(days=30, minutes=1))
    assert (await processing(stack).advance(late.return_id)).status is ReturnStatus.EXPIRED
    assert await left(order.order_id) == [("JR01", "UK-LON", 2, 2), ("VT02", "US-NJ", 1, 1)]
    waiting = await place(stack, "TC11")  # nothing delivered: nothing to send back yet
    assert await left(waiting.order_id) == [("TC11", "US-NJ", 1, 0)]
