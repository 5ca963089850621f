"""The relay's hand-over path (shared/messaging/relay.py), against a real nats-server.

Each test would fail if its rule were broken: a relay that reads back every commit shows up in
the statement count; one that trusted hand-overs only would never publish a row another writer
committed; one that forgot a handed row whose publish failed would leave it pending until the next tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import nats
import sqlalchemy as sa
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from shared.messaging.outbox import UnitOfWork
from shared.messaging.relay import OutboxRelay
from shared.messaging.streams import ensure_streams
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.persistence.migrations import upgrade_async
from tests.support.runtime.sample_events import MIGRATIONS, credit_event, stream_count
from tests.support.waiting import eventually


@asynccontextmanager
async def running_relay(
    nats_url: str, database_url: str, **options: Any
) -> AsyncIterator[tuple[Database, JetStreamContext, OutboxRelay]]:
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await ensure_streams(js)
    relay = OutboxRelay(db, js, **options)
    task = asyncio.create_task(relay.run())
    try:
        yield db, js, relay
    finally:
        relay.stop()
        await task
        await nc.drain()
        await db.dispose()


async def unmarked(db: Database) -> int:
    async with db.read() as s:
        where = outbox_table.c.published_at.is_(None)
        return int(await s.scalar(sa.select(sa.func.count()).where(where)))


def count_statements(db: Database, prefix: str) -> Callable[[], int]:
    """Counts the SQL statements on the outbox that start with `prefix` (SQLite's engine)."""
    assert db.sqlite_engine is not None
    seen = [0]

    @sa.event.listens_for(db.sqlite_engine, "before_cursor_execute")
    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith(prefix) and "outbox" in statement.split("WHERE")[0]:
            seen[0] += 1

    return lambda: seen[0]


async def test_handed_over_rows_are_published_without_a_read_and_marked_together(
    nats_server, sqlite_url
):
    async with running_relay(nats_server.url, sqlite_url, sweep_interval=30.0) as (db, js, relay):
        uow = UnitOfWork(db, on_commit=relay.hand_over)
        await asyncio.sleep(0.2)  # the start-up read has run
        reads, marks = count_statements(db, "SELECT"), count_statements(db, "UPDATE")
        for _ in range(20):
            async with uow() as tx:
                tx.publish(credit_event())
            await asyncio.sleep(0.005)
        await eventually(lambda: _equals(stream_count(js), 20))
        assert reads() == 0  # nothing read back: each commit handed its rows over
        await asyncio.sleep(0.3)  # past the mark delay
        assert 1 <= marks() < 10  # marks coalesced, not one transaction per commit
        assert await unmarked(db) == 0
        assert relay.published_total == 20


async def test_a_row_no_commit_handed_over_is_still_published_under_load(nats_server, database_url):
    options = {"sweep_interval": 0.2}
    async with running_relay(nats_server.url, database_url, **options) as (db, js, relay):
        handing, silent = UnitOfWork(db, on_commit=relay.hand_over), UnitOfWork(db)
        other = credit_event().model_copy(update={"type": "orders.sample.other"})
        async with silent() as tx:  # e.g. another process writing the same database
            tx.publish(other)
        sent = 0
        while sent < 150:  # hand-overs keep the relay busy, every 20 ms
            async with handing() as tx:
                tx.publish(credit_event())
            sent += 1
            await asyncio.sleep(0.02)
            if await stream_count(js, other.type):
                break
        assert sent < 100, "the row nobody handed over waited for the hand-overs to stop"
        await eventually(lambda: _equals(stream_count(js), sent))


async def test_a_handed_row_that_failed_is_read_again_at_the_next_wake(nats_server, sqlite_url):
    # No periodic read within the test: only the failure can send the relay back to the table.
    options = {"sweep_interval": 30.0, "publish_timeout": 0.5}
    async with running_relay(nats_server.url, sqlite_url, **options) as (db, js, relay):
        uow = UnitOfWork(db, on_commit=relay.hand_over)
        await asyncio.sleep(0.2)  # the start-up read has run: the relay trusts hand-overs
        late = credit_event().model_copy(update={"type": "late.created"})
        async with uow() as tx:
            tx.publish(late)  # no stream takes "late.>" yet: the publish fails, transiently
        await asyncio.sleep(0.5)
        await js.add_stream(StreamConfig(name="LATE", subjects=["late.>"]))
        async with uow() as tx:
            tx.publish(credit_event())  # wakes the relay
        await eventually(lambda: _equals(stream_count(js), 1))
        assert (await js.stream_info("LATE")).state.messages == 1
        await eventually(lambda: _equals(unmarked(db), 0))


async def test_hand_overs_still_publish_once_a_purge_emptied_the_table(nats_server, sqlite_url):
    # SQLite gives out sequence numbers from 1 again once the table is empty: a relay that
    # skipped handed rows "at or below the highest published" would skip these.
    options = {"sweep_interval": 30.0, "keep_published": timedelta(0)}
    async with running_relay(nats_server.url, sqlite_url, **options) as (db, js, relay):
        uow = UnitOfWork(db, on_commit=relay.hand_over)
        await asyncio.sleep(0.2)
        for expected in (3, 6):
            for _ in range(3):
                async with uow() as tx:
                    tx.publish(credit_event())
            await eventually(lambda n=expected: _equals(stream_count(js), n), timeout=5)
            await eventually(lambda: _equals(unmarked(db), 0), timeout=5)
            assert await relay.purge_published() == 3


async def _equals(count: Any, expected: int) -> bool:
    return await count == expected
