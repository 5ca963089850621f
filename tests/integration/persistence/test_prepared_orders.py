"""The orders repository's Prepared writes (the placement's insert, a saga step's save): the
order reads back as it was saved, and a save on a stale version is refused and changes nothing
(SQLite, PostgreSQL); on SQLite the per-order reads are prepared too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.orders.adapters.providers.sandbox_journal import DatabaseSandboxJournal
from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.adapters.sql_order_repository import SqlOrderRepository
from services.orders.adapters.sql_quote_repository import SqlQuoteRepository
from services.orders.adapters.sql_stock_repository import SqlStockRepository
from services.orders.domain.errors import ConcurrentUpdate
from services.orders.domain.money import Money
from shared.messaging.processed_requests import ProcessedRequests
from tests.support.orders.stack import START, Stack, orders_stack, place

LATER = START + timedelta(seconds=5)


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with orders_stack(database_url) as built:
        yield built


async def test_a_saved_order_reads_back_as_saved(stack: Stack) -> None:
    placed = await place(stack)
    async with stack.db.read() as session:
        stored = await SqlOrderRepository(session).get(placed.order_id)
    assert stored.version == placed.version
    assert stored.quote == placed.quote and stored.timeline == placed.timeline
    async with stack.db.transaction() as session:
        repo = SqlOrderRepository(session)
        order = await repo.get(placed.order_id)
        order.record_payment_authorized("auth-1", LATER)
        await repo.save(order)
    async with stack.db.read() as session:
        again = await SqlOrderRepository(session).get(placed.order_id)
    assert again.version == stored.version + 1 and again.status == order.status
    assert again.timeline == order.timeline and again.timeline != stored.timeline


async def test_a_save_on_a_stale_version_is_refused_and_changes_nothing(stack: Stack) -> None:
    placed = await place(stack)
    async with stack.db.transaction() as session:
        first = await SqlOrderRepository(session).get(placed.order_id)
    async with stack.db.transaction() as session:
        winner = await SqlOrderRepository(session).get(placed.order_id)
        winner.record_payment_authorized("auth-1", LATER)
        await SqlOrderRepository(session).save(winner)
    first.record_payment_authorized("auth-2", LATER)
    with pytest.raises(ConcurrentUpdate):
        async with stack.db.transaction() as session:
            await SqlOrderRepository(session).save(first)  # saw the version before the winner's
    async with stack.db.read() as session:
        stored = await SqlOrderRepository(session).get(placed.order_id)
    assert stored.version == winner.version and stored.timeline == winner.timeline


async def test_on_sqlite_the_orders_writes_skip_sqlalchemys_execution_path(sqlite_url: str) -> None:
    writes: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith(("INSERT INTO orders", "UPDATE orders")):
            writes.append(statement)

    async with orders_stack(sqlite_url) as built:
        assert built.db.sqlite_engine is not None
        sa.event.listen(built.db.sqlite_engine, "before_cursor_execute", seen)
        placed = await place(built)
        async with built.db.transaction() as session:
            order = await SqlOrderRepository(session).get(placed.order_id)
            order.record_payment_authorized("auth-1", LATER)
            await SqlOrderRepository(session).save(order)
    assert writes == []


async def test_on_sqlite_the_per_order_reads_skip_sqlalchemys_execution_path(
    sqlite_url: str,
) -> None:
    """The order by id and by quote, its quote, the sweep's due orders and the sandbox journal's
    shipment: read through PreparedRead, so no SQLAlchemy cursor event (and the same order)."""
    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("SELECT"):
            reads.append(statement)

    async with orders_stack(sqlite_url) as built:
        placed = await place(built)
        journal = DatabaseSandboxJournal(built.db)
        assert built.db.sqlite_engine is not None
        sa.event.listen(built.db.sqlite_engine, "before_cursor_execute", seen)
        async with built.db.read() as session:
            orders = SqlOrderRepository(session)
            by_id = await orders.get(placed.order_id)
            by_quote = await orders.by_quote(placed.quote.quote_id)
            due = await orders.due_orders(LATER)
            quote = await SqlQuoteRepository(session).get(placed.quote.quote_id)
        assert await journal.load_shipment(shipment_id="none") is None
    assert reads == []
    assert by_quote is not None and by_id.timeline == placed.timeline == by_quote.timeline
    assert [o.order_id for o in due] == [placed.order_id] and quote == placed.quote


async def test_on_sqlite_the_stock_the_journal_and_the_request_key_skip_sqlalchemy(
    sqlite_url: str,
) -> None:
    """A reservation and its commit, the journal's authorization, capture and booking, a
    sweep's deferrals and the keyed request's lookup: no SQLAlchemy cursor event on SQLite."""
    ran: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        ran.append(statement)

    async with orders_stack(sqlite_url) as built:
        placed = await place(built)
        payment = SandboxPaymentProvider(journal=DatabaseSandboxJournal(built.db))
        assert built.db.sqlite_engine is not None
        sa.event.listen(built.db.sqlite_engine, "before_cursor_execute", seen)
        async with built.db.transaction() as session:
            stock = SqlStockRepository(session)
            held = await stock.reserve(
                owner_id=placed.order_id, warehouse="US-NJ", style="VT02", quantity=1, now=LATER
            )
            assert await stock.commit(held.reservation_id, LATER) is True
            await SqlOrderRepository(session).defer_all([(placed.order_id, 1, LATER)])
        auth = await payment.authorize(Money.of("1.00", "GBP"), "tok_ok", "o:authorize")
        await payment.capture(auth.authorization_id)
        assert await ProcessedRequests(built.db).find("k", "op") is None
    assert ran == []
