"""The SQL unit of work: a broken uniqueness rule is DuplicateEntry and rolls back, and a
read-only snapshot refuses to publish."""

from __future__ import annotations

import pytest

from services.orders.domain.quotes import create_quote
from services.orders.service_layer.unit_of_work import DuplicateEntry
from shared.messaging.unit_of_work import ReadOnlyWork
from tests.support.orders.stack import START, orders_stack


async def test_a_duplicate_insert_is_duplicate_entry_and_keeps_nothing_of_its_transaction(
    sqlite_url: str,
) -> None:
    async with orders_stack(sqlite_url) as stack:
        q = create_quote(
            stack.cases.catalogue.ref,
            quote_id="q-1",
            style="TC11",
            region="UK",
            quantity=1,
            now=START,
        )
        async with stack.uow() as work:
            await work.quotes.add(q)
        with pytest.raises(DuplicateEntry):
            async with stack.uow() as work:
                await work.waitlist.join("cust-1", "TC11", "UK", START)
                await work.quotes.add(q)
        async with stack.uow.read() as rx:
            assert await rx.waitlist.waiting("TC11", "UK") == []  # rolled back with the insert
            assert (await rx.quotes.get("q-1")).quote_id == "q-1"


async def test_a_read_only_snapshot_refuses_to_publish(sqlite_url: str) -> None:
    async with orders_stack(sqlite_url) as stack:
        q = create_quote(
            stack.cases.catalogue.ref,
            quote_id="q-1",
            style="TC11",
            region="UK",
            quantity=1,
            now=START,
        )
        async with stack.uow.read() as rx:
            with pytest.raises(ReadOnlyWork):
                rx.publish(q.created_event())
