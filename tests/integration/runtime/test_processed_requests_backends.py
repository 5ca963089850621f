"""The keyed-command dedupe's rows on both databases (statements built once, run on the
persistence layer's sessions): both must give the same answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from shared.messaging.requests import (
    ProcessedRequests,
    RequestScope,
    answer_once,
    current_scope,
    record_effect,
)
from shared.persistence.db import Database
from shared.persistence.messaging_tables import processed_requests_table


@asynccontextmanager
async def requests_table(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(processed_requests_table.metadata.create_all)
        yield db
    finally:
        await db.dispose()


async def test_rows_are_found_stored_and_sealed(database_url: str) -> None:
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        store.protect(lambda reply: reply[::-1], lambda stored: stored[::-1])
        assert await store.find("k1", "place_order") == (False, None)
        async with db.transaction() as session:
            assert await record_effect(session, RequestScope("k1", "place_order"), True)
        assert await store.find("k1", "place_order") == (True, None)
        await store.store_reply("k1", "place_order", b'{"id":"o1"}')
        assert await store.find("k1", "place_order") == (True, b'{"id":"o1"}')
        assert await store.find("k1", "cancel_order") == (False, None)
        async with db.read() as session:  # stored sealed, committed
            row = (await session.execute(sa.text("SELECT reply FROM processed_requests"))).one()
        assert bytes(row[0]) == b'}"1o":"di"{'


async def test_a_repeat_gets_the_first_reply_without_running(database_url: str) -> None:
    async with requests_table(database_url) as db:
        store = ProcessedRequests(db)
        runs: list[int] = []

        async def run() -> bytes:
            runs.append(1)
            scope = current_scope()
            assert scope is not None
            async with db.transaction() as session:
                scope.marked = await record_effect(session, scope, True)
            return f'{{"run":{len(runs)}}}'.encode()

        first = await answer_once(store, "place_order", "k2", run, run)
        again = await asyncio.gather(
            *(answer_once(store, "place_order", "k2", run, run) for _ in range(3))
        )
        assert first == b'{"run":1}' and list(again) == [first] * 3
        assert len(runs) == 1
