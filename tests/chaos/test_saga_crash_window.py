"""A crash window the chaos run found in the order saga, reproduced deterministically.

The bounded chaos run (run at 17:59, evidence kept) ended with a cancelled order whose payment
authorization was still `authorized`: the saga had called the payment provider, the customer
cancelled meanwhile, and the orders process died before the saga noticed the cancel and voided
the stray hold (`Compensations.release_strays`). After the restart nothing looked at it again: a
cancelled order with no recorded steps was not an open saga. Fixed: a failed or cancelled order
stays open until the runner has checked for strays (`Order.strays_checked`).

Here the window is widened on purpose: `tok_timeout` makes the first authorization attempt time
out after the sandbox has placed the hold, and the saga waits `ORDERS_PAYMENT_RETRY_DELAY`
before retrying; the customer cancels and orders is SIGKILLed inside that wait.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.chaos.collect import query
from tests.chaos.faults import FaultInjector

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]


@pytest.mark.timeout(300)
async def test_cancel_during_payment_retry_then_crash_leaves_no_authorization(
    chaos_stack_factory: Any,
) -> None:
    chaos = chaos_stack_factory(extra_env={"ORDERS_PAYMENT_RETRY_DELAY": "6"})
    injector = FaultInjector(chaos.stack)
    injector.start_watchdog()
    customer = f"chaos-{uuid.uuid4().hex[:6]}"
    headers = {"Authorization": f"Bearer {chaos.token(customer)}"}
    try:
        async with httpx.AsyncClient(base_url=chaos.api, headers=headers, timeout=15) as me:

            async def post(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
                r = await me.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
                assert r.status_code in (200, 201), r.text
                return dict(r.json())

            quote = await post("/v1/quotes", {"style": "TC11", "region": "UK"})
            order = await post("/v1/orders", {"quote_id": quote["quote_id"],
                                              "payment_token": "tok_timeout"})  # fmt: skip
            order_id = order["order_id"]
            await asyncio.sleep(1.0)  # first attempt timed out; the saga waits to retry
            assert (await post(f"/v1/orders/{order_id}/cancel"))["status"] == "cancelled"
            await injector.kill("orders")  # inside the retry wait; restarted by the watchdog
            await asyncio.sleep(10.0)  # well past the retry delay and a few saga sweeps
            final = (await me.get(f"/v1/orders/{order_id}")).json()
        holds = query(chaos.database("orders").with_name("orders-sandbox.db"),
                      f"SELECT status FROM sandbox_payments WHERE idempotency_key LIKE '{order_id}:%'")  # fmt: skip
    finally:
        await injector.stop_watchdog()
    assert final["status"] == "cancelled"
    assert holds, "the sandbox placed no hold: the window was not hit"
    assert [h["status"] for h in holds] != ["authorized"], (
        f"order {order_id} is cancelled but its payment hold is still authorized"
    )
