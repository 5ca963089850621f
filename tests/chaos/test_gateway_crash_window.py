"""A gateway crash while a POST is in flight, reproduced deterministically.

The first bounded chaos run left an orphan quote: the gateway died after forwarding
`POST /v1/quotes`, the service still created the quote, and the client's retry with the same
Idempotency-Key waited out the key's 60 s lease (409 in progress) and was then executed a
second time. Under Stripe semantics the retry gets the first answer; it got a second quote
and, for a claim, a 409 `claim_already_open` about the very claim that request created. The
gateway cannot know whether the service acted, so the key now reaches the service: the gateway
passes a request id (caller + key) and the service derives the quote or claim id from it. Since
issue 18 the lock is a short renewed lease: the retry takes over within seconds instead of 60 s
(test_retry_claims.py and test_retry_orders_notifications.py cover every command).

The window is widened by pausing the service (SIGSTOP) while the request is in flight.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest

from tests.chaos.collect import query
from tests.chaos.faults import FaultInjector
from tests.chaos.load import LoadConfig, LoadGenerator
from tests.support.labels import story1_label

pytestmark = [pytest.mark.e2e, pytest.mark.chaos]


@pytest.mark.timeout(300)
async def test_retry_after_gateway_crash_gets_the_first_answer(chaos_stack_factory: Any) -> None:
    chaos = chaos_stack_factory()
    injector = FaultInjector(chaos.stack)
    injector.start_watchdog()
    load = LoadGenerator(chaos.api, chaos.token, LoadConfig(), chaos.data_dir / "requests.jsonl")
    customer = load.customers[0]
    code = story1_label(4242)
    try:
        async with load.client(customer) as me:
            paused = [injector.child(n).process for n in ("warranty", "orders")]
            for p in paused:
                os.kill(p.pid, signal.SIGSTOP)  # type: ignore[union-attr]
            claim = asyncio.create_task(load.call(me, customer, "claim", "POST", "/v1/claims",
                {"region": "UK", "label_code": code, "components": ["stitching"]},
                intent=f"claim:{code}"))  # fmt: skip
            quote = asyncio.create_task(load.call(me, customer, "quote", "POST", "/v1/quotes",
                {"style": "TC11", "region": "UK"}, intent="quote:1"))  # fmt: skip
            await asyncio.sleep(1.5)  # both requests are waiting on their RPC in the gateway
            gateway = injector.child("gateway")
            assert gateway.process is not None
            injector._expected_deaths.add("gateway")
            gateway.process.kill()  # the response is lost; the services still have the requests
            for p in paused:
                os.kill(p.pid, signal.SIGCONT)  # type: ignore[union-attr]
            claim_rec, quote_rec = await asyncio.gather(claim, quote)
    finally:
        await injector.stop_watchdog()
    claims = query(chaos.database("warranty"), f"SELECT id FROM claims WHERE label_code = '{code}'")
    quotes = query(chaos.database("orders"),
                   f"SELECT quote_id FROM quotes WHERE customer_id = '{customer}'")  # fmt: skip
    code_of = lambda r: (r.status, (r.response or {}).get("code"))  # noqa: E731
    got = {"claims": len(claims), "quotes": len(quotes),
           "claim answer": code_of(claim_rec), "quote answer": code_of(quote_rec)}  # fmt: skip
    want = {"claims": 1, "quotes": 1, "claim answer": (201, None), "quote answer": (201, None)}
    assert got == want
