"""A reservation is two statements (take, insert) and committing it two (leave held, move);
a repeat still finds the first reservation and takes nothing more (SQLite, PostgreSQL).

Statements are counted as the database ran them (on SQLite `sqlite3`'s trace: the stock
repository's statements are `Prepared` there, which SQLAlchemy's cursor events do not see)."""

from __future__ import annotations

import pytest

from services.orders.adapters.sql_stock_repository import SqlStockRepository
from shared.errors import InvalidTransition
from tests.support.orders.stack import START, Stack, stock_level
from tests.support.persistence.statements import statements_run


async def _reserve(stack: Stack, owner: str, quantity: int = 1) -> tuple[str, int]:
    """(reservation id, statements run)."""
    with statements_run(stack.db) as seen:
        async with stack.db.transaction() as session:
            res = await SqlStockRepository(session).reserve(
                owner_id=owner, warehouse="US-NJ", style="VT02", quantity=quantity, now=START
            )
    return res.reservation_id, len(seen)


async def test_a_first_reservation_is_two_statements_and_a_repeat_takes_nothing(
    stack: Stack,
) -> None:
    before = await stock_level(stack, "US-NJ", "VT02")
    first, statements = await _reserve(stack, "o-1", 2)
    assert statements == 2
    again, _ = await _reserve(stack, "o-1", 2)
    assert again == first
    assert await stock_level(stack, "US-NJ", "VT02") == (before[0], before[1] + 2)


async def test_a_repeat_after_the_last_unit_finds_the_first_reservation(stack: Stack) -> None:
    on_hand, reserved = await stock_level(stack, "US-NJ", "VT02")
    first, _ = await _reserve(stack, "o-2", on_hand - reserved)  # every unit left
    again, _ = await _reserve(stack, "o-2", on_hand - reserved)
    assert again == first
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand, on_hand)


async def test_committing_a_held_reservation_once(stack: Stack) -> None:
    on_hand, reserved = await stock_level(stack, "US-NJ", "VT02")
    held, _ = await _reserve(stack, "o-3", 2)
    async with stack.db.transaction() as session:
        assert await SqlStockRepository(session).commit(held, START) is True
    async with stack.db.transaction() as session:
        assert await SqlStockRepository(session).commit(held, START) is False  # a repeat
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand - 2, reserved)
    with pytest.raises(InvalidTransition):
        async with stack.db.transaction() as session:
            await SqlStockRepository(session).release(held, START)
    released, _ = await _reserve(stack, "o-4", 1)
    async with stack.db.transaction() as session:
        await SqlStockRepository(session).release(released, START)
    with pytest.raises(InvalidTransition):
        async with stack.db.transaction() as session:
            await SqlStockRepository(session).commit(released, START)
    assert await stock_level(stack, "US-NJ", "VT02") == (on_hand - 2, reserved)
