"""Duplicates of one create that race each other (a paused orders service
resumed with the same quote request queued several times) must answer with the object the
first one created, never an IntegrityError (a 5xx at the gateway). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from tests.support.orders.stack import UK_CUSTOMER, Stack


async def test_racing_duplicates_of_one_quote_request_get_the_same_quote(stack: Stack) -> None:
    quotes = await asyncio.gather(
        *(stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1, "req-1") for _ in range(8))
    )
    assert len({q.quote_id for q in quotes}) == 1
    again = await stack.cases.quotes.quote(UK_CUSTOMER, "TC11", "UK", 1, "req-1")
    assert again.quote_id == quotes[0].quote_id


async def test_racing_duplicates_of_a_waitlist_join_get_one_entry(stack: Stack) -> None:
    entries = await asyncio.gather(
        *(stack.cases.waitlist.join(UK_CUSTOMER, "TC11", "EU") for _ in range(8))
    )
    assert len(set(entries)) == 1


async def test_racing_replacement_reservations_for_one_claim_hold_one_unit(stack: Stack) -> None:
    held = await asyncio.gather(
        *(stack.cases.replacements.reserve("CLM-RACE", "VT01", "UK") for _ in range(8))
    )
    assert len({r.reservation_id for r in held}) == 1
    async with stack.db.read() as session:
        _, reserved = await SqlStockRepository(session).level("UK-LON", "VT01")
    assert reserved == 1
