"""Returns on SQLite and PostgreSQL: the request, the refund after the scan-in, and concurrent
requests for the same unit (on PostgreSQL the order row is locked for the in-write re-check)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.orders.domain.returns import ReturnStatus
from shared.errors import DomainError
from tests.support.orders.records import published
from tests.support.orders.returns import delivered, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack


async def test_a_return_is_refunded_once_after_the_scan_in(stack: Stack) -> None:
    order = await delivered(stack, "VT02")
    ret = await stack.cases.returns.request_return(UK_CUSTOMER, order.order_id, [line("VT02")])
    assert str(ret.refund.total.amount) == "286.22"
    stack.clock.advance(timedelta(seconds=181))
    worker = processing(stack)
    done = await worker.advance(ret.return_id)
    assert done.status is ReturnStatus.REFUNDED
    await worker.advance(ret.return_id)
    assert order.authorization_id is not None
    assert str(stack.payment.refunded(order.authorization_id).amount) == "286.22"
    assert [e["amount_refunded"] for e in await published(stack, "orders.return.refunded")] == [
        "286.22"
    ]


async def test_concurrent_returns_of_one_unit_one_wins(stack: Stack) -> None:
    order = await delivered(stack, "VT02")
    results = await asyncio.gather(
        *(
            stack.cases.returns.request_return(
                UK_CUSTOMER, order.order_id, [line("VT02")], request_id=f"pg-race-{n}"
            )
            for n in range(4)
        ),
        return_exceptions=True,
    )
    codes = sorted(r.code for r in results if isinstance(r, DomainError))
    assert sum(not isinstance(r, BaseException) for r in results) == 1, results
    assert codes == ["return_already_returned"] * 3
    assert len(await published(stack, "orders.return.requested")) == 1
