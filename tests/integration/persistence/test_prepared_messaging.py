"""The writes every event and keyed command runs (inbox claim, outbox insert, processed-request
row) go through `Prepared`: on SQLite none of them takes SQLAlchemy's execution path, and on
both databases what they wrote reads back as before, in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from shared.messaging.inbox import ONE_BY_ONE_UP_TO, claim_event, claim_events
from shared.messaging.outbox import UnitOfWork
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import answer_once
from shared.persistence.db import Database
from shared.persistence.messaging_tables import inbox_table, messaging_metadata, outbox_table
from shared.persistence.messaging_tables import processed_requests_table as requests_table
from tests.support.persistence.tables import database_with
from tests.support.runtime.sample_events import credit_event


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, messaging_metadata) as database:
        yield database


def _count_sqlalchemy_statements(db: Database) -> Callable[[], int]:
    assert db.sqlite_engine is not None
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    sa.event.listen(db.sqlite_engine, "before_cursor_execute", count)
    return lambda: len(seen)


async def _keyed_event_handling(db: Database, key: str, events: int) -> bytes:
    """What a consumer or keyed RPC does: claim, write, publish, record the key."""
    uow = UnitOfWork(db)

    async def run() -> bytes:
        async with uow() as tx:
            assert await claim_event(tx.session, "consumer", f"event-of-{key}")
            for _ in range(events):
                tx.publish(credit_event())
        return b"reply-" + key.encode()

    return await answer_once(ProcessedRequests(db), "op", key, run, run)


async def test_on_sqlite_the_per_event_writes_skip_sqlalchemys_execution_path(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
    uow = UnitOfWork(db)
    await _keyed_event_handling(db, "warm", 1)  # first compilation
    statements = _count_sqlalchemy_statements(db)
    async with uow() as tx:
        assert await claim_event(tx.session, "consumer", "e-1")
        assert not await claim_event(tx.session, "consumer", "e-1")
        tx.publish(credit_event())
    assert statements() == 0
    await _keyed_event_handling(db, "k-1", 2)
    assert statements() == 0  # writes through Prepared, the find through PreparedRead
    await db.dispose()


async def test_the_rows_read_back_as_before(db: Database) -> None:
    reply = await _keyed_event_handling(db, "k-2", 3)
    async with db.read() as session:
        claim = (await session.execute(sa.select(inbox_table))).one()
        outbox = (await session.execute(sa.select(outbox_table).order_by("seq"))).all()
        keyed = (await session.execute(sa.select(requests_table))).one()
    assert claim.event_id == "event-of-k-2" and _stamped(claim.processed_at, db)
    assert len(outbox) == 3 and all(_stamped(r.created_at, db) for r in outbox)
    assert all(r.headers["Nats-Msg-Id"] == r.event_id for r in outbox)
    assert all(r.published_at is None and r.attempts == 0 for r in outbox)
    assert (keyed.request_key, keyed.operation, keyed.reply) == ("k-2", "op", reply)
    assert await ProcessedRequests(db).find("k-2", "op") == (reply, None)


async def test_the_relay_gets_each_rows_own_sequence_number(db: Database) -> None:
    handed: list[tuple[int, str]] = []
    uow = UnitOfWork(
        db, on_commit=lambda rows: handed.extend((r.seq, r.headers["Nats-Msg-Id"]) for r in rows)
    )
    for _ in range(2):
        async with uow() as tx:
            for _ in range(3):
                tx.publish(credit_event())
    async with db.read() as session:
        stored = (
            await session.execute(sa.select(outbox_table.c.seq, outbox_table.c.event_id))
        ).all()
    assert sorted(handed) == sorted((s, e) for s, e in stored) and len(handed) == 6
    assert [s for s, _ in handed] == sorted(s for s, _ in handed)  # commit order, row order


async def test_a_failed_handler_leaves_no_claim_and_no_outbox_row(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with UnitOfWork(db)() as tx:
            assert await claim_event(tx.session, "consumer", "e-9")
            tx.publish(credit_event())
            raise RuntimeError("the handler failed")
    async with db.read() as session:
        for table in (inbox_table, outbox_table):
            count = sa.select(sa.func.count()).select_from(table)
            assert (await session.execute(count)).scalar() == 0
    async with UnitOfWork(db)() as tx:  # the redelivery is applied normally
        assert await claim_event(tx.session, "consumer", "e-9")


async def test_a_keyed_command_whose_only_write_is_a_claim_is_recorded(db: Database) -> None:
    """watching_writes sees a Prepared write: the key is recorded with it, and a repeat gets the
    first reply without running again."""
    runs: list[int] = []

    async def run() -> bytes:
        async with UnitOfWork(db)() as tx:
            await claim_event(tx.session, "consumer", "only-write")
        runs.append(1)
        return b"first"

    store = ProcessedRequests(db)
    assert await answer_once(store, "op", "k-3", run, run) == b"first"
    assert await store.find("k-3", "op") == (b"first", None)
    assert await answer_once(store, "op", "k-3", run, run) == b"first" and len(runs) == 1


@pytest.mark.parametrize("size", [3, ONE_BY_ONE_UP_TO - 1, ONE_BY_ONE_UP_TO, 40])  # +1 row
async def test_a_group_claim_returns_the_events_not_claimed_before(db: Database, size: int) -> None:
    """Claimed one by one (Prepared) up to ONE_BY_ONE_UP_TO events, in one statement beyond."""
    async with UnitOfWork(db)() as tx:
        assert await claim_event(tx.session, "consumer", "e-0")
    ids = [f"e-{i}" for i in range(size)] + ["e-1"]  # e-0 claimed before, e-1 twice
    async with UnitOfWork(db)() as tx:
        fresh = await claim_events(tx.session, "consumer", ids)
    assert fresh == {f"e-{i}" for i in range(1, size)}
    async with UnitOfWork(db)() as tx:
        assert await claim_events(tx.session, "consumer", ids) == set()
        assert await claim_events(tx.session, "other", ids[:2]) == {"e-0", "e-1"}


def _stamped(value: datetime, db: Database) -> bool:
    """A time within the last minute; naive UTC on SQLite, as SQLAlchemy's DateTime reads it
    back there (test_prepared.py compares the stored values with execute's byte for byte)."""
    now = datetime.now(UTC)
    aware = value.replace(tzinfo=UTC) if db.sqlite and value.tzinfo is None else value
    return aware.tzinfo is not None and now - timedelta(minutes=1) < aware <= now
