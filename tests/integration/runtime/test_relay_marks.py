"""The relay's marks (shared/messaging/relay.py `_mark`): exactly the rows it names change.

The UPDATE is built once and given the sequence numbers as an expanding parameter; these pin
that it marks the rows the old per-batch statement marked, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from shared.messaging.outbox import UnitOfWork
from shared.messaging.relay import PARKED, OutboxRelay
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table as t
from shared.persistence.migrations import upgrade_async
from tests.support.runtime.sample_events import MIGRATIONS, credit_event


async def _rows(db: Database) -> dict[int, tuple[bool, int]]:
    async with db.read() as s:
        found = (await s.execute(sa.select(t.c.seq, t.c.published_at, t.c.attempts))).all()
    return {r.seq: (r.published_at is not None, r.attempts) for r in found}


async def test_marks_and_parks_exactly_the_rows_named(database_url: str) -> None:
    await upgrade_async(database_url, MIGRATIONS)
    db = Database(database_url)
    try:
        async with UnitOfWork(db)() as tx:
            for _ in range(6):
                tx.publish(credit_event())
        seqs = sorted(await _rows(db))
        relay = OutboxRelay(db, None)  # type: ignore[arg-type]  # no publishing here
        before = datetime.now(UTC)
        async with db.transaction() as session:
            await relay._mark(session, [seqs[1], seqs[2], seqs[4]], [seqs[3]])
        rows = await _rows(db)
        assert rows == {
            seqs[0]: (False, 0),
            seqs[1]: (True, 0),
            seqs[2]: (True, 0),
            seqs[3]: (False, PARKED),
            seqs[4]: (True, 0),
            seqs[5]: (False, 0),
        }
        async with db.read() as s:
            stamped = (
                await s.execute(sa.select(t.c.published_at).where(t.c.seq == seqs[1]))
            ).scalar()
        assert stamped is not None and stamped.replace(tzinfo=stamped.tzinfo or UTC) >= before
        async with db.transaction() as session:  # nothing named: nothing changes
            await relay._mark(session, [], [])
        assert await _rows(db) == rows
    finally:
        await db.dispose()
