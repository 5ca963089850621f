"""The orders table keeps only the indexes something reads through (migration 0006): a saga
step's save no longer rewrites a status or an open_saga index entry, and the open sagas a
restarted runner resumes are still found, through the next-check index (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.orders.adapters.sql_order_repository import SqlOrderRepository
from tests.support.orders.stack import START, Stack, orders_stack, place


@pytest.fixture
async def stack(database_url: str) -> AsyncIterator[Stack]:
    async with orders_stack(database_url) as built:
        yield built


async def _index_names(stack: Stack) -> set[str]:
    async with stack.db.engine.connect() as conn:
        return await conn.run_sync(
            lambda c: {i["name"] for i in sa.inspect(c).get_indexes("orders") if i["name"]}
        )


async def test_only_the_read_indexes_are_left(stack: Stack) -> None:
    names = await _index_names(stack)
    assert {"ix_orders_customer_id", "ix_orders_next_check_at"} <= names
    assert not names & {"ix_orders_status", "ix_orders_open_saga"}


async def test_the_open_sagas_are_found_whatever_their_next_check(stack: Stack) -> None:
    open_now, deferred, closed = await place(stack), await place(stack), await place(stack)
    async with stack.db.transaction() as session:
        orders = SqlOrderRepository(session)
        await orders.defer_all([(deferred.order_id, deferred.version, START + timedelta(days=9))])
        shut = await orders.get(closed.order_id)
        shut.cancel(START, by="customer")  # nothing to undo before any step
        shut.strays_checked = True  # what the saga's close records
        await orders.save(shut)
    assert not shut.saga_open, "the test needs a closed saga"
    async with stack.db.read() as session:
        found = await SqlOrderRepository(session).open_sagas()
    assert sorted(found) == sorted([(open_now.order_id, "pending"), (deferred.order_id, "pending")])


async def test_on_sqlite_the_open_sagas_read_uses_the_next_check_index(sqlite_url: str) -> None:
    ran: list[tuple[str, object]] = []

    def seen(_conn: object, _cursor: object, sql: str, params: object, *_rest: object) -> None:
        ran.append((sql, params))

    async with orders_stack(sqlite_url) as built:
        assert built.db.sqlite_engine is not None
        sa.event.listen(built.db.sqlite_engine, "before_cursor_execute", seen)
        async with built.db.read() as session:
            await SqlOrderRepository(session).open_sagas()
        sa.event.remove(built.db.sqlite_engine, "before_cursor_execute", seen)
        ((sql, params),) = ran
        async with built.db.read() as session:
            raw = session.sqlite_connection
            assert raw is not None
            plan = raw.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    assert any("ix_orders_next_check_at" in str(step[-1]) for step in plan), plan
